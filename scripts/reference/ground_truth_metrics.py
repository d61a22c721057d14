#!/usr/bin/python3
"""Golden values for featurescope's ground-truth recovery metrics (core/sae/GroundTruthRecovery), computed
independently with NumPy and scipy.optimize.linear_sum_assignment, as SAELens's synthetic-data evaluation does.

Writes tests/data/ground_truth/recovery.json: a few small seeded cases (true directions, decoder columns, latent
codes, true feature contributions, decoder norms) and for each the expected
  mcc             mean |cosine| of the Hungarian one-to-one matching of true features to decoder columns
  latent_of_true  the matched latent of each true feature (-1 when unmatched)
  precision_mean, recall_mean, f1_mean   over the matched pairs, the latent firing (code > 0) as a detector of its
                  true feature being active (contribution != 0); 0 where a ratio is undefined
  shrinkage       over matched pairs whose feature is active somewhere: sum over the feature's active inputs of
                  code * decoder norm, divided by the sum of the feature's contributions; the mean of those ratios
Every input value is rounded to float32 so that the C++ side reads exactly the numbers used here.

Run: /usr/bin/python3 scripts/reference/ground_truth_metrics.py   (deterministic output)
"""

import json
import os

import numpy as np
from scipy.optimize import linear_sum_assignment


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def make_case(rng, d, n_true, n_latent, n_inputs):
    truth = f32(rng.normal(size=(d, n_true)))
    truth /= np.linalg.norm(truth, axis=0, keepdims=True)
    truth = f32(truth)
    # Decoder: noisy copies (some sign-flipped) of a random subset of true features, the rest random; one zero column.
    decoder = f32(rng.normal(size=(d, n_latent)))
    copies = min(n_true, n_latent) - 1
    owner = rng.permutation(n_latent)[:copies]
    source = rng.permutation(n_true)[:copies]
    for latent, feature in zip(owner, source):
        sign = -1.0 if rng.random() < 0.3 else 1.0
        decoder[:, latent] = sign * truth[:, feature] * rng.uniform(0.5, 2.0) + 0.2 * rng.normal(size=d)
    zero = [j for j in range(n_latent) if j not in set(owner)]
    if zero:
        decoder[:, zero[0]] = 0.0
    decoder = f32(decoder)
    # True contributions: feature i active with probability p_i, value U(0, 1); a few features never active.
    p = rng.uniform(0.05, 0.4, size=n_true)
    p[rng.integers(n_true)] = 0.0
    active = rng.random((n_true, n_inputs)) < p[:, None]
    true_acts = f32(np.where(active, rng.random((n_true, n_inputs)), 0.0))
    # Codes: a copying latent follows its feature with misses, false alarms and a gain; others fire at random.
    codes = np.zeros((n_latent, n_inputs))
    for j in range(n_latent):
        noise = rng.random(n_inputs) < 0.05
        codes[j] = np.where(noise, rng.random(n_inputs), 0.0)
    for latent, feature in zip(owner, source):
        follow = active[feature] & (rng.random(n_inputs) > 0.1)
        gain = rng.uniform(0.4, 1.2)
        codes[latent] = np.where(follow, true_acts[feature] * gain, codes[latent] * (rng.random(n_inputs) < 0.3))
    codes = f32(codes)
    norms = f32(rng.uniform(0.5, 2.0, size=n_latent))
    return truth, decoder, codes, true_acts, norms


def metrics(truth, decoder, codes, true_acts, norms):
    def unit(m):
        n = np.linalg.norm(m, axis=0, keepdims=True)
        return np.where(n > 1e-30, m / np.where(n > 1e-30, n, 1.0), 0.0)

    cos = np.abs(unit(truth).T @ unit(decoder))
    rows, cols = linear_sum_assignment(cos, maximize=True)
    mcc = float(cos[rows, cols].mean())
    latent_of_true = [-1] * truth.shape[1]
    precision, recall, f1, shrink = [], [], [], []
    for i, j in zip(rows, cols):
        latent_of_true[int(i)] = int(j)
        true_on = true_acts[i] != 0
        fires = codes[j] > 0
        tp = np.sum(true_on & fires)
        fp = np.sum(~true_on & fires)
        fn = np.sum(true_on & ~fires)
        pr = tp / (tp + fp) if tp + fp > 0 else 0.0
        rc = tp / (tp + fn) if tp + fn > 0 else 0.0
        precision.append(pr)
        recall.append(rc)
        f1.append(2 * pr * rc / (pr + rc) if pr + rc > 0 else 0.0)
        original = np.sum(np.abs(true_acts[i][true_on]))
        if original > 0:
            shrink.append(np.sum(np.where(fires, codes[j], 0.0)[true_on]) * norms[j] / original)
    return {
        "mcc": mcc,
        "latent_of_true": latent_of_true,
        "precision_mean": float(np.mean(precision)),
        "recall_mean": float(np.mean(recall)),
        "f1_mean": float(np.mean(f1)),
        "shrinkage": float(np.mean(shrink)) if shrink else -1.0,
    }


def main():
    rng = np.random.default_rng(20261203)
    cases = []
    for name, d, n_true, n_latent, n_inputs in [("wide", 8, 6, 12, 400), ("square", 6, 7, 7, 300),
                                                 ("narrow", 5, 9, 4, 250)]:
        truth, decoder, codes, true_acts, norms = make_case(rng, d, n_true, n_latent, n_inputs)
        cases.append({
            "name": name,
            "truth": truth.tolist(),               # d x F
            "decoder": decoder.tolist(),           # d x K
            "codes": codes.tolist(),               # K x N
            "true_activations": true_acts.tolist(),  # F x N
            "decoder_norms": norms.tolist(),       # K
            "expected": metrics(truth, decoder, codes, true_acts, norms),
        })
    out = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "ground_truth", "recovery.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump({"generator": "scripts/reference/ground_truth_metrics.py", "numpy": np.__version__,
                   "cases": cases}, f, separators=(",", ":"))
        f.write("\n")
    for c in cases:
        print(c["name"], {k: v for k, v in c["expected"].items() if k != "latent_of_true"})


if __name__ == "__main__":
    main()
