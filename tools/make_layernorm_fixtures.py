#!/usr/bin/env python3
"""Write the PyTorch reference fixtures of the layer-normalised LSTM and GRU cells.

Run from anywhere (paths are relative to this file):

    python3 tools/make_layernorm_fixtures.py

Same format, settings and guarantees as make_fixtures.py, whose writer it uses: float32, one
thread, a fixed seed per fixture, sorted keys, every float the exact decimal of its float32
value, so rerunning it rewrites byte-identical files. torch.nn has no layer-normalised LSTM or
GRU (pytorch/pytorch#12167), so each fixture writes the equations of Recur's Lstm and Gru
(layerNorm: true) with torch ops — torch.nn.functional.layer_norm over the whole 4H (3H)
products, as Ba, Kiros and Hinton 2016 §3.3 and PyTorch's own benchmarks/fastrnns LayerNormLSTMCell
do — and differentiates them with autograd. Gains and shifts are drawn away from 1 and 0 so their
gradients and their effect are both tested. "dy"-style tensors are upstream gradients, the loss
being sum(y * dy) + sum(hn * dhn) (+ sum(cn * dcn) for the LSTM).
"""

import sys

import torch
import torch.nn.functional as F

from make_fixtures import grad_of, randn, write_fixture

EPSILON = 1e-5


def layer_norm(v, gain, shift):
    return F.layer_norm(v, v.shape[-1:], gain, shift, EPSILON)


def ln_lstm(x, h, c, p, forget_bias):
    """Recur's LN-LSTM, gates i, f, g, o: a = LN(x W_ih^T) + LN(h W_hh^T) + bias; h = o tanh(LN(c))."""
    hidden = h.shape[1]
    ys = []
    for t in range(x.shape[1]):
        a = (layer_norm(x[:, t] @ p["weight_ih"].t(), p["ln_ih_gain"], p["ln_ih_shift"])
             + layer_norm(h @ p["weight_hh"].t(), p["ln_hh_gain"], p["ln_hh_shift"]) + p["bias"])
        i, f, g, o = a.split(hidden, dim=1)
        c = torch.sigmoid(f + forget_bias) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(layer_norm(c, p["ln_c_gain"], p["ln_c_shift"]))
        ys.append(h)
    return torch.stack(ys, dim=1), h, c


def ln_gru(x, h, p):
    """Recur's LN-GRU, gates r, z, n, PyTorch's reset placement (linear before reset):
    a_x = LN(x W_ih^T) + bias_ih, a_h = LN(h W_hh^T) + bias_hh,
    r = sigmoid(a_x,r + a_h,r), z = sigmoid(a_x,z + a_h,z), n = tanh(a_x,n + r a_h,n), h = (1 - z) n + z h."""
    hidden = h.shape[1]
    ys = []
    for t in range(x.shape[1]):
        ax = layer_norm(x[:, t] @ p["weight_ih"].t(), p["ln_ih_gain"], p["ln_ih_shift"]) + p["bias_ih"]
        ah = layer_norm(h @ p["weight_hh"].t(), p["ln_hh_gain"], p["ln_hh_shift"]) + p["bias_hh"]
        xr, xz, xn = ax.split(hidden, dim=1)
        hr, hz, hn = ah.split(hidden, dim=1)
        r = torch.sigmoid(xr + hr)
        z = torch.sigmoid(xz + hz)
        n = torch.tanh(xn + r * hn)
        h = (1 - z) * n + z * h
        ys.append(h)
    return torch.stack(ys, dim=1), h


def make(name, kind, sizes, seed, initial_state, last_only, forget_bias, description):
    I, H, B, T = sizes
    P = 4 * H if kind == "lstm" else 3 * H
    torch.manual_seed(seed)
    p = {"weight_ih": randn(P, I, scale=0.5), "weight_hh": randn(P, H, scale=0.5)}
    if kind == "lstm":
        p["bias"] = randn(P, scale=0.5)
    else:
        p["bias_ih"] = randn(P, scale=0.5)
        p["bias_hh"] = randn(P, scale=0.5)
    for part, size in [("ih", P), ("hh", P)] + ([("c", H)] if kind == "lstm" else []):
        p[f"ln_{part}_gain"] = 1 + randn(size, scale=0.3)
        p[f"ln_{part}_shift"] = randn(size, scale=0.3)
    for v in p.values():
        v.requires_grad_(True)
    x = randn(B, T, I).requires_grad_(True)
    h0 = (randn(B, H, scale=0.5) if initial_state else torch.zeros(B, H)).requires_grad_(True)
    c0 = (randn(B, H, scale=0.5) if initial_state else torch.zeros(B, H)).requires_grad_(True)

    if kind == "lstm":
        y, hn, cn = ln_lstm(x, h0, c0, p, forget_bias)
    else:
        y, hn = ln_gru(x, h0, p)
    dy = randn(B, H) if last_only else randn(B, T, H)
    if last_only:
        y = y[:, -1]
        loss = (y * dy).sum()
    else:
        dhn = randn(B, H)
        loss = (y * dy).sum() + (hn * dhn).sum()
        if kind == "lstm":
            dcn = randn(B, H)
            loss = loss + (cn * dcn).sum()
    loss.backward()

    config = {"input_size": I, "hidden_size": H, "batch": B, "steps": T, "epsilon": EPSILON}
    if kind == "lstm":
        config["forget_bias"] = forget_bias
    tensors = {k: v.detach() for k, v in p.items()}
    tensors.update({"d" + k: grad_of(v) for k, v in p.items()})
    tensors.update({"x": x.detach(), "hn": hn.detach(), "dx": grad_of(x)})
    if kind == "lstm":
        tensors["cn"] = cn.detach()
    if last_only:
        tensors.update({"y_last": y.detach(), "dy_last": dy})
    else:
        tensors.update({"y": y.detach(), "dy": dy, "dhn": dhn})
        if kind == "lstm":
            tensors["dcn"] = dcn
    if initial_state:
        tensors.update({"h0": h0.detach(), "dh0": grad_of(h0)})
        if kind == "lstm":
            tensors.update({"c0": c0.detach(), "dc0": grad_of(c0)})
    return write_fixture(name, description, config, tensors)


def check_plain_limit():
    """With ones for gains and zeros for shifts and eps -> the formulas still run; a sanity check that
    ln_gru's cell is torch.nn.GRU's cell when the normalisations are replaced by the identity."""
    torch.manual_seed(1)
    I, H, B, T = 3, 4, 2, 5
    module = torch.nn.GRU(I, H, batch_first=True)
    x = randn(B, T, I)
    global layer_norm
    saved = layer_norm
    layer_norm = lambda v, gain, shift: v  # noqa: E731
    try:
        p = {"weight_ih": module.weight_ih_l0, "weight_hh": module.weight_hh_l0,
             "bias_ih": module.bias_ih_l0, "bias_hh": module.bias_hh_l0,
             "ln_ih_gain": None, "ln_ih_shift": None, "ln_hh_gain": None, "ln_hh_shift": None}
        y, _ = ln_gru(x, torch.zeros(B, H), p)
    finally:
        layer_norm = saved
    expected, _ = module(x)
    assert torch.allclose(y, expected, rtol=0, atol=1e-6)
    print("ln_gru without its normalisations is torch.nn.GRU to 1e-6")


def main():
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}")
    check_plain_limit()
    total = 0
    total += make(
        "lstm_layernorm_state.json", "lstm", (5, 4, 3, 6), 12012, True, False, 0.0,
        "Recur's layer-normalised LSTM (LN over the 4H input and recurrent products apart and over c "
        "before its tanh; gates i, f, g, o; one bias; forget bias 0) in torch ops, run on x with "
        "initial state (h0, c0); gradients of sum(y*dy) + sum(hn*dhn) + sum(cn*dcn).")
    total += make(
        "lstm_layernorm_nostate.json", "lstm", (3, 6, 4, 5), 13013, False, True, 1.0,
        "Recur's layer-normalised LSTM with forget bias 1, from a zero state, only the last step's "
        "output used; gradients of sum(y[:, -1]*dy_last).")
    total += make(
        "gru_layernorm_state.json", "gru", (5, 4, 3, 6), 14014, True, False, 0.0,
        "Recur's layer-normalised GRU (LN over the 3H input and recurrent products apart, then the "
        "biases; gates r, z, n; PyTorch's linear-before-reset) in torch ops, run on x with initial "
        "state h0; gradients of sum(y*dy) + sum(hn*dhn).")
    total += make(
        "gru_layernorm_nostate.json", "gru", (3, 6, 4, 5), 15015, False, True, 0.0,
        "Recur's layer-normalised GRU from a zero state, only the last step's output used; "
        "gradients of sum(y[:, -1]*dy_last).")
    print(f"all checks passed; {total} bytes in total")
    return 0


if __name__ == "__main__":
    sys.exit(main())
