#!/usr/bin/env python3
"""Write the PyTorch reference fixtures that the C# tests compare against.

Run from anywhere (paths are relative to this file):

    python3 tools/make_fixtures.py

Needs PyTorch (Debian: apt-get install python3-torch; written against 1.13).
Every file goes to tests/Recur.Tests/fixtures/ as JSON:

    {"config": {...scalars...},
     "description": "...",
     "tensors": {"name": {"data": [flat row-major floats], "shape": [...]}}}

Everything is float32, single-threaded and seeded, keys are sorted and every
float is written as the exact decimal of its float32 value (repr of the double
it widens to), so the output is byte-identical from run to run and parses back
to the same float32 bits in any reader.

"dy"-style tensors are upstream gradients: the scalar used for autograd is
sum(output * dy) (plus the same for final states), so each recorded gradient
is exactly what Backward(dy) must return.
"""

import json
import math
import os
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "Recur.Tests" / "fixtures"

torch.set_num_threads(1)
torch.set_default_dtype(torch.float32)
torch.use_deterministic_algorithms(True)


# --------------------------------------------------------------------------- output


def _floats(t):
    """Flat row-major list of Python floats, each exactly the float32 value."""
    t = t.detach().to(torch.float32).contiguous().reshape(-1)
    out = []
    for v in t.tolist():  # tolist() widens float32 to double exactly
        if not math.isfinite(v):
            raise ValueError("non-finite value in fixture")
        out.append(float(v))
    return out


def _shape(t):
    return [int(s) for s in t.shape]


def write_fixture(name, description, config, tensors):
    """Write one fixture file (sorted keys, one tensor per line) and verify it."""
    for k, v in config.items():
        assert isinstance(v, (int, float, str)) and not isinstance(v, bool), (name, k)
    lines = ["{"]
    lines.append(' "config": ' + json.dumps(config, sort_keys=True) + ",")
    lines.append(' "description": ' + json.dumps(description) + ",")
    lines.append(' "tensors": {')
    keys = sorted(tensors)
    for i, key in enumerate(keys):
        t = tensors[key]
        entry = {"data": _floats(t), "shape": _shape(t)}
        sep = "," if i + 1 < len(keys) else ""
        lines.append("  " + json.dumps(key) + ": " + json.dumps(entry, sort_keys=True) + sep)
    lines.append(" }")
    lines.append("}")
    text = "\n".join(lines) + "\n"

    FIXTURES.mkdir(parents=True, exist_ok=True)
    path = FIXTURES / name
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.replace(tmp, path)

    # Read it back: valid JSON, shapes consistent, float32 bits round-trip.
    back = json.loads(path.read_text(encoding="utf-8"))
    assert sorted(back) == ["config", "description", "tensors"]
    for key in keys:
        entry = back["tensors"][key]
        n = 1
        for s in entry["shape"]:
            n *= s
        assert len(entry["data"]) == n, (name, key)
        again = torch.tensor(entry["data"], dtype=torch.float32).reshape(entry["shape"])
        orig = tensors[key].detach().to(torch.float32).reshape(entry["shape"])
        assert torch.equal(again.view(torch.int32), orig.contiguous().view(torch.int32)), (name, key)

    size = path.stat().st_size
    assert size < 100_000, (name, size)
    print(f"{name}  ({size} bytes)")
    for key in keys:
        print(f"    {key:24s} {_shape(tensors[key])}")
    return size


def randn(*shape, scale=1.0):
    return torch.randn(*shape, dtype=torch.float32) * scale


def grad_of(t):
    assert t.grad is not None
    return t.grad.detach().clone()


# --------------------------------------------------------------------------- 1. dense


def make_dense():
    torch.manual_seed(1001)
    lin = torch.nn.Linear(5, 4)
    with torch.no_grad():
        lin.weight.copy_(randn(4, 5, scale=0.5))
        lin.bias.copy_(randn(4, scale=0.5))
    weight = lin.weight.detach().clone()
    bias = lin.bias.detach().clone()

    x2 = randn(3, 5).requires_grad_(True)
    dy2 = randn(3, 4)
    x3 = randn(2, 3, 5).requires_grad_(True)
    dy3 = randn(2, 3, 4)

    lin.zero_grad(set_to_none=True)
    y2 = lin(x2)
    (y2 * dy2).sum().backward()
    dweight2, dbias2 = grad_of(lin.weight), grad_of(lin.bias)

    lin.zero_grad(set_to_none=True)
    y3 = lin(x3)
    (y3 * dy3).sum().backward()
    dweight3, dbias3 = grad_of(lin.weight), grad_of(lin.bias)

    # Sanity: the closed forms.
    assert torch.allclose(dweight2, dy2.t() @ x2.detach(), atol=1e-6)
    assert torch.allclose(dbias3, dy3.sum(dim=(0, 1)), atol=1e-6)

    return write_fixture(
        "dense.json",
        "torch.nn.Linear(5, 4) (y = x W^T + b) applied to a [3,5] batch and to every step of a "
        "[2,3,5] sequence; gradients of sum(y*dy), each case from zero.",
        {"in_features": 5, "out_features": 4},
        {
            "weight": weight, "bias": bias,
            "x2": x2, "y2": y2, "dy2": dy2, "dx2": grad_of(x2),
            "dweight2": dweight2, "dbias2": dbias2,
            "x3": x3, "y3": y3, "dy3": dy3, "dx3": grad_of(x3),
            "dweight3": dweight3, "dbias3": dbias3,
        },
    )


# --------------------------------------------------------------------------- LSTM helpers


def make_torch_lstm(input_size, hidden_size, w_ih, w_hh, b_ih, b_hh):
    lstm = torch.nn.LSTM(input_size=input_size, hidden_size=hidden_size, batch_first=True)
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(w_ih)
        lstm.weight_hh_l0.copy_(w_hh)
        lstm.bias_ih_l0.copy_(b_ih)
        lstm.bias_hh_l0.copy_(b_hh)
    return lstm


def lstm_manual(x, h0, c0, w_ih, w_hh, bias, forget_bias):
    """TF BasicLSTMCell semantics, gate order i, f, g, o; x: [B, T, I] -> y [B, T, H], hn, cn."""
    hidden = w_hh.shape[1]
    h, c = h0, c0
    ys = []
    for t in range(x.shape[1]):
        gates = x[:, t] @ w_ih.t() + h @ w_hh.t() + bias
        i, f, g, o = gates.split(hidden, dim=1)
        c = c * torch.sigmoid(f + forget_bias) + torch.sigmoid(i) * torch.tanh(g)
        h = torch.tanh(c) * torch.sigmoid(o)
        ys.append(h)
    return torch.stack(ys, dim=1), h, c


# --------------------------------------------------------------------------- 2. LSTM with state


def make_lstm_torch_state():
    I, H, B, T = 5, 4, 3, 6
    torch.manual_seed(2002)
    w_ih = randn(4 * H, I, scale=0.5)
    w_hh = randn(4 * H, H, scale=0.5)
    b_ih = randn(4 * H, scale=0.5)
    b_hh = randn(4 * H, scale=0.5)
    x = randn(B, T, I).requires_grad_(True)
    h0 = randn(B, H, scale=0.5).requires_grad_(True)
    c0 = randn(B, H, scale=0.5).requires_grad_(True)
    dy = randn(B, T, H)
    dhn = randn(B, H)
    dcn = randn(B, H)

    lstm = make_torch_lstm(I, H, w_ih, w_hh, b_ih, b_hh)
    y, (hn, cn) = lstm(x, (h0.unsqueeze(0), c0.unsqueeze(0)))
    hn, cn = hn.squeeze(0), cn.squeeze(0)
    loss = (y * dy).sum() + (hn * dhn).sum() + (cn * dcn).sum()
    loss.backward()

    g_bih, g_bhh = grad_of(lstm.bias_ih_l0), grad_of(lstm.bias_hh_l0)
    assert torch.allclose(g_bih, g_bhh, rtol=0, atol=1e-6), "bias_ih grad != bias_hh grad"
    print(f"lstm_torch_state: max |dbias_ih - dbias_hh| = {(g_bih - g_bhh).abs().max().item():.3g}")
    assert torch.allclose(y[:, -1], hn), "last output != hn"

    # The single-bias manual cell with bias = b_ih + b_hh and forget_bias 0 must agree.
    ym, hm, cm = lstm_manual(x.detach(), h0.detach(), c0.detach(), w_ih, w_hh, b_ih + b_hh, 0.0)
    assert torch.allclose(ym, y, rtol=0, atol=1e-6) and torch.allclose(cm, cn, rtol=0, atol=1e-6)

    return write_fixture(
        "lstm_torch_state.json",
        "torch.nn.LSTM(5, 4, batch_first=True) (gates i,f,g,o; two biases) run on x with initial "
        "state (h0, c0); gradients of sum(y*dy) + sum(hn*dhn) + sum(cn*dcn); dbias is the "
        "gradient of bias_ih, equal to that of bias_hh.",
        {"input_size": I, "hidden_size": H, "batch": B, "steps": T, "forget_bias": 0.0},
        {
            "weight_ih": w_ih, "weight_hh": w_hh, "bias_ih": b_ih, "bias_hh": b_hh,
            "x": x, "h0": h0, "c0": c0,
            "y": y, "hn": hn, "cn": cn,
            "dy": dy, "dhn": dhn, "dcn": dcn,
            "dx": grad_of(x),
            "dweight_ih": grad_of(lstm.weight_ih_l0),
            "dweight_hh": grad_of(lstm.weight_hh_l0),
            "dbias": g_bih,
            "dh0": grad_of(h0), "dc0": grad_of(c0),
        },
    )


# --------------------------------------------------------------------------- 3. LSTM, last step


def make_lstm_torch_nostate():
    I, H, B, T = 5, 4, 3, 6
    torch.manual_seed(3003)
    w_ih = randn(4 * H, I, scale=0.5)
    w_hh = randn(4 * H, H, scale=0.5)
    b_ih = randn(4 * H, scale=0.5)
    b_hh = randn(4 * H, scale=0.5)
    x = randn(B, T, I).requires_grad_(True)
    dy_last = randn(B, H)

    lstm = make_torch_lstm(I, H, w_ih, w_hh, b_ih, b_hh)
    y, (hn, cn) = lstm(x)
    hn, cn = hn.squeeze(0), cn.squeeze(0)
    y_last = y[:, -1]
    (y_last * dy_last).sum().backward()

    g_bih, g_bhh = grad_of(lstm.bias_ih_l0), grad_of(lstm.bias_hh_l0)
    assert torch.allclose(g_bih, g_bhh, rtol=0, atol=1e-6), "bias_ih grad != bias_hh grad"
    print(f"lstm_torch_nostate: max |dbias_ih - dbias_hh| = {(g_bih - g_bhh).abs().max().item():.3g}")
    assert torch.equal(y_last, hn)

    return write_fixture(
        "lstm_torch_nostate.json",
        "torch.nn.LSTM(5, 4, batch_first=True) (gates i,f,g,o; two biases) run on x from a zero "
        "state, only the last step's output used; gradients of sum(y[:, -1]*dy_last); dbias is "
        "the gradient of bias_ih, equal to that of bias_hh.",
        {"input_size": I, "hidden_size": H, "batch": B, "steps": T, "forget_bias": 0.0},
        {
            "weight_ih": w_ih, "weight_hh": w_hh, "bias_ih": b_ih, "bias_hh": b_hh,
            "x": x, "y_last": y_last, "hn": hn, "cn": cn, "dy_last": dy_last,
            "dx": grad_of(x),
            "dweight_ih": grad_of(lstm.weight_ih_l0),
            "dweight_hh": grad_of(lstm.weight_hh_l0),
            "dbias": g_bih,
        },
    )


# --------------------------------------------------------------------------- 4. LSTM, forget bias 1


def make_lstm_fb1():
    I, H, B, T = 3, 5, 2, 7
    forget_bias = 1.0
    torch.manual_seed(4004)
    w_ih = randn(4 * H, I, scale=0.5)
    w_hh = randn(4 * H, H, scale=0.5)
    bias = randn(4 * H, scale=0.5)
    x = randn(B, T, I)
    h0 = randn(B, H, scale=0.5)
    c0 = randn(B, H, scale=0.5)
    dy = randn(B, T, H)
    dhn = randn(B, H)
    dcn = randn(B, H)

    def run(fb):
        leaves = [t.clone().requires_grad_(True) for t in (x, h0, c0, w_ih, w_hh, bias)]
        xx, hh, cc, wi, wh, bb = leaves
        y, hn, cn = lstm_manual(xx, hh, cc, wi, wh, bb, fb)
        ((y * dy).sum() + (hn * dhn).sum() + (cn * dcn).sum()).backward()
        return (y.detach(), hn.detach(), cn.detach()), [grad_of(t) for t in leaves]

    # Guard the fixture: with forget_bias 0 the manual cell is torch.nn.LSTM with
    # bias_ih = bias, bias_hh = 0 (forward and all gradients).
    (y0, hn0, cn0), (gx0, gh00, gc00, gwi0, gwh0, gb0) = run(0.0)
    lstm = make_torch_lstm(I, H, w_ih, w_hh, bias, torch.zeros(4 * H))
    xr = x.clone().requires_grad_(True)
    h0r = h0.clone().requires_grad_(True)
    c0r = c0.clone().requires_grad_(True)
    yr, (hnr, cnr) = lstm(xr, (h0r.unsqueeze(0), c0r.unsqueeze(0)))
    hnr, cnr = hnr.squeeze(0), cnr.squeeze(0)
    ((yr * dy).sum() + (hnr * dhn).sum() + (cnr * dcn).sum()).backward()
    for a, b in [(y0, yr), (hn0, hnr), (cn0, cnr), (gx0, xr.grad), (gh00, h0r.grad),
                 (gc00, c0r.grad), (gwi0, lstm.weight_ih_l0.grad),
                 (gwh0, lstm.weight_hh_l0.grad), (gb0, lstm.bias_ih_l0.grad)]:
        assert torch.allclose(a, b.detach(), rtol=0, atol=1e-6), (a - b).abs().max().item()

    (y, hn, cn), (dx, dh0, dc0, dwi, dwh, db) = run(forget_bias)
    # forget_bias 1 must really change things (else the fixture tests nothing).
    assert (y - y0).abs().max().item() > 1e-2

    return write_fixture(
        "lstm_fb1.json",
        "TensorFlow BasicLSTMCell semantics written in PyTorch ops (gates i,f,g,o from "
        "x W_ih^T + h W_hh^T + bias; c' = c*sigmoid(f + forget_bias) + sigmoid(i)*tanh(g); "
        "h' = tanh(c')*sigmoid(o)) with forget_bias 1.0 and initial state; gradients of "
        "sum(y*dy) + sum(hn*dhn) + sum(cn*dcn).",
        {"input_size": I, "hidden_size": H, "batch": B, "steps": T, "forget_bias": forget_bias},
        {
            "weight_ih": w_ih, "weight_hh": w_hh, "bias": bias,
            "x": x, "h0": h0, "c0": c0,
            "y": y, "hn": hn, "cn": cn,
            "dy": dy, "dhn": dhn, "dcn": dcn,
            "dx": dx, "dweight_ih": dwi, "dweight_hh": dwh, "dbias": db,
            "dh0": dh0, "dc0": dc0,
        },
    )


# --------------------------------------------------------------------------- 5. softmax CE


def make_softmax_ce():
    B, C = 4, 10
    torch.manual_seed(5005)
    logits = randn(B, C, scale=2.0)
    labels = torch.tensor([3, 7, 0, 9], dtype=torch.int64)
    with torch.no_grad():
        # Row 0: a huge logit on a wrong class (exp(100) overflows float32).
        logits[0, 5] = 100.0
        # Row 1: a hugely negative logit on the true class (exp(-110) underflows).
        logits[1, 7] = -110.0
        # Row 2: a large value on the true class as well, to be safe on both sides.
        logits[2, 0] = 80.0
        logits[2, 4] = -60.0
    logits.requires_grad_(True)
    loss = F.cross_entropy(logits, labels)  # mean over the batch
    loss.backward()
    dlogits = grad_of(logits)
    onehot = F.one_hot(labels, C).to(torch.float32)

    # Closed form: (softmax - onehot) / B.
    assert torch.allclose(dlogits, (torch.softmax(logits.detach(), 1) - onehot) / B, atol=1e-7)
    assert math.isfinite(loss.item())

    return write_fixture(
        "softmax_ce.json",
        "torch.nn.functional.cross_entropy(logits, labels) (softmax + negative log-likelihood, "
        "mean over the batch) and its gradient, with extreme logits (+100, -110, +80, -60) to "
        "test numerical stability.",
        {"batch": B, "classes": C, "reduction": "mean"},
        {
            "logits": logits, "labels": labels.to(torch.float32), "onehot": onehot,
            "loss": loss.detach().reshape(1), "dlogits": dlogits,
        },
    )


# --------------------------------------------------------------------------- 6. optimizers


OPT_STEPS = 20


def optimizer_initial():
    torch.manual_seed(6006)
    I, H, C, B, T = 3, 4, 3, 4, 5
    init = {
        "lstm_weight_ih": randn(4 * H, I, scale=0.5),
        "lstm_weight_hh": randn(4 * H, H, scale=0.5),
        "lstm_bias": randn(4 * H, scale=0.5),
        "dense_weight": randn(C, H, scale=0.5),
        "dense_bias": randn(C, scale=0.5),
    }
    x = randn(B, T, I)
    labels = torch.tensor([0, 2, 1, 2], dtype=torch.int64)
    return init, x, labels


def train(kind, init, x, labels):
    I, H, C = 3, 4, 3
    lstm = make_torch_lstm(I, H, init["lstm_weight_ih"], init["lstm_weight_hh"],
                           init["lstm_bias"], torch.zeros(4 * H))
    lstm.bias_hh_l0.requires_grad_(False)  # Recur's single bias is bias_ih; bias_hh stays 0
    dense = torch.nn.Linear(H, C)
    with torch.no_grad():
        dense.weight.copy_(init["dense_weight"])
        dense.bias.copy_(init["dense_bias"])
    params = [lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0, dense.weight, dense.bias]

    max_norm = None
    if kind == "sgd":
        opt = torch.optim.SGD(params, lr=0.1)
        config = {"optimizer": "sgd", "lr": 0.1}
    elif kind == "momentum":
        opt = torch.optim.SGD(params, lr=0.1, momentum=0.9)
        config = {"optimizer": "momentum", "lr": 0.1, "momentum": 0.9}
    elif kind in ("adam", "adam_clip"):
        opt = torch.optim.Adam(params, lr=0.01, betas=(0.9, 0.999), eps=1e-8)
        config = {"optimizer": "adam", "lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
        if kind == "adam_clip":
            max_norm = 0.1
            config["max_norm"] = max_norm
    elif kind == "rmsprop":
        opt = torch.optim.RMSprop(params, lr=0.01, alpha=0.99, eps=1e-8)
        config = {"optimizer": "rmsprop", "lr": 0.01, "alpha": 0.99, "eps": 1e-8}
    else:
        raise ValueError(kind)
    config["steps"] = OPT_STEPS

    losses, norms = [], []
    for _ in range(OPT_STEPS):
        opt.zero_grad(set_to_none=True)
        y, _ = lstm(x)
        logits = dense(y[:, -1])
        loss = F.cross_entropy(logits, labels)
        loss.backward()
        if max_norm is not None:
            norms.append(torch.nn.utils.clip_grad_norm_(params, max_norm=max_norm).detach().clone())
        opt.step()
        losses.append(loss.detach().clone())
    assert torch.equal(lstm.bias_hh_l0.detach(), torch.zeros(4 * H))

    tensors = {
        "x": x, "labels": labels.to(torch.float32),
        **init,
        "losses": torch.stack(losses),
        "final_lstm_weight_ih": lstm.weight_ih_l0.detach().clone(),
        "final_lstm_weight_hh": lstm.weight_hh_l0.detach().clone(),
        "final_lstm_bias": lstm.bias_ih_l0.detach().clone(),
        "final_dense_weight": dense.weight.detach().clone(),
        "final_dense_bias": dense.bias.detach().clone(),
    }
    if max_norm is not None:
        tensors["grad_norms"] = torch.stack(norms)
    return config, tensors


OPT_DESCRIPTIONS = {
    "sgd": "torch.optim.SGD(lr=0.1): p -= lr*g",
    "momentum": "torch.optim.SGD(lr=0.1, momentum=0.9): buf = momentum*buf + g (buf = g on the "
                "first step), p -= lr*buf",
    "adam": "torch.optim.Adam(lr=0.01, betas=(0.9, 0.999), eps=1e-8): "
            "p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)",
    "rmsprop": "torch.optim.RMSprop(lr=0.01, alpha=0.99, eps=1e-8): "
               "v = alpha*v + (1-alpha)*g^2, p -= lr*g/(sqrt(v) + eps)",
    "adam_clip": "torch.optim.Adam(lr=0.01, betas=(0.9, 0.999), eps=1e-8) after "
                 "torch.nn.utils.clip_grad_norm_(max_norm=0.1) (global L2 norm n over all "
                 "trained parameters; grads scaled by min(1, max_norm/(n + 1e-6)); grad_norms "
                 "holds n before clipping)",
}


def make_optimizers():
    init, x, labels = optimizer_initial()
    total = 0
    for kind in ("sgd", "momentum", "adam", "rmsprop", "adam_clip"):
        config, tensors = train(kind, init, x, labels)
        losses = tensors["losses"]
        assert losses[-1] < losses[0], (kind, losses[0].item(), losses[-1].item())
        total += write_fixture(
            f"optim_{kind}.json",
            "20 full-batch training steps of torch.nn.LSTM(3, 4, batch_first=True) (bias_hh fixed "
            "at 0, lstm_bias = bias_ih) + torch.nn.Linear(4, 3) on the last step, loss "
            "cross_entropy (mean), with " + OPT_DESCRIPTIONS[kind] + "; losses[k] is the loss "
            "before update k.",
            config,
            tensors,
        )
    return total


# --------------------------------------------------------------------------- main


def main():
    print(f"torch {torch.__version__}, writing to {FIXTURES}")
    total = 0
    total += make_dense()
    total += make_lstm_torch_state()
    total += make_lstm_torch_nostate()
    total += make_lstm_fb1()
    total += make_softmax_ce()
    total += make_optimizers()
    print(f"all checks passed; {total} bytes in total")
    return 0


if __name__ == "__main__":
    sys.exit(main())
