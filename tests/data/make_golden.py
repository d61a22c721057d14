#!/usr/bin/env python3
"""Writes featurescope's golden array files and SAELens directories (tests/data/golden/), with the Python standard
library only (struct, zipfile, json), so the bytes do not depend on NumPy, PyTorch or featurescope's own writers.

Every value is a small dyadic rational (k/64) so it is exact in F16, BF16, F32 and F64, and the SAE forward passes
below (computed here in float64, the formula SAELens uses) are exact in float32 too, except where a square root
appears (normalisation), which the tests compare with a tolerance. Run from anywhere:

    python3 tests/data/make_golden.py
"""
import json
import math
import os
import random
import struct
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "golden")

# ---------------------------------------------------------------------------------------------------- encoders
ST_FORMATS = {"F64": "d", "F32": "f", "F16": "e", "I64": "q", "I32": "i", "I16": "h", "I8": "b", "U8": "B",
              "U16": "H", "U32": "I", "U64": "Q", "BOOL": "?"}
NPY_FORMATS = {"<f8": "d", "<f4": "f", "<f2": "e", "<i8": "q", "<i4": "i", "|u1": "B", "<u2": "H"}


def bf16_bits(x):
    bits = struct.unpack("<I", struct.pack("<f", x))[0]
    assert bits & 0xFFFF == 0, f"{x} is not exact in bfloat16"
    return bits >> 16


def pack(dtype, values):
    if dtype == "BF16":
        return b"".join(struct.pack("<H", bf16_bits(v)) for v in values)
    return struct.pack("<%d%s" % (len(values), ST_FORMATS[dtype]), *values)


def flat(nested):
    if isinstance(nested, list):
        return [x for item in nested for x in flat(item)]
    return [nested]


def safetensors(tensors, metadata=None):
    """tensors: list of (name, dtype, shape, flat values). The header is padded with spaces to 8 bytes."""
    header, data = {}, b""
    if metadata:
        header["__metadata__"] = metadata
    for name, dtype, shape, values in tensors:
        blob = pack(dtype, values)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(blob)]}
        data += blob
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def npy(descr, shape, values, fortran=False, version=1):
    shape_text = "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, "True" if fortran else "False", shape_text)
    preamble = 10 if version == 1 else 12
    header += " " * (64 - (preamble + len(header) + 1) % 64) + "\n"
    head = b"\x93NUMPY" + bytes([version, 0])
    head += struct.pack("<H" if version == 1 else "<I", len(header))
    return head + header.encode("latin1" if version < 3 else "utf8") + struct.pack(
        "<%d%s" % (len(values), NPY_FORMATS[descr]), *values)


def write(name, data):
    path = os.path.join(OUT, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


# ---------------------------------------------------------------------------------------------------- arrays
expected = {}
# Values exact in every float type, ints at the edges of their ranges.
FLOATS = [0.0, 1.0, -2.0, 0.5, -0.25, 1.75, 3.0, 1024.0, -0.015625, 2.0 ** -14]
st = [
    ("f32", "F32", [2, 5], FLOATS),
    ("f16", "F16", [5, 2], FLOATS),
    ("bf16", "BF16", [10], FLOATS),
    ("f64", "F64", [2, 1, 5], FLOATS),
    ("i32", "I32", [4], [0, -1, 2147483647, -2147483648]),
    ("i64", "I64", [4], [0, -1, 9007199254740992, -9007199254740992]),
    ("u8", "U8", [2, 2], [0, 1, 128, 255]),
    ("i8", "I8", [3], [-128, 0, 127]),
    ("i16", "I16", [2], [-32768, 32767]),
    ("bool", "BOOL", [3], [True, False, True]),
    ("empty", "F32", [0, 3], []),
]
write("dtypes.safetensors", safetensors(st, {"format": "featurescope-golden", "note": "every dtype"}))
expected["dtypes.safetensors"] = {
    "metadata": {"format": "featurescope-golden", "note": "every dtype"},
    "tensors": {name: {"dtype": dtype, "shape": shape, "values": [float(v) for v in values]}
                for name, dtype, shape, values in st}}

npys = [
    ("f4.npy", "<f4", [2, 5], FLOATS, False, 1),
    ("f2.npy", "<f2", [10], FLOATS, False, 1),
    ("f8.npy", "<f8", [5, 2], FLOATS, False, 1),
    ("i4.npy", "<i4", [4], [0, -1, 2147483647, -2147483648], False, 1),
    ("i8.npy", "<i8", [2, 2], [0, -1, 9007199254740992, -9007199254740992], False, 1),
    ("u1.npy", "|u1", [2, 2], [0, 1, 128, 255], False, 1),
    ("bf16_as_u2.npy", "<u2", [10], [bf16_bits(v) for v in FLOATS], False, 1),
    # Fortran order: storage is column-major; the C-order values are FLOATS as a [2, 5] matrix.
    ("fortran_f4.npy", "<f4", [2, 5], [FLOATS[r * 5 + c] for c in range(5) for r in range(2)], True, 1),
    ("v2_f4.npy", "<f4", [2, 5], FLOATS, False, 2),
    ("v3_f4.npy", "<f4", [2, 5], FLOATS, False, 3),
    ("scalar_f8.npy", "<f8", [], [0.5], False, 1),
]
for name, descr, shape, values, fortran, version in npys:
    write(name, npy(descr, shape, values, fortran, version))
    c_order = FLOATS if name in ("fortran_f4.npy", "bf16_as_u2.npy") else values
    expected[name] = {"descr": descr, "shape": shape, "fortran_order": fortran, "version": version,
                      "values": [float(v) for v in c_order]}

# npz: acts [6, 4] f4 and labels [6] i8, stored and deflated; plus a safetensors holding the same.
rng = random.Random(5)
acts = [rng.randint(-64, 64) / 64 for _ in range(24)]
labels = [0, 1, 2, 0, 1, 2]
for name, method in (("stored.npz", zipfile.ZIP_STORED), ("deflated.npz", zipfile.ZIP_DEFLATED)):
    with zipfile.ZipFile(os.path.join(OUT, name), "w", method) as z:
        z.writestr("acts.npy", npy("<f4", [6, 4], acts))
        z.writestr("labels.npy", npy("<i8", [6], labels))
    expected[name] = {"acts": {"shape": [6, 4], "values": acts}, "labels": {"shape": [6], "values": labels}}
write("activations.safetensors", safetensors([("acts", "F16", [6, 4], acts), ("labels", "I64", [6], labels),
                                              ("other", "F32", [2, 3], acts[:6])]))
expected["activations.safetensors"] = {"acts": {"shape": [6, 4], "values": acts}, "labels": {"values": labels}}

# ---------------------------------------------------------------------------------------------------- SAELens
D_IN, D_SAE, N = 4, 6, 5
rng = random.Random(11)
inputs = [[rng.randint(-96, 96) / 64 for _ in range(D_IN)] for _ in range(N)]
write("saelens/inputs.npy", npy("<f4", [N, D_IN], flat(inputs)))


def weights(seed):
    r = random.Random(seed)
    W_enc = [[r.randint(-64, 64) / 64 for _ in range(D_SAE)] for _ in range(D_IN)]   # [d_in, d_sae]
    W_dec = [[r.randint(-64, 64) / 64 for _ in range(D_IN)] for _ in range(D_SAE)]   # [d_sae, d_in]
    b_enc = [r.randint(-16, 16) / 64 for _ in range(D_SAE)]
    b_dec = [r.randint(-16, 16) / 64 for _ in range(D_IN)]
    return W_enc, W_dec, b_enc, b_dec


def forward(cfg, W_enc, W_dec, b_enc, b_dec, threshold=None, scale=None):
    """SAELens's forward pass, row-vector convention, in float64."""
    codes, recons = [], []
    for x in inputs:
        norm = cfg.get("normalize_activations", "none")
        out_scale, shift = 1.0, 0.0
        if norm == "constant_norm_rescale":
            c = math.sqrt(D_IN) / math.sqrt(sum(v * v for v in x))
            x = [v * c for v in x]
            out_scale = 1 / c
        elif norm == "layer_norm":
            mu = sum(x) / D_IN
            x = [v - mu for v in x]
            std = math.sqrt(sum(v * v for v in x) / (D_IN - 1))  # torch.std: unbiased
            x = [v / (std + 1e-5) for v in x]
            out_scale, shift = std, mu
        if cfg.get("apply_b_dec_to_input", True):
            x = [v - b for v, b in zip(x, b_dec)]
        pre = [sum(x[i] * W_enc[i][j] for i in range(D_IN)) + b_enc[j] for j in range(D_SAE)]
        norms = [math.sqrt(sum(v * v for v in row)) for row in W_dec]
        if cfg.get("rescale_acts_by_decoder_norm"):
            pre = [p * n for p, n in zip(pre, norms)]
        arch = cfg["arch"]
        if arch == "standard":
            f = [max(p, 0.0) for p in pre]
        elif arch == "jumprelu":
            f = [p if p > max(t, 0.0) else 0.0 for p, t in zip(pre, threshold)]
            assert all(abs(p - t) > 1e-3 for p, t in zip(pre, threshold)), "pre too close to the threshold"
        else:
            k = cfg["k"]
            order = sorted(range(D_SAE), key=lambda j: -pre[j])
            assert pre[order[k - 1]] - pre[order[k]] > 1e-3, "tie at the top-k boundary"
            f = [max(pre[j], 0.0) if j in order[:k] else 0.0 for j in range(D_SAE)]
        g = list(f)
        if scale:
            g = [a * s for a, s in zip(g, scale)]
        if cfg.get("rescale_acts_by_decoder_norm"):
            g = [a / n for a, n in zip(g, norms)]
        out = [sum(g[j] * W_dec[j][i] for j in range(D_SAE)) + b_dec[i] for i in range(D_IN)]
        out = [v * out_scale + shift for v in out]
        codes.append(f)
        recons.append(out)
    return codes, recons


def saelens_dir(name, cfg_json, cfg, dtype, seed, threshold=None, scale=None, sparsity=True):
    W_enc, W_dec, b_enc, b_dec = weights(seed)
    tensors = [("W_enc", dtype, [D_IN, D_SAE], flat(W_enc)), ("W_dec", dtype, [D_SAE, D_IN], flat(W_dec)),
               ("b_enc", dtype, [D_SAE], b_enc), ("b_dec", dtype, [D_IN], b_dec)]
    if threshold:
        tensors.append(("threshold", dtype, [D_SAE], threshold))
    if scale:
        tensors.append(("scaling_factor", dtype, [D_SAE], scale))
    write(f"saelens/{name}/cfg.json", json.dumps(cfg_json, indent=2).encode())
    write(f"saelens/{name}/sae_weights.safetensors", safetensors(tensors))
    log_sparsity = [-(j + 1) / 2 for j in range(D_SAE)]
    if sparsity:
        write(f"saelens/{name}/sparsity.safetensors", safetensors([("sparsity", "F32", [D_SAE], log_sparsity)]))
    codes, recons = forward(cfg, W_enc, W_dec, b_enc, b_dec, threshold, scale)
    expected[f"saelens/{name}"] = {"codes": codes, "reconstructions": recons,
                                   "log_sparsity": log_sparsity if sparsity else None}


v6_meta = {"sae_lens_version": "6.5.1", "sae_lens_training_version": "6.5.1", "model_name": "tiny",
           "hook_name": "blocks.0.hook_resid_post"}
saelens_dir("standard_v6",
            {"architecture": "standard", "d_in": D_IN, "d_sae": D_SAE, "dtype": "float32", "device": "cpu",
             "apply_b_dec_to_input": True, "normalize_activations": "none", "reshape_activations": "none",
             "metadata": v6_meta},
            {"arch": "standard"}, "F32", 1)
saelens_dir("jumprelu_v6",
            {"architecture": "jumprelu", "d_in": D_IN, "d_sae": D_SAE, "dtype": "bfloat16", "device": "cpu",
             "apply_b_dec_to_input": False, "normalize_activations": "none", "metadata": v6_meta},
            {"arch": "jumprelu", "apply_b_dec_to_input": False}, "BF16", 2,
            threshold=[0.5 + 1 / 128, 0.25 + 1 / 128, -0.25 + 1 / 128, 0.75 + 1 / 128, 1 / 128, 0.125 + 1 / 128],
            sparsity=False)
saelens_dir("topk_v6",
            {"architecture": "topk", "d_in": D_IN, "d_sae": D_SAE, "dtype": "float32", "k": 2,
             "rescale_acts_by_decoder_norm": True, "apply_b_dec_to_input": True, "normalize_activations": "none",
             "metadata": v6_meta},
            {"arch": "topk", "k": 2, "rescale_acts_by_decoder_norm": True}, "F32", 4)
saelens_dir("topk_pre6",
            {"architecture": "standard", "d_in": D_IN, "d_sae": D_SAE, "activation_fn_str": "topk",
             "activation_fn_kwargs": {"k": 3}, "apply_b_dec_to_input": True, "finetuning_scaling_factor": False,
             "context_size": 128, "model_name": "tiny", "hook_point": "blocks.0.hook_resid_pre", "hook_point_layer": 0,
             "dtype": "torch.float16", "device": "cpu", "normalize_activations": "layer_norm",
             "sae_lens_training_version": "3.13.0"},
            {"arch": "topk", "k": 3, "normalize_activations": "layer_norm"}, "F16", 6)
saelens_dir("standard_pre6_scaled",
            {"d_in": D_IN, "d_sae": D_SAE, "activation_fn_str": "relu", "apply_b_dec_to_input": True,
             "finetuning_scaling_factor": True, "hook_name": "blocks.1.hook_mlp_out", "model_name": "tiny",
             "dtype": "float32", "normalize_activations": "constant_norm_rescale"},
            {"arch": "standard", "normalize_activations": "constant_norm_rescale"}, "F32", 8,
            scale=[1.0, 0.5, 2.0, 1.5, 0.75, 1.25])
expected["saelens/inputs.npy"] = inputs

with open(os.path.join(OUT, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1, sort_keys=True)
    f.write("\n")
print("wrote", OUT)
