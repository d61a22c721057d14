#!/usr/bin/env python3
"""PyTorch reference for featurescope's sparse-autoencoder benchmark (sae).

Data: F ground-truth unit vectors in D dimensions (seeded); feature i is active with probability proportional to
0.99^i, scaled so about five are active per sample, with a magnitude uniform in [0, 1); a sample is the sum of its
active features. SAE (the 2023 recipe): f = ReLU(W_enc (x - b_dec) + b_enc), x_hat = W_dec f + b_dec,
loss = mean squared error + L1 * sum |f|; W_enc Kaiming-uniform, W_dec its transpose with unit-norm columns, Adam
at lr 1e-3; before each step the gradient component along each decoder column is removed, after it the columns
are renormalised. Only the speed is compared with featurescope; L0, MSE and MMCS (mean over true features of the
best cosine with a decoder column) are printed as a sanity check.

usage: sae_reference.py D FEATURES D_SAE BATCH STEPS [L1] [THREADS]
Prints one JSON object on one line; its "steps_per_s" is the figure scripts/bench-compare uses.
"""
import json
import sys
import time

import blas_threads

USAGE = "usage: sae_reference.py D FEATURES D_SAE BATCH STEPS [L1] [THREADS]"


def parse(argv):
    if not 5 <= len(argv) <= 7:
        sys.exit(USAGE)
    try:
        d, features, latents, batch, steps = (int(a) for a in argv[:5])
        l1 = float(argv[5]) if len(argv) > 5 else 3e-3
        threads = int(argv[6]) if len(argv) > 6 else 1
    except ValueError:
        sys.exit(USAGE)
    if min(d, features, latents, batch, steps, threads) < 1 or l1 < 0:
        sys.exit(USAGE)
    return d, features, latents, batch, steps, l1, threads


def main(argv):
    d, features, latents, batch, steps, l1, threads = parse(argv)
    blas_threads.pin(threads)
    import torch  # after pinning: OpenBLAS reads its thread count when it loads
    import torch.nn.functional as F

    torch.set_num_threads(threads)
    generator = torch.Generator().manual_seed(0)
    truth = F.normalize(torch.randn(features, d, generator=generator), dim=1)       # [F, D]
    probability = torch.pow(0.99, torch.arange(features, dtype=torch.float32))
    probability *= 5.0 / probability.sum()

    encoder = torch.empty(latents, d)
    torch.nn.init.kaiming_uniform_(encoder)
    decoder = encoder.t().clone()                                                   # [D, D_SAE]
    decoder /= decoder.norm(dim=0, keepdim=True)
    encoder = torch.nn.Parameter(encoder)
    decoder = torch.nn.Parameter(decoder)
    encoder_bias = torch.nn.Parameter(torch.zeros(latents))
    decoder_bias = torch.nn.Parameter(torch.zeros(d))
    optimizer = torch.optim.Adam([encoder, decoder, encoder_bias, decoder_bias], lr=1e-3)

    start = time.perf_counter()
    for _ in range(steps):
        active = torch.rand(batch, features) < probability
        x = (torch.rand(batch, features) * active) @ truth                         # [B, D]
        codes = torch.relu((x - decoder_bias) @ encoder.t() + encoder_bias)         # [B, D_SAE]
        reconstruction = codes @ decoder.t() + decoder_bias
        loss = (reconstruction - x).square().mean() + l1 * codes.abs().sum(dim=1).mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        with torch.no_grad():
            along = (decoder.grad * decoder).sum(dim=0, keepdim=True)
            decoder.grad -= along * decoder
        optimizer.step()
        with torch.no_grad():
            decoder /= decoder.norm(dim=0, keepdim=True)
    seconds = time.perf_counter() - start

    with torch.no_grad():
        cosines = truth @ F.normalize(decoder, dim=0)                               # [F, D_SAE]
        mmcs = cosines.max(dim=1).values.mean().item()
        l0 = (codes > 0).float().sum(dim=1).mean().item()
        mse = (reconstruction - x).square().mean().item()
    print(json.dumps({
        "reference": "sae", "torch": torch.__version__, "threads": threads, "d": d, "features": features,
        "d_sae": latents, "batch": batch, "steps": steps, "l1": l1, "seconds": round(seconds, 3),
        "steps_per_s": round(steps / seconds, 1), "l0": round(l0, 2), "mse": mse, "mmcs": round(mmcs, 4),
    }))


if __name__ == "__main__":
    main(sys.argv[1:])
