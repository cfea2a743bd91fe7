#!/usr/bin/env python3
"""The PyTorch peer of `recur bench`: the same shapes, the same fields.

Each shape trains (or, for the -infer shapes, runs inference with) torch.nn.LSTM (or GRU, or a
bidirectional LSTM whose last output is [forward at T-1, backward at 0], as Keras's) -> Linear on
synthetic random data of the right shape, with Adam and cross-entropy, exactly as `recur bench`
does, and prints samples/s, ms per batch, GFLOP/s and peak RSS. Every shape runs in a fresh
child process so its peak RSS is its own.

Install the peer with `apt-get install python3-torch libopenblas0-pthread`. Run it with OpenBLAS's
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset so OpenBLAS picks its best kernels for the CPU:
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 bench/peers/pytorch_lstm.py --json
Add OMP_WAIT_POLICY=PASSIVE for PyTorch's best on a small machine: Debian's PyTorch runs OpenMP threads
next to OpenBLAS's own, and by default the OpenMP threads spin after each parallel region, on the cores
OpenBLAS needs (2-4 times slower on 2 cores). bench/compare.sh runs both ways.

The two ragged shapes train the `rows` model on sequences of different lengths: each sequence's
length is drawn uniformly from 1..27 (mean 14, half of 28) with a fixed seed, its steps after that
length are zeros, and the classifier reads each sequence's last valid output.
    rows-ragged         PyTorch's packed path: pack_padded_sequence(x, lengths, batch_first=True,
                        enforce_sorted=False) inside each batch, the last valid output from h_n.
    rows-ragged-padded  the same padded batch without packing: all 28 steps are computed and the
                        output at step lengths[b] - 1 is gathered.

rows-stream is the rows-infer model on a stream: batch 1, fed one step at a time (x of [1, 1, 28]) through
the same nn.LSTM with its (h, c) carried from step to step (from zeros, never reset), each step's output
into the Linear layer, under torch.no_grad(). Its unit is a step: --batches N times N x 1000 steps,
samples_per_s is steps/s, ms_per_batch the ms per step, and it also prints us_per_step.

GFLOP/s counts the matrix products only (2 FLOPs per multiply-add), the same formula as
`recur bench` (see bench/README.md), with G gates (LSTM 4, GRU 3) and D directions (1 or 2):
    training:  D*2*T*B*GH*(2I + 3H) + 6*B*DH*C   per batch
    inference: D*2*T*B*GH*(I + H)   + 2*B*DH*C   per batch
T*B is the number of steps computed (1 per step for rows-stream): for rows-ragged the sum of the lengths (the valid steps only),
for rows-ragged-padded the full T*B. Both print mean_length, the mean length of their batches.
"""
import argparse
import json
import os
import subprocess
import sys
import time

# name: (mode, batch, steps, input, hidden[, cell, bidirectional, ragged])
SHAPES = {
    "rows": ("train", 128, 28, 28, 128),
    "rows-infer": ("infer", 1000, 28, 28, 128),
    "pixels": ("train", 128, 784, 1, 128),
    "wide": ("train", 256, 28, 28, 512),
    "gru-rows": ("train", 128, 28, 28, 128, "gru"),
    "gru-rows-infer": ("infer", 1000, 28, 28, 128, "gru"),
    "bi-rows": ("train", 128, 28, 28, 128, "lstm", True),
    "bi-rows-infer": ("infer", 1000, 28, 28, 128, "lstm", True),
    "pixels-infer": ("infer", 1000, 784, 1, 128),
    "wide-infer": ("infer", 1000, 28, 28, 512),
    "rows-stream": ("stream", 1, 28, 28, 128),
    "rows-ragged": ("train", 128, 28, 28, 128, "lstm", False, "packed"),
    "rows-ragged-padded": ("train", 128, 28, 28, 128, "lstm", False, "padded"),
}
CLASSES = 10
STREAM_STEPS_PER_BATCH = 1000  # a streaming shape times --batches x this many steps
DATA_BATCHES = 4  # distinct synthetic batches, cycled
RAGGED_MAX = 27  # ragged lengths are uniform in 1..RAGGED_MAX (mean 14)
RAGGED_SEED = 12  # their own generator, so every run and both ragged shapes draw the same lengths


def flops_per_batch(mode, b, t, i, h, cell="lstm", bidirectional=False, c=CLASSES, steps_computed=None):
    """steps_computed: the (sequence, step) pairs the recurrent layer computes, T*B unless given."""
    g = 3 if cell == "gru" else 4
    d = 2 if bidirectional else 1
    tb = t * b if steps_computed is None else steps_computed
    if mode == "stream":
        return flops_per_batch("infer", 1, 1, i, h, cell, bidirectional, c)
    if mode == "train":
        return d * 2 * tb * g * h * (2 * i + 3 * h) + 6 * b * d * h * c
    return d * 2 * tb * g * h * (i + h) + 2 * b * d * h * c


def peak_rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def run_shape(name, batches, warmup, threads, seed):
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    shape = SHAPES[name]
    mode, b, t, i, h, cell, bidirectional, ragged = shape + ("lstm", False, None)[len(shape) - 5:]
    rnn_class = torch.nn.GRU if cell == "gru" else torch.nn.LSTM
    lstm = rnn_class(i, h, batch_first=True, bidirectional=bidirectional)
    dense = torch.nn.Linear(2 * h if bidirectional else h, CLASSES)
    params = list(lstm.parameters()) + list(dense.parameters())

    def last(out):
        # Keras's last output of a bidirectional layer: forward after the whole sequence, backward after it too (step 0).
        return torch.cat([out[:, -1, :h], out[:, 0, h:]], dim=1) if bidirectional else out[:, -1, :]
    xs = [torch.randn(b, t, i) for _ in range(DATA_BATCHES)]
    ys = [torch.randint(0, CLASSES, (b,)) for _ in range(DATA_BATCHES)]
    lengths = None
    if ragged is not None:
        drawn = torch.Generator().manual_seed(RAGGED_SEED)
        lengths = [torch.randint(1, RAGGED_MAX + 1, (b,), generator=drawn) for _ in range(DATA_BATCHES)]
        for x, n in zip(xs, lengths):
            x.masked_fill_(torch.arange(t)[None, :, None] >= n[:, None, None], 0.0)  # zeros after the end
    rows = torch.arange(b)

    def features(k):
        """The classifier's input for batch k: [B, H] (or [B, 2H])."""
        x = xs[k % DATA_BATCHES]
        if ragged == "packed":
            packed = torch.nn.utils.rnn.pack_padded_sequence(
                x, lengths[k % DATA_BATCHES], batch_first=True, enforce_sorted=False)
            _, state = lstm(packed)
            hn = state[0] if isinstance(state, tuple) else state
            return hn[-1]  # each sequence's last valid output, in the batch's own order
        out, _ = lstm(x)
        if ragged == "padded":
            return out[rows, lengths[k % DATA_BATCHES] - 1]
        return last(out)

    if mode == "stream":
        steps = [x[:, s:s + 1, :].contiguous() for x in xs for s in range(t)]  # [1, 1, I] each, in order
        state = None

        def step(k):
            nonlocal state
            with torch.no_grad():
                for n in range(k * STREAM_STEPS_PER_BATCH, (k + 1) * STREAM_STEPS_PER_BATCH):
                    out, state = lstm(steps[n % len(steps)], state)
                    dense(out[:, -1, :])
    elif mode == "train":
        opt = torch.optim.Adam(params, lr=1e-3)
        loss_fn = torch.nn.CrossEntropyLoss()

        def step(k):
            opt.zero_grad()
            loss = loss_fn(dense(features(k)), ys[k % DATA_BATCHES])
            loss.backward()
            opt.step()
    else:
        def step(k):
            with torch.no_grad():
                dense(features(k))

    for k in range(warmup):
        step(k)
    start = time.perf_counter()
    for k in range(batches):
        step(k)
    elapsed = time.perf_counter() - start
    if mode == "stream":
        batches *= STREAM_STEPS_PER_BATCH  # the unit is a step of batch 1
    # The steps computed per batch, averaged over the batches timed.
    steps_computed = None
    if ragged == "packed":
        steps_computed = sum(int(lengths[k % DATA_BATCHES].sum()) for k in range(warmup, warmup + batches)) / batches
    result = {
        "shape": name,
        "mode": mode,
        "batch": b,
        "steps": t,
        "input": i,
        "hidden": h,
        "batches": batches,
        "threads": threads,
        "samples_per_s": b * batches / elapsed,
        "ms_per_batch": 1000.0 * elapsed / batches,
        "gflops": flops_per_batch(mode, b, t, i, h, cell, bidirectional, steps_computed=steps_computed)
        * batches / elapsed / 1e9,
        "peak_rss_mib": peak_rss_mib(),
    }
    if mode == "stream":
        result["us_per_step"] = 1e6 * elapsed / batches
    if ragged is not None:
        result["mean_length"] = float(torch.cat(lengths).float().mean())
    return result


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shape", action="append", help="shape(s) to run, repeatable or comma-separated: "
                   + ", ".join(SHAPES) + " (default: all)")
    p.add_argument("--batches", type=int, default=20, help="timed batches per shape (default 20)")
    p.add_argument("--warmup", type=int, default=3, help="untimed batches first (default 3)")
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", action="store_true", help="print one JSON document instead of a table")
    p.add_argument("--in-process", action="store_true",
                   help="run the shapes in this process (peak RSS then covers every shape so far)")
    args = p.parse_args()

    names = []
    for item in args.shape or [",".join(SHAPES)]:
        for name in item.split(","):
            name = name.strip()
            if name not in SHAPES:
                p.error(f"unknown shape '{name}'; choose from {', '.join(SHAPES)}")
            names.append(name)
    if args.batches < 1 or args.warmup < 0 or args.threads < 1:
        p.error("--batches and --threads must be at least 1, --warmup at least 0")

    results = []
    for name in names:
        if args.in_process:
            results.append(run_shape(name, args.batches, args.warmup, args.threads, args.seed))
        else:
            cmd = [sys.executable, os.path.abspath(__file__), "--in-process", "--json", "--shape", name,
                   "--batches", str(args.batches), "--warmup", str(args.warmup),
                   "--threads", str(args.threads), "--seed", str(args.seed)]
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            results.extend(json.loads(out)["results"])

    import torch
    doc = {"engine": "pytorch", "version": torch.__version__, "results": results}
    if args.json:
        print(json.dumps(doc, indent=2))
        return
    print(f"PyTorch {torch.__version__}, {args.threads} threads")
    print(f"{'shape':<18} {'mode':<5} {'samples/s':>10} {'ms/batch':>9} {'GFLOP/s':>8} {'peak RSS MiB':>12}")
    for r in results:
        print(f"{r['shape']:<18} {r['mode']:<5} {r['samples_per_s']:>10.0f} {r['ms_per_batch']:>9.2f} "
              f"{r['gflops']:>8.1f} {r['peak_rss_mib']:>12.0f}")


if __name__ == "__main__":
    main()
