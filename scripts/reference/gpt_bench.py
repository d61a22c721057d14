#!/usr/bin/env python3
"""PyTorch reference for featurescope's language-model benchmarks (lm-train, lm-forward).

usage:
  gpt_bench.py make DIR [--layers L --d-model D --heads H --d-mlp F --vocab V --context C --seed S]
  gpt_bench.py bench-train [--layers 1 --d-model 128 --heads 4 --d-mlp 512 --context 64 --batch 32 --steps 200
                            --lr 1e-3 --seed S --threads 1]
  gpt_bench.py bench-forward DIR [--batch 1 --tokens 128 --steps 10 --seed S --threads 1]

`make` writes a random GPT-2 in the Hugging Face folder layout with gpt_reference.py (config.json and an F32
model.safetensors). The bench modes print one JSON line, then `tokens_per_s=NUMBER`, the figure scripts/bench-compare
reads. Each run pins OpenBLAS, OpenMP and torch to --threads threads before torch loads (featurescope's LM benchmarks
run on one thread).

What is timed, and how it matches `featurescope bench` (core/lm/LmBenchmarks.cpp, core/lm/GptTrainer.cpp):

bench-train: a byte-level GPT-2 (vocab 256, n_positions = context; by default 1 layer, d_model 128, 4 heads, MLP
512, context 64) trained with batch 32 on 2^20 uniformly random bytes made before the clock starts. Initialised like
featurescope: matrices normal(0, 0.02), the two residual projections of each block scaled by 1/sqrt(2 layers),
LayerNorm gains 1, biases 0. The clock runs from before the first step to after the last, with no untimed warm-up step
(featurescope has none either), and covers, per step: drawing `batch` random windows of context + 1 bytes, the
forward pass to full logits, the mean next-byte cross-entropy, backward, the global gradient norm with clipping to
1.0, a learning rate of linear warm-up over min(100, steps / 10) steps then cosine decay to a tenth, and
torch.optim.AdamW (betas 0.9 and 0.95, eps 1e-8, weight decay 0.1 on matrices and embeddings, none on gains and
biases), plus reading the loss back and checking that it and the norm are finite. tokens/s = steps x batch x context
/ seconds. Not reproduced: featurescope's copy of the weights after every good step (its divergence guard, under a
megabyte here).

bench-forward: the model in DIR (bench-compare makes a GPT-2-small shape: 12 layers, d_model 768, 12 heads, MLP 3072,
vocab 50257) run under torch.no_grad() on `batch` sequences of `tokens` random ids, to the full logits over the
vocabulary; one untimed run first, then `steps` timed runs on the same ids. tokens/s = steps x batch x tokens /
seconds. featurescope initialises its weights in memory rather than reading a file; the values do not change the work.

The forward pass is gpt_reference.run's equations, batched: pre-LayerNorm blocks, causal softmax attention with the
heads as a batch dimension, tanh-approximated GELU, logits tied to the token embedding.
"""
import argparse
import json
import math
import sys
import time

import blas_threads


def parse(argv):
    p = argparse.ArgumentParser(description="PyTorch timing reference for featurescope's lm-train and lm-forward")
    p.add_argument("mode", choices=["make", "bench-train", "bench-forward"])
    p.add_argument("dir", nargs="?", help="the model folder (make, bench-forward)")
    p.add_argument("--layers", type=int, default=1)
    p.add_argument("--d-model", type=int, default=128)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--d-mlp", type=int, default=512)
    p.add_argument("--vocab", type=int, default=256, help="make only; bench-train is byte-level")
    p.add_argument("--context", type=int, default=64, help="n_positions (make), window length (bench-train)")
    p.add_argument("--batch", type=int, default=None, help="default 32 (bench-train), 1 (bench-forward)")
    p.add_argument("--tokens", type=int, default=128, help="bench-forward: tokens per sequence")
    p.add_argument("--steps", type=int, default=None, help="default 200 (bench-train), 10 (bench-forward)")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)
    if args.mode != "bench-train" and not args.dir:
        p.error(f"{args.mode} needs a model folder")
    if args.batch is None:
        args.batch = 32 if args.mode == "bench-train" else 1
    if args.steps is None:
        args.steps = 200 if args.mode == "bench-train" else 10
    if min(args.layers, args.d_model, args.heads, args.d_mlp, args.vocab, args.context, args.batch, args.tokens,
           args.steps, args.threads) < 1 or args.d_model % args.heads:
        p.error("sizes must be positive and --heads must divide --d-model")
    return args


def forward(config, weights, ids):
    """ids [batch, tokens] (long) -> logits [batch * tokens, vocab]. Activations stay 2-D, one row per token."""
    F = torch.nn.functional
    width, heads = config["n_embd"], config["n_head"]
    eps = config.get("layer_norm_epsilon", 1e-5)
    batch, count = ids.shape
    head_dim = width // heads
    future = torch.ones(count, count, dtype=torch.bool).triu(1)

    def norm(x, name):
        return F.layer_norm(x, (width,), weights[name + ".weight"], weights[name + ".bias"], eps)

    def affine(x, name):  # Conv1D: weight [in, out]
        return torch.addmm(weights[name + ".bias"], x, weights[name + ".weight"])

    def split_heads(x):  # [batch * tokens, width] -> [batch, heads, tokens, head_dim]
        return x.reshape(batch, count, heads, head_dim).transpose(1, 2)

    stream = (weights["wte.weight"][ids] + weights["wpe.weight"][:count]).reshape(batch * count, width)
    for layer in range(config["n_layer"]):
        p = f"h.{layer}."
        q, k, v = (split_heads(t) for t in affine(norm(stream, p + "ln_1"), p + "attn.c_attn").split(width, dim=1))
        scores = (q @ k.transpose(2, 3)) / math.sqrt(head_dim)
        mixed = torch.softmax(scores.masked_fill(future, float("-inf")), dim=-1) @ v
        stream = stream + affine(mixed.transpose(1, 2).reshape(batch * count, width), p + "attn.c_proj")
        hidden = F.gelu(affine(norm(stream, p + "ln_2"), p + "mlp.c_fc"), approximate="tanh")
        stream = stream + affine(hidden, p + "mlp.c_proj")
    return norm(stream, "ln_f") @ weights["wte.weight"].T


def byte_model(args):
    """A vocab-256 model initialised the way featurescope's GptWeights::initialize does it."""
    config, weights = gpt_reference.random_model(args.layers, args.d_model, args.heads, args.d_mlp, 256, args.context,
                                                 args.seed)
    generator = torch.Generator().manual_seed(args.seed + 1)
    for name, tensor in weights.items():
        if tensor.dim() == 1:  # the only vectors named *.weight are LayerNorm gains: 1; every bias 0
            tensor.fill_(1.0 if name.endswith(".weight") else 0.0)
        else:
            std = 0.02 / (math.sqrt(2.0 * args.layers) if name.endswith("c_proj.weight") else 1.0)
            tensor.copy_(torch.randn(tensor.shape, generator=generator) * std)
        tensor.requires_grad_()
    return config, weights


def learning_rate(args, step, warmup):
    """featurescope's schedule: linear warm-up, then cosine from lr down to lr / 10."""
    if step < warmup:
        return args.lr * (step + 1) / warmup
    if args.steps <= warmup:
        return args.lr
    progress = min(1.0, (step - warmup) / max(1, args.steps - warmup - 1))
    floor = args.lr * 0.1
    return floor + 0.5 * (args.lr - floor) * (1.0 + math.cos(math.pi * progress))


def bench_train(args):
    F = torch.nn.functional
    config, weights = byte_model(args)
    matrices = [t for t in weights.values() if t.dim() == 2]
    vectors = [t for t in weights.values() if t.dim() == 1]
    optimizer = torch.optim.AdamW([{"params": matrices, "weight_decay": 0.1}, {"params": vectors, "weight_decay": 0.0}],
                                  lr=args.lr, betas=(0.9, 0.95), eps=1e-8)
    generator = torch.Generator().manual_seed(args.seed + 2)
    data = torch.randint(0, 256, (1 << 20,), generator=generator)
    offsets = torch.arange(args.context + 1)
    warmup = min(100, args.steps // 10)
    losses, diverged = [], False
    start = time.perf_counter()
    for step in range(args.steps):
        begins = torch.randint(0, len(data) - args.context - 1, (args.batch, 1), generator=generator)
        windows = data[begins + offsets]
        loss = F.cross_entropy(forward(config, weights, windows[:, :-1]), windows[:, 1:].reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        total_norm = torch.nn.utils.clip_grad_norm_(matrices + vectors, 1.0)
        value = loss.item()
        if not (math.isfinite(value) and math.isfinite(total_norm.item())):
            diverged = True
            break
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(args, step, warmup)
        optimizer.step()
        losses.append(value)
    seconds = time.perf_counter() - start
    steps = len(losses)
    tail = losses[-20:]
    return {"mode": "bench-train", "layers": args.layers, "d_model": args.d_model, "heads": args.heads,
            "d_mlp": args.d_mlp, "context": args.context, "batch": args.batch, "steps": steps, "seconds": seconds,
            "steps_per_s": steps / seconds, "tokens_per_s": steps * args.batch * args.context / seconds,
            "final_loss": sum(tail) / max(1, len(tail)), "diverged": diverged}


def bench_forward(args):
    config, weights = gpt_reference.load_model(args.dir)
    if args.tokens > config["n_positions"]:
        sys.exit(f"--tokens {args.tokens} is more than the model's n_positions ({config['n_positions']})")
    generator = torch.Generator().manual_seed(args.seed)
    ids = torch.randint(0, config["vocab_size"], (args.batch, args.tokens), generator=generator)
    with torch.no_grad():
        forward(config, weights, ids)  # untimed, as featurescope's warm-up run
        start = time.perf_counter()
        for _ in range(args.steps):
            forward(config, weights, ids)
        seconds = time.perf_counter() - start
    return {"mode": "bench-forward", "layers": config["n_layer"], "d_model": config["n_embd"],
            "heads": config["n_head"], "vocab": config["vocab_size"], "batch": args.batch, "tokens": args.tokens,
            "steps": args.steps, "seconds": seconds, "steps_per_s": args.steps / seconds,
            "tokens_per_s": args.steps * args.batch * args.tokens / seconds}


def main(argv):
    args = parse(argv)
    blas_threads.pin(args.threads)
    global torch, gpt_reference
    import torch  # after pinning: OpenBLAS reads its thread count when it loads
    import gpt_reference

    torch.set_num_threads(args.threads)
    if args.mode == "make":
        config, weights = gpt_reference.random_model(args.layers, args.d_model, args.heads, args.d_mlp, args.vocab,
                                                     args.context, args.seed)
        gpt_reference.save_model(args.dir, config, weights)
        print(json.dumps({"mode": "make", "dir": args.dir, "parameters": sum(t.numel() for t in weights.values())}))
        return
    result = bench_train(args) if args.mode == "bench-train" else bench_forward(args)
    result.update({"torch": torch.__version__, "threads": args.threads})
    print(json.dumps(result))
    print(f"tokens_per_s={result['tokens_per_s']:.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
