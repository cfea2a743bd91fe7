#!/usr/bin/env python3
"""Loads a saved Recur LSTM classifier into torch.nn.LSTM + torch.nn.Linear and reproduces its outputs.

A Recur model directory (Sequential.Save: config.json + model.safetensors) whose layers are one LSTM
(last step only) and one Dense is read with json and tools/check_safetensors.py (json + struct +
torch.frombuffer, no safetensors package). The weights go into PyTorch unchanged except for the bias:
Recur keeps one LSTM bias [4H] and TensorFlow 1's forget_bias constant, PyTorch two biases, so

    bias_ih = lstm.bias with forget_bias added to the forget quarter [H:2H]   (gate order i, f, g, o)
    bias_hh = 0

Then PyTorch runs the inputs stored in PREDICTIONS (a safetensors file with "x" [N, T, I] and Recur's
"logits" [N, C], as examples/KerasMnist writes it) and the largest difference is printed. A Dense with
Activation Softmax gets torch.softmax after the Linear.

Usage:
    check_lstm_roundtrip.py MODEL_DIR PREDICTIONS [--tolerance 1e-5]

Exit status: 0 when every output agrees within the tolerance, 1 otherwise or on a bad file.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_safetensors import SafeTensorsError, read_safetensors  # noqa: E402


def layers_of(config):
    """(lstm, dense) descriptions from config.json: v3's {"class_name", "config"}, v2's flattened configs and "type" entries alike."""
    found = []
    for entry in config.get("layers", []):
        kind = entry.get("class_name") or entry.get("type")
        nested = isinstance(entry.get("config"), dict)
        args = entry["config"] if nested else entry  # v3 nests the arguments; before, they sat beside class_name or type
        if kind in ("LSTM", "Lstm"):
            found.append(("lstm", args["name"], {
                # v3 records default to Keras's (no constant forget bias); v2's LstmLayer defaulted to 1.0
                "forget_bias": float(args.get("forget_bias", 0.0 if nested else 1.0)),
                "return_sequences": bool(args.get("return_sequences", False)),
            }))
        elif kind == "Dense":
            found.append(("dense", args["name"], {"activation": args.get("activation", "linear")}))
        else:
            raise ValueError(f"layer {entry.get('name')!r} of type {kind!r}: this check handles one LSTM followed by one Dense")
    if [k for k, _, _ in found] != ["lstm", "dense"] or found[0][2]["return_sequences"]:
        raise ValueError("the model must be LSTM (last step) -> Dense; got " + ", ".join(f"{n} ({k})" for k, n, _ in found))
    return found[0], found[1]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model_dir", metavar="MODEL_DIR")
    ap.add_argument("predictions", metavar="PREDICTIONS")
    ap.add_argument("--tolerance", type=float, default=1e-5)
    args = ap.parse_args(argv)

    import torch

    torch.set_num_threads(1)
    try:
        with open(os.path.join(args.model_dir, "config.json"), encoding="utf-8") as f:
            config = json.load(f)
        if config.get("format") != "recur.sequential":
            raise ValueError("config.json is not a Recur model configuration")
        (_, lstm_name, lstm_cfg), (_, dense_name, dense_cfg) = layers_of(config)
        weights, _ = read_safetensors(os.path.join(args.model_dir, "model.safetensors"))
        data, _ = read_safetensors(args.predictions)
    except (OSError, ValueError, KeyError, SafeTensorsError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1

    w_ih, w_hh, bias = weights[f"{lstm_name}.weight_ih"], weights[f"{lstm_name}.weight_hh"], weights[f"{lstm_name}.bias"]
    hidden, inputs = w_hh.shape[1], w_ih.shape[1]
    lstm = torch.nn.LSTM(inputs, hidden, batch_first=True)
    linear = torch.nn.Linear(hidden, weights[f"{dense_name}.weight"].shape[0], bias=f"{dense_name}.bias" in weights)
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(w_ih)
        lstm.weight_hh_l0.copy_(w_hh)
        b = bias.clone()
        b[hidden:2 * hidden] += lstm_cfg["forget_bias"]
        lstm.bias_ih_l0.copy_(b)
        lstm.bias_hh_l0.zero_()
        linear.weight.copy_(weights[f"{dense_name}.weight"])
        if linear.bias is not None:
            linear.bias.copy_(weights[f"{dense_name}.bias"])

        x, expected = data["x"], data["logits"]
        out, _ = lstm(x)
        y = linear(out[:, -1, :])
        if str(dense_cfg["activation"]).lower() == "softmax":
            y = torch.softmax(y, dim=-1)

    diff = (y - expected).abs().max().item()
    agree = (y.argmax(1) == expected.argmax(1)).float().mean().item()
    print(f"{lstm_name}: torch.nn.LSTM({inputs}, {hidden}), forget_bias {lstm_cfg['forget_bias']} folded into bias_ih[{hidden}:{2 * hidden}]; "
          f"{dense_name}: torch.nn.Linear({hidden}, {linear.out_features})")
    print(f"{x.shape[0]} sequences of {x.shape[1]}x{x.shape[2]}: max |torch - recur| = {diff:.3g} "
          f"(tolerance {args.tolerance:g}); same arg-max on {agree:.0%}")
    if not diff <= args.tolerance:
        print("error: outputs differ by more than the tolerance", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
