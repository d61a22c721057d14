#!/usr/bin/python3
"""Writes the feature-dashboard golden data: two random SAELens-layout SAEs on the tiny2 model (one on
blocks.1.mlp.hook_post without centring, one on blocks.1.hook_resid_mid with TransformerLens's default centring),
a fixed sequence of token ids cut into windows, and for every feature its density, max activation, the window and
position of that maximum, and its top and bottom direct logit effects - computed independently in PyTorch with
scripts/reference/gpt_reference.py. Needs torch (Debian: python3-torch):

    /usr/bin/python3 tests/data/lm/make_dashboard_golden.py
"""
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "scripts", "reference"))
import gpt_reference  # noqa: E402

CONTEXT, WINDOWS, LOGITS = 8, 6, 5
SAES = {
    # name: (hook, d_in, d_sae, centre writing weights, seed)
    "sae_mlp": ("blocks.1.mlp.hook_post", 128, 24, False, 3),
    "sae_resid": ("blocks.1.hook_resid_mid", 32, 16, True, 4),
}


def main():
    config, weights = gpt_reference.load_model(os.path.join(HERE, "tiny2"))
    generator = torch.Generator().manual_seed(7)
    ids = torch.randint(0, config["vocab_size"], (CONTEXT * WINDOWS,), generator=generator).tolist()
    golden = {"ids": ids, "context": CONTEXT, "logits": LOGITS, "saes": {}}
    for name, (hook, d_in, d_sae, centre, seed) in SAES.items():
        g = torch.Generator().manual_seed(seed)
        w_dec = torch.randn(d_sae, d_in, generator=g)
        w_dec /= w_dec.norm(dim=1, keepdim=True)
        w_enc = w_dec.T.clone() + 0.3 * torch.randn(d_in, d_sae, generator=g)
        b_enc = -0.4 * torch.rand(d_sae, generator=g)
        b_dec = 0.05 * torch.randn(d_in, generator=g)
        folder = os.path.join(HERE, "dashboard", name)
        os.makedirs(folder, exist_ok=True)
        cfg = {"architecture": "standard", "d_in": d_in, "d_sae": d_sae, "dtype": "float32", "device": "cpu",
               "apply_b_dec_to_input": True, "normalize_activations": "none",
               "metadata": {"sae_lens_version": "6.0.0", "hook_name": hook, "prepend_bos": False,
                            "model_from_pretrained_kwargs": {"center_writing_weights": centre}}}
        with open(os.path.join(folder, "cfg.json"), "w") as f:
            json.dump(cfg, f, indent=1)
        gpt_reference.save_safetensors(os.path.join(folder, "sae_weights.safetensors"),
                                       {"W_enc": w_enc, "b_enc": b_enc, "W_dec": w_dec, "b_dec": b_dec})

        codes = []
        for w in range(WINDOWS):
            _, _, acts = gpt_reference.run(config, weights, ids[w * CONTEXT:(w + 1) * CONTEXT])
            x = acts[hook]
            if centre:
                x = x - x.mean(-1, keepdim=True)
            codes.append(torch.relu((x - b_dec) @ w_enc + b_enc))
        codes = torch.cat(codes)  # [positions, d_sae], row = window * CONTEXT + position
        layer = int(hook.split(".")[1])
        features = []
        for f in range(d_sae):
            column = codes[:, f]
            row = int(torch.argmax(column))
            residual = w_dec[f] @ weights[f"h.{layer}.mlp.c_proj.weight"] if hook.endswith("mlp.hook_post") else w_dec[f]
            if centre:
                residual = residual - residual.mean()
            effects = (residual * weights["ln_f.weight"]) @ weights["wte.weight"].T
            features.append({"index": f, "density": float((column > 0).float().mean()),
                             "max_activation": float(column.max()), "sequence": row // CONTEXT,
                             "position": row % CONTEXT,
                             "top_logits": torch.argsort(effects, descending=True)[:LOGITS].tolist(),
                             "bottom_logits": torch.argsort(effects)[:LOGITS].tolist(),
                             "top_values": [float(effects[i]) for i in torch.argsort(effects, descending=True)[:LOGITS]]})
        golden["saes"][name] = {"hook": hook, "features": features}
    with open(os.path.join(HERE, "dashboard.golden.json"), "w") as f:
        json.dump(golden, f, indent=1)


if __name__ == "__main__":
    main()
