#!/usr/bin/env python3
"""A small, independent GPT-2 forward pass in PyTorch, used to make featurescope's golden test data.

It reads and writes the Hugging Face GPT-2 folder layout without the transformers library (config.json and an
F32 model.safetensors; Conv1D weights are [in, out]; the unembedding is the token embedding transposed) and
records activations under TransformerLens's hook names. docs/LANGUAGE_MODELS.md states the equations.
"""
import json
import math
import os
import struct

import torch


def save_safetensors(path, tensors):
    """F32 only: an 8-byte little-endian header length, the JSON header (space-padded to 8 bytes), the data."""
    header, chunks, position = {}, [], 0
    for name, value in tensors.items():
        data = value.detach().to(torch.float32).contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(value.shape), "data_offsets": [position, position + len(data)]}
        chunks.append(data)
        position += len(data)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def load_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (length,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + length])
    data = blob[8 + length:]
    result = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if entry["dtype"] != "F32":
            raise ValueError(f"{path}: {name} is {entry['dtype']}; this reference reads F32 only")
        begin, end = entry["data_offsets"]
        flat = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.float32)
        result[name] = flat.reshape(entry["shape"]).clone()
    return result


def load_model(folder):
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    raw = load_safetensors(os.path.join(folder, "model.safetensors"))
    weights = {(k[12:] if k.startswith("transformer.") else k): v for k, v in raw.items()}
    return config, weights


def random_model(layers, width, heads, inner, vocab, positions, seed):
    """Random weights of the given shape; LayerNorm gains and biases are randomised so a loader that skips them
    gives different numbers."""
    generator = torch.Generator().manual_seed(seed)

    def normal(*shape, scale=0.02):
        return torch.randn(*shape, generator=generator) * scale

    weights = {"wte.weight": normal(vocab, width), "wpe.weight": normal(positions, width, scale=0.01)}
    for layer in range(layers):
        p = f"h.{layer}."
        for norm in ("ln_1", "ln_2"):
            weights[p + norm + ".weight"] = 1 + normal(width, scale=0.1)
            weights[p + norm + ".bias"] = normal(width, scale=0.1)
        shapes = {"attn.c_attn": (width, 3 * width), "attn.c_proj": (width, width),
                  "mlp.c_fc": (width, inner), "mlp.c_proj": (inner, width)}
        for name, (rows, cols) in shapes.items():
            weights[p + name + ".weight"] = normal(rows, cols, scale=0.2 / math.sqrt(rows))
            weights[p + name + ".bias"] = normal(cols, scale=0.05)
    weights["ln_f.weight"] = 1 + normal(width, scale=0.1)
    weights["ln_f.bias"] = normal(width, scale=0.1)
    config = {"model_type": "gpt2", "n_layer": layers, "n_embd": width, "n_head": heads, "n_inner": inner,
              "vocab_size": vocab, "n_positions": positions, "layer_norm_epsilon": 1e-5,
              "activation_function": "gelu_new"}
    return config, weights


def save_model(folder, config, weights):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=1)
    save_safetensors(os.path.join(folder, "model.safetensors"), weights)


def _gelu_tanh(z):
    return 0.5 * z * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (z + 0.044715 * z.pow(3))))


def run(config, weights, ids):
    """ids: a list of ints (one sequence). Returns (logits [T, V], mean next-token loss or None, {hook: [T, w]})."""
    width, heads = config["n_embd"], config["n_head"]
    eps = config.get("layer_norm_epsilon", 1e-5)
    head_dim = width // heads
    tokens = torch.tensor(ids, dtype=torch.long)
    count = len(ids)
    acts = {}

    def norm(x, prefix):
        return torch.nn.functional.layer_norm(x, (width,), weights[prefix + ".weight"], weights[prefix + ".bias"], eps)

    def conv(x, prefix):
        return x @ weights[prefix + ".weight"] + weights[prefix + ".bias"]

    stream = weights["wte.weight"][tokens] + weights["wpe.weight"][:count]
    causal = torch.ones(count, count).tril().bool()
    for layer in range(config["n_layer"]):
        p = f"h.{layer}."
        name = f"blocks.{layer}."
        acts[name + "hook_resid_pre"] = stream.clone()
        q, k, v = conv(norm(stream, p + "ln_1"), p + "attn.c_attn").split(width, dim=-1)
        outputs = []
        for h in range(heads):
            cols = slice(h * head_dim, (h + 1) * head_dim)
            scores = (q[:, cols] @ k[:, cols].T) / math.sqrt(head_dim)
            pattern = torch.softmax(scores.masked_fill(~causal, float("-inf")), dim=-1)
            outputs.append(pattern @ v[:, cols])
        attn_out = conv(torch.cat(outputs, dim=-1), p + "attn.c_proj")
        acts[name + "hook_attn_out"] = attn_out
        stream = stream + attn_out
        acts[name + "hook_resid_mid"] = stream.clone()
        pre = conv(norm(stream, p + "ln_2"), p + "mlp.c_fc")
        post = _gelu_tanh(pre)
        mlp_out = conv(post, p + "mlp.c_proj")
        acts[name + "mlp.hook_pre"], acts[name + "mlp.hook_post"], acts[name + "hook_mlp_out"] = pre, post, mlp_out
        stream = stream + mlp_out
        acts[name + "hook_resid_post"] = stream.clone()
    final = norm(stream, "ln_f")
    acts["ln_final.hook_normalized"] = final
    logits = final @ weights["wte.weight"].T
    loss = None
    if count > 1:
        loss = torch.nn.functional.cross_entropy(logits[:-1], tokens[1:]).item()
    return logits, loss, acts
