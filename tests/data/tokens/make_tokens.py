#!/usr/bin/env python3
"""Writes acts_tokens.npz byte-for-byte as NumPy would for

    np.savez("acts_tokens.npz",
             acts=np.arange(12, dtype=np.float32).reshape(6, 2) / 4,
             tokens=np.array(["The", " cat", " sat", "\\n", "A", " héllo😀"]),
             sequence_ids=np.array([0, 0, 0, 0, 1, 1]))

without needing NumPy (this machine has none): the same .npy headers ('<f4', '<U7', '<i8') inside a stored zip."""
import struct
import zipfile


def npy(descr, shape, data):
    shape_text = "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape_text)
    header += " " * (64 - (10 + len(header) + 1) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("ascii") + data


acts = b"".join(struct.pack("<f", i / 4) for i in range(12))
tokens = ["The", " cat", " sat", "\n", "A", " héllo😀"]
width = max(len(t) for t in tokens)  # NumPy's '<U7' (code points, not bytes)
text = b"".join(t.encode("utf-32-le") + b"\0\0\0\0" * (width - len(t)) for t in tokens)
ids = b"".join(struct.pack("<q", i) for i in [0, 0, 0, 0, 1, 1])
with zipfile.ZipFile("acts_tokens.npz", "w", zipfile.ZIP_STORED) as z:
    z.writestr("acts.npy", npy("<f4", (6, 2), acts))
    z.writestr("tokens.npy", npy("<U%d" % width, (6,), text))
    z.writestr("sequence_ids.npy", npy("<i8", (6,), ids))
