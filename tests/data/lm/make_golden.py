#!/usr/bin/python3
"""Writes the language-model golden data: two small random GPT-2-layout models and, for a fixed id sequence,
their logits, mean next-token loss and every hook's activations (raw and centred over the last axis), computed by
scripts/reference/gpt_reference.py in PyTorch. Needs torch (Debian: python3-torch):

    /usr/bin/python3 tests/data/lm/make_golden.py

Deterministic for a given torch build; the tests compare within 2e-4.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "scripts", "reference"))
import gpt_reference  # noqa: E402

MODELS = {
    # name: (layers, width, heads, inner, vocab, positions, seed, ids)
    "tiny2": (2, 32, 4, 128, 97, 16, 1, [5, 96, 0, 17, 17, 42, 3, 88]),
    "tiny1": (1, 48, 3, 100, 61, 12, 2, [60, 1, 2, 33, 7, 0, 59]),
}


def rounded(tensor):
    return [[float(f"{v:.7g}") for v in row] for row in tensor.tolist()]


def main():
    for name, (layers, width, heads, inner, vocab, positions, seed, ids) in MODELS.items():
        folder = os.path.join(HERE, name)
        config, weights = gpt_reference.random_model(layers, width, heads, inner, vocab, positions, seed)
        gpt_reference.save_model(folder, config, weights)
        config, weights = gpt_reference.load_model(folder)  # run what the file holds
        logits, loss, acts = gpt_reference.run(config, weights, ids)
        golden = {"ids": ids, "loss": loss, "logits": rounded(logits), "hooks": {}, "centered": {}}
        for hook, values in acts.items():
            golden["hooks"][hook] = rounded(values)
            golden["centered"][hook] = rounded(values - values.mean(-1, keepdim=True))
        with open(os.path.join(HERE, name + ".golden.json"), "w") as f:
            json.dump(golden, f, separators=(",", ":"))
            f.write("\n")


if __name__ == "__main__":
    main()
