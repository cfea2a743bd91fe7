#!/usr/bin/env python3
"""Write the PyTorch reference fixtures of the GRU and simple RNN layers.

Run from anywhere (paths are relative to this file):

    python3 tools/make_rnn_fixtures.py

Same format, settings and guarantees as make_fixtures.py, whose writer it uses: float32, one
thread, a fixed seed per fixture, sorted keys, every float the exact decimal of its float32
value, so rerunning it rewrites byte-identical files. Each fixture runs torch.nn.GRU or
torch.nn.RNN (batch_first=True, one layer) on fixed random weights and inputs; "dy"-style
tensors are upstream gradients, the autograd loss being sum(y * dy) + sum(hn * dhn).
"""

import sys

import torch

from make_fixtures import grad_of, randn, write_fixture


def set_weights(module, tensors):
    with torch.no_grad():
        for name, value in tensors.items():
            getattr(module, name + "_l0").copy_(value)


def gru_manual(x, h0, weight_ih, weight_hh, bias_ih, bias_hh):
    """The formulas of Recur's Gru doc comment, gates r, z, n; x: [B, T, I] -> y [B, T, H], hn."""
    hidden = weight_hh.shape[1]
    h = h0
    ys = []
    for t in range(x.shape[1]):
        gx = x[:, t] @ weight_ih.t() + bias_ih
        gh = h @ weight_hh.t() + bias_hh
        xr, xz, xn = gx.split(hidden, dim=1)
        hr, hz, hn = gh.split(hidden, dim=1)
        r = torch.sigmoid(xr + hr)
        z = torch.sigmoid(xz + hz)
        n = torch.tanh(xn + r * hn)
        h = (1 - z) * n + z * h
        ys.append(h)
    return torch.stack(ys, dim=1), h


def make_recurrent(name, kind, nonlinearity, sizes, seed, initial_state, last_only, description):
    """One fixture of torch.nn.GRU (kind "gru") or torch.nn.RNN (kind "rnn")."""
    I, H, B, T = sizes
    gates = 3 * H if kind == "gru" else H
    torch.manual_seed(seed)
    weights = {
        "weight_ih": randn(gates, I, scale=0.5),
        "weight_hh": randn(gates, H, scale=0.5),
        "bias_ih": randn(gates, scale=0.5),
        "bias_hh": randn(gates, scale=0.5),
    }
    x = randn(B, T, I).requires_grad_(True)
    h0 = randn(B, H, scale=0.5).requires_grad_(True) if initial_state else None
    dy = randn(B, H) if last_only else randn(B, T, H)
    dhn = None if last_only else randn(B, H)

    if kind == "gru":
        module = torch.nn.GRU(I, H, batch_first=True)
    else:
        module = torch.nn.RNN(I, H, nonlinearity=nonlinearity, batch_first=True)
    set_weights(module, weights)
    y, hn = module(x, None if h0 is None else h0.unsqueeze(0))
    hn = hn.squeeze(0)
    assert torch.equal(y[:, -1], hn), "last output != hn"
    if last_only:
        y = y[:, -1]
        loss = (y * dy).sum()
    else:
        loss = (y * dy).sum() + (hn * dhn).sum()
    loss.backward()

    if kind == "gru":
        # The doc comment's formulas are torch.nn.GRU's.
        ym, hm = gru_manual(x.detach(), torch.zeros(B, H) if h0 is None else h0.detach(), **weights)
        assert torch.allclose(ym[:, -1] if last_only else ym, y, rtol=0, atol=1e-6)
        assert torch.allclose(hm, hn, rtol=0, atol=1e-6)
        print(f"{name}: the documented GRU formulas match torch.nn.GRU to 1e-6")
    else:
        # Both RNN biases get the same gradient, so Recur's single bias gets it too.
        g_ih, g_hh = module.bias_ih_l0.grad, module.bias_hh_l0.grad
        assert torch.allclose(g_ih, g_hh, rtol=1e-6, atol=1e-6), "bias_ih grad != bias_hh grad"
    if nonlinearity == "relu":
        # Some units must be cut off and some not, or the fixture tests only half of relu.
        dead = (y.detach() == 0).float().mean().item()
        assert 0.1 < dead < 0.9, dead
        print(f"{name}: {dead:.0%} of the outputs are relu zeros")

    config = {"input_size": I, "hidden_size": H, "batch": B, "steps": T}
    if kind == "rnn":
        config["nonlinearity"] = nonlinearity
    tensors = dict(weights)
    tensors.update({"x": x, "hn": hn, "dx": grad_of(x)})
    for key in weights:
        tensors["d" + key] = grad_of(getattr(module, key + "_l0"))
    if last_only:
        tensors.update({"y_last": y, "dy_last": dy})
    else:
        tensors.update({"y": y, "dy": dy, "dhn": dhn})
    if h0 is not None:
        tensors.update({"h0": h0, "dh0": grad_of(h0)})
    return write_fixture(name, description, config, tensors)


def main():
    print(f"torch {torch.__version__}")
    total = 0
    total += make_recurrent(
        "gru_state.json", "gru", None, (5, 4, 3, 6), 7007, True, False,
        "torch.nn.GRU(5, 4, batch_first=True) (gates r, z, n; two biases) run on x with initial "
        "state h0; gradients of sum(y*dy) + sum(hn*dhn).")
    total += make_recurrent(
        "gru_nostate.json", "gru", None, (3, 6, 4, 5), 8008, False, True,
        "torch.nn.GRU(3, 6, batch_first=True) run on x from a zero state, only the last step's "
        "output used; gradients of sum(y[:, -1]*dy_last).")
    total += make_recurrent(
        "rnn_tanh_state.json", "rnn", "tanh", (5, 4, 3, 6), 9009, True, False,
        "torch.nn.RNN(5, 4, nonlinearity='tanh', batch_first=True) (two biases, whose gradients "
        "are equal) run on x with initial state h0; gradients of sum(y*dy) + sum(hn*dhn).")
    total += make_recurrent(
        "rnn_relu_state.json", "rnn", "relu", (5, 4, 3, 6), 10010, True, False,
        "torch.nn.RNN(5, 4, nonlinearity='relu', batch_first=True) run on x with initial state "
        "h0; gradients of sum(y*dy) + sum(hn*dhn).")
    total += make_recurrent(
        "rnn_relu_nostate.json", "rnn", "relu", (2, 5, 3, 7), 11011, False, True,
        "torch.nn.RNN(2, 5, nonlinearity='relu', batch_first=True) run on x from a zero state, "
        "only the last step's output used; gradients of sum(y[:, -1]*dy_last).")
    print(f"all checks passed; {total} bytes in total")
    return 0


if __name__ == "__main__":
    sys.exit(main())
