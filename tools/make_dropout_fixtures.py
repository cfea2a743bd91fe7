#!/usr/bin/env python3
"""Write the PyTorch reference fixtures of Keras's dropout and recurrent_dropout in Recur's
Lstm, Gru and SimpleRnn.

Run from anywhere (paths are relative to this file):

    python3 tools/make_dropout_fixtures.py

Same format, settings and guarantees as make_fixtures.py, whose writer it uses: float32, one
thread, a fixed seed per fixture, sorted keys, exact float32 decimals, byte-identical reruns.

Keras's variational dropout (Gal and Ghahramani, 2016) draws, per forward pass, one input mask
mask_x [B, I] and one recurrent mask mask_h [B, H] (0, or 1 / (1 - rate) for kept entries) and
uses them at every step: x_t * mask_x enters the input product and h_{t-1} * mask_h the
recurrent product W_hh h only; the outputs, the LSTM's c and the GRU's direct path
z * h_{t-1} use the unmasked h. The masks are saved ("mask_x", "mask_h") and given to the
layer, so the test compares the arithmetic, not the random draws.

Each fixture loops over the steps in Python: torch.nn.LSTMCell(x * mask_x, (h * mask_h, c))
and torch.nn.RNNCell(x * mask_x, h * mask_h) as they are; the GRU step by hand in torch ops
(torch.nn.GRUCell uses the same h for the product and the direct path), checked against
GRUCell to 1e-6 with masks of ones. "dy"-style tensors are upstream gradients, the autograd
loss being sum(y * dy) + sum(hn * dhn).
"""

import sys

import torch

from make_fixtures import grad_of, randn, write_fixture


def gru_step(x, h_masked, h, weight_ih, weight_hh, bias_ih, bias_hh):
    """One GRU step (gates r, z, n) with h_masked in the recurrent product and h on the direct path."""
    hidden = weight_hh.shape[1]
    xr, xz, xn = (x @ weight_ih.t() + bias_ih).split(hidden, dim=1)
    hr, hz, hn = (h_masked @ weight_hh.t() + bias_hh).split(hidden, dim=1)
    r = torch.sigmoid(xr + hr)
    z = torch.sigmoid(xz + hz)
    n = torch.tanh(xn + r * hn)
    return (1 - z) * n + z * h


def mask(rows, cols, rate):
    """Inverted dropout's mask: 0 with probability rate, else 1 / (1 - rate); both kinds present."""
    kept = (torch.rand(rows, cols) >= rate).to(torch.float32)
    assert 0 < kept.sum() < kept.numel(), "a mask of all zeros or all ones tests half of it"
    return kept / (1 - rate)


def check_gru_step():
    """The hand-written step with h_masked = h is torch.nn.GRUCell."""
    torch.manual_seed(1)
    cell = torch.nn.GRUCell(5, 4)
    x, h = randn(3, 5), randn(3, 4)
    ours = gru_step(x, h, h, cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
    assert torch.allclose(ours, cell(x, h), rtol=0, atol=1e-6)
    print("the hand-written GRU step matches torch.nn.GRUCell to 1e-6")


def make_dropout(name, kind, sizes, rates, seed, initial_state, last_only, description):
    """One fixture: kind "lstm", "gru" or "rnn" (tanh) with input and recurrent masks."""
    I, H, B, T = sizes
    p_x, p_h = rates
    gates = {"lstm": 4, "gru": 3, "rnn": 1}[kind] * H
    torch.manual_seed(seed)
    if kind == "lstm":
        cell = torch.nn.LSTMCell(I, H)
    elif kind == "gru":
        cell = torch.nn.GRUCell(I, H)
    else:
        cell = torch.nn.RNNCell(I, H, nonlinearity="tanh")
    weights = {
        "weight_ih": randn(gates, I, scale=0.5),
        "weight_hh": randn(gates, H, scale=0.5),
        "bias_ih": randn(gates, scale=0.5),
        "bias_hh": randn(gates, scale=0.5),
    }
    with torch.no_grad():
        for key, value in weights.items():
            getattr(cell, key).copy_(value)
    x = randn(B, T, I).requires_grad_(True)
    h0 = randn(B, H, scale=0.5).requires_grad_(True) if initial_state else None
    c0 = randn(B, H, scale=0.5).requires_grad_(True) if initial_state and kind == "lstm" else None
    mask_x, mask_h = mask(B, I, p_x), mask(B, H, p_h)
    dy = randn(B, H) if last_only else randn(B, T, H)
    dhn = None if last_only else randn(B, H)

    h = torch.zeros(B, H) if h0 is None else h0
    c = torch.zeros(B, H) if c0 is None else c0
    ys = []
    for t in range(T):
        xt = x[:, t] * mask_x
        if kind == "lstm":
            h, c = cell(xt, (h * mask_h, c))
        elif kind == "gru":
            h = gru_step(xt, h * mask_h, h, cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
        else:
            h = cell(xt, h * mask_h)
        ys.append(h)
    y = torch.stack(ys, dim=1)
    hn = h
    if last_only:
        y = y[:, -1]
        loss = (y * dy).sum()
    else:
        loss = (y * dy).sum() + (hn * dhn).sum()
    loss.backward()
    if kind != "gru":
        # Both biases get the same gradient, so Recur's single bias gets it too.
        assert torch.allclose(cell.bias_ih.grad, cell.bias_hh.grad, rtol=1e-6, atol=1e-6)

    config = {"input_size": I, "hidden_size": H, "batch": B, "steps": T, "dropout": p_x, "recurrent_dropout": p_h}
    tensors = dict(weights)
    tensors.update({"x": x, "hn": hn, "dx": grad_of(x), "mask_x": mask_x, "mask_h": mask_h})
    for key in weights:
        tensors["d" + key] = grad_of(getattr(cell, key))
    if last_only:
        tensors.update({"y_last": y, "dy_last": dy})
    else:
        tensors.update({"y": y, "dy": dy, "dhn": dhn})
    if h0 is not None:
        tensors.update({"h0": h0, "dh0": grad_of(h0)})
    if c0 is not None:
        tensors.update({"c0": c0, "dc0": grad_of(c0), "cn": c})
    return write_fixture(name, description, config, tensors)


def main():
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}")
    check_gru_step()
    total = 0
    total += make_dropout(
        "lstm_dropout_state.json", "lstm", (5, 4, 3, 6), (0.3, 0.4), 12012, True, False,
        "torch.nn.LSTMCell(5, 4) looped over x with initial state (h0, c0): x_t*mask_x into the "
        "cell, h*mask_h as its hx, c unmasked; gradients of sum(y*dy) + sum(hn*dhn).")
    total += make_dropout(
        "lstm_dropout_nostate.json", "lstm", (3, 6, 4, 5), (0.25, 0.5), 13013, False, True,
        "torch.nn.LSTMCell(3, 6) looped from a zero state with masks as lstm_dropout_state, only "
        "the last step's output used; gradients of sum(y[:, -1]*dy_last).")
    total += make_dropout(
        "gru_dropout_state.json", "gru", (5, 4, 3, 6), (0.3, 0.4), 14014, True, False,
        "A GRU step by hand (torch.nn.GRUCell's weights, gates r, z, n) looped over x with initial "
        "state h0: x_t*mask_x in the input product, h*mask_h in the recurrent product, unmasked h "
        "on the direct path z*h; gradients of sum(y*dy) + sum(hn*dhn).")
    total += make_dropout(
        "rnn_tanh_dropout.json", "rnn", (3, 6, 4, 5), (0.25, 0.5), 15015, False, True,
        "torch.nn.RNNCell(3, 6, nonlinearity='tanh') looped from a zero state: x_t*mask_x and "
        "h*mask_h as its inputs; only the last step's output used; gradients of sum(y[:, -1]*dy_last).")
    print(f"all checks passed; {total} bytes in total")
    return 0


if __name__ == "__main__":
    sys.exit(main())
