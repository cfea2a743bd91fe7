#!/usr/bin/env python3
"""Checks Recur's PyTorch state dicts both ways against PyTorch 1.13, on real outputs of both.

For each case (LSTM, GRU, RNN tanh and relu, two layers, bidirectional, a Linear head, an Embedding
front; some with Recur's constant LSTM forget bias of 1) it builds a torch model and the same
architecture as a Recur config.json, then:

  import  torch model A with random weights -> state_dict() as safetensors -> `recur import --pytorch
          --like DIR --out DIR --names ...` -> `recur predict --input x.npy --output y.npy`; compared with A(x).
  export  a Recur model with its own random weights (the imported directory's tensor names and shapes,
          fresh values) -> `recur export --pytorch FILE --names ...` -> a fresh torch model B,
          B.load_state_dict(that file, strict=True) -> B(x); compared with `recur predict --output`.

The safetensors files are written and read here with struct + json (check_safetensors.py), not the
safetensors package. The largest difference of each case and direction is printed.

Usage (build first: dotnet build Recur.slnx -c Release):
    /usr/bin/python3 tools/check_pytorch_roundtrip.py [--recur "dotnet src/Recur.Cli/bin/Release/net10.0/Recur.Cli.dll"] [--tolerance 1e-5] [--keep DIR]

Exit status: 0 when every difference is within the tolerance, 1 otherwise or when a command fails.
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_safetensors import read_safetensors  # noqa: E402
from make_pytorch_state_fixtures import write_safetensors  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DEFAULT_RECUR = f"dotnet {REPO / 'src' / 'Recur.Cli' / 'bin' / 'Release' / 'net10.0' / 'Recur.Cli.dll'}"

# name, kind, nonlinearity, layers, bidirectional, every step, vocabulary (0: no Embedding), Recur's LSTM forget bias
CASES = [
    ("lstm", "lstm", None, 1, False, False, 0, 0.0),
    ("lstm_forget_bias_1", "lstm", None, 1, False, False, 0, 1.0),
    ("gru", "gru", None, 1, False, False, 0, 0.0),
    ("rnn_tanh", "rnn", "tanh", 1, False, False, 0, 0.0),
    ("rnn_relu", "rnn", "relu", 1, False, False, 0, 0.0),
    ("lstm_2_layers", "lstm", None, 2, False, False, 0, 1.0),
    ("bilstm", "lstm", None, 1, True, False, 0, 0.0),
    ("bigru_2_layers_steps", "gru", None, 2, True, True, 0, 0.0),
    ("embedding_birnn_relu", "rnn", "relu", 2, True, False, 20, 0.0),
    ("embedding_lstm_steps", "lstm", None, 1, False, True, 20, 1.0),
]
BATCH, STEPS, FEATURES, HIDDEN, CLASSES = 4, 7, 5, 8, 3


class Net(torch.nn.Module):
    """Embedding (optional) -> nn.LSTM/GRU/RNN as `rnn` -> nn.Linear as `fc`, on Recur's outputs:
    every step, or the last output — out[:, -1] (= h_n[-1]) one way, [out[:, -1, :H], out[:, 0, H:]] bidirectional."""

    def __init__(self, kind, nonlinearity, layers, bidirectional, steps, vocabulary):
        super().__init__()
        self.steps, self.bidirectional = steps, bidirectional
        self.emb = torch.nn.Embedding(vocabulary, FEATURES) if vocabulary else None
        extra = {"nonlinearity": nonlinearity} if kind == "rnn" else {}
        module = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[kind]
        self.rnn = module(FEATURES, HIDDEN, num_layers=layers, batch_first=True, bidirectional=bidirectional, **extra)
        self.fc = torch.nn.Linear(HIDDEN * (2 if bidirectional else 1), CLASSES)

    def forward(self, x):
        if self.emb is not None:
            x = self.emb(x.long())
        out, _ = self.rnn(x)
        if not self.steps:
            out = torch.cat([out[:, -1, :HIDDEN], out[:, 0, HIDDEN:]], dim=1) if self.bidirectional else out[:, -1]
        return self.fc(out)


def recur_config(kind, nonlinearity, layers, bidirectional, steps, vocabulary, forget_bias):
    """The same architecture as Recur's config.json; layers named so that --names rnn=recurrent,fc=head,emb=embedding is needed."""
    entries = []
    if vocabulary:
        entries.append({"class_name": "Embedding", "config": {"name": "embedding", "input_dim": vocabulary, "output_dim": FEATURES}})
    for k in range(layers):
        args = {"units": HIDDEN, "return_sequences": steps or k + 1 < layers}
        if kind == "lstm":
            args.update(forget_bias=forget_bias, unit_forget_bias=False)
        if kind == "rnn":
            args["activation"] = nonlinearity
        layer = {"class_name": {"lstm": "LSTM", "gru": "GRU", "rnn": "SimpleRNN"}[kind], "config": args}
        if bidirectional:
            layer = {"class_name": "Bidirectional", "config": {"layer": layer, "merge": "concat"}}
        if k == 0:
            layer["config"]["name"] = "recurrent"
        entries.append(layer)
    entries.append({"class_name": "Dense", "config": {"name": "head", "units": CLASSES}})
    return {"format": "recur.sequential", "version": 3, "name": "check", "seed": 1,
            "input_shape": [STEPS] if vocabulary else [STEPS, FEATURES], "layers": entries, "metadata": {}}


def randomize(module, generator):
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=generator) * 0.5)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--recur", default=DEFAULT_RECUR, help="the command that runs recur (default: the Release build's Recur.Cli.dll)")
    ap.add_argument("--tolerance", type=float, default=1e-5)
    ap.add_argument("--keep", help="write the files into this directory and keep them (default: a temporary one)")
    args = ap.parse_args(argv)
    recur = shlex.split(args.recur)
    torch.set_num_threads(1)

    def run(*words):
        done = subprocess.run(recur + list(words), capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"recur {' '.join(words)} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")

    with tempfile.TemporaryDirectory() as temporary:
        root = Path(args.keep or temporary)
        worst = 0.0
        for n, (name, kind, nonlinearity, layers, bidirectional, steps, vocabulary, forget_bias) in enumerate(CASES):
            work = root / name
            (work / "like").mkdir(parents=True, exist_ok=True)
            generator = torch.Generator().manual_seed(1000 + n)
            x = torch.randint(0, vocabulary, (BATCH, STEPS), generator=generator).float() if vocabulary \
                else torch.randn(BATCH, STEPS, FEATURES, generator=generator)
            np.save(work / "x.npy", x.numpy().astype(np.float32))
            names = "rnn=recurrent,fc=head" + (",emb=embedding" if vocabulary else "")
            config = recur_config(kind, nonlinearity, layers, bidirectional, steps, vocabulary, forget_bias)
            (work / "like" / "config.json").write_text(json.dumps(config, indent=1))

            # import: torch's weights into Recur
            a = Net(kind, nonlinearity, layers, bidirectional, steps, vocabulary)
            randomize(a, generator)
            write_safetensors(work / "torch.safetensors", a.state_dict())
            run("import", "--pytorch", str(work / "torch.safetensors"), "--like", str(work / "like"), "--out", str(work / "imported"), "--names", names)
            run("predict", "--model", str(work / "imported"), "--input", str(work / "x.npy"), "--output", str(work / "imported.npy"))
            with torch.no_grad():
                expected = a(x)
            got = torch.from_numpy(np.load(work / "imported.npy"))
            assert got.shape == expected.shape, (name, got.shape, expected.shape)
            imported = (got - expected).abs().max().item()

            # export: Recur's own weights (its tensor names, fresh values) into torch
            own = work / "own"
            own.mkdir(exist_ok=True)
            recur_weights, _ = read_safetensors(work / "imported" / "model.safetensors")
            write_safetensors(own / "model.safetensors", {k: torch.randn(v.shape, generator=generator) * 0.5 for k, v in recur_weights.items()})
            saved = json.loads((work / "imported" / "config.json").read_text())
            saved.pop("files", None)  # the weights are new: no recorded length and CRC to check them against
            (own / "config.json").write_text(json.dumps(saved, indent=1))
            run("export", "--model", str(own), "--pytorch", str(work / "exported.safetensors"), "--names", names)
            run("predict", "--model", str(own), "--input", str(work / "x.npy"), "--output", str(work / "own.npy"))
            b = Net(kind, nonlinearity, layers, bidirectional, steps, vocabulary)
            state, _ = read_safetensors(work / "exported.safetensors")
            b.load_state_dict(state, strict=True)
            with torch.no_grad():
                expected = b(x)
            got = torch.from_numpy(np.load(work / "own.npy"))
            assert got.shape == expected.shape, (name, got.shape, expected.shape)
            exported = (got - expected).abs().max().item()

            worst = max(worst, imported, exported)
            flag = "" if max(imported, exported) <= args.tolerance else "   <-- above the tolerance"
            print(f"{name:24s} import max |diff| {imported:.2e}   export max |diff| {exported:.2e}   output {list(got.shape)}{flag}")

    print(f"largest difference {worst:.2e} (tolerance {args.tolerance:.0e}): {'ok' if worst <= args.tolerance else 'FAILED'}")
    return 0 if worst <= args.tolerance else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, AssertionError, OSError) as e:
        print(f"check_pytorch_roundtrip: {e}", file=sys.stderr)
        sys.exit(1)
