"""Thread pinning shared by the reference scripts; import it before torch.

Debian's PyTorch multiplies matrices with OpenBLAS, which starts one thread per core on its own, whatever
torch.set_num_threads() says later. The thread count has to be in the environment before torch (and with it
OpenBLAS) is loaded, or "one thread" silently means every core.
"""
import os

_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def pin(threads):
    """Limits OpenBLAS, OpenMP and MKL to `threads` threads. Call before `import torch`."""
    for name in _VARIABLES:
        os.environ[name] = str(int(threads))
