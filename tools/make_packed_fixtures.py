#!/usr/bin/env python3
"""Write the PyTorch reference fixtures of variable-length sequences (issue 12).

Run from anywhere (paths are relative to this file):

    python3 tools/make_packed_fixtures.py

Same format, settings and guarantees as make_fixtures.py, whose writer it uses: float32, one
thread, a fixed seed per fixture, sorted keys, every float the exact decimal of its float32
value, so rerunning it rewrites byte-identical files.

Every fixture runs torch.nn.LSTM, GRU or RNN (batch_first=True) on a padded batch through
pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False) and pad_packed_sequence,
and records the result in Recur's (Keras's) masking semantics:

- a masked step leaves the state unchanged and repeats the previous output (zeros before the
  first valid step), so y[b, t] = y_torch[b, min(t, lengths[b] - 1)] for lengths; y is built from
  PyTorch's output with a gather, so the upstream gradient dy at a padded step flows into the
  last valid output;
- the final states hn (cn) are those after each sequence's last valid step;
- the backward direction of a bidirectional layer reads each sequence from its own last valid
  step back to step 0, and its output is 0 at the padded steps after the end (in reversed time
  they come before any valid step), while the forward direction repeats its last valid output.

x is random at the padded steps too (a layer that read them would be caught), and so is dy.
"dy"-style tensors are upstream gradients: the autograd loss is sum(y * dy) plus the same kind of
term for each recorded final state, so each gradient is what Backward must return.

The script checks its own output against an independent reference: a step loop over
torch.nn.LSTMCell / GRUCell / RNNCell with the same weights that applies Keras's mask rule
directly (torch.where on the mask at each step). Outputs, final states and every gradient agree
with the packed path to 1e-5. It also checks that y_torch equals y at the valid steps and is 0 at
the padded ones, that hn is each sequence's last valid output, that dx is 0 at masked steps, that
the full-length sequence gives what an unpacked run gives, and that both bias gradients of the
LSTM and the RNN are equal (Recur keeps their sum as one bias).
"""

import sys

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from make_fixtures import grad_of, randn, write_fixture

TOLERANCE = 1e-5  # packed path against the step loop, forward and gradients
PARAMS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


# --------------------------------------------------------------------------- building blocks


def make_module(kind, input_size, hidden, nonlinearity=None, **kwargs):
    """torch.nn.LSTM / GRU / RNN with every parameter drawn from randn * 0.5 in parameter order."""
    if kind == "lstm":
        module = torch.nn.LSTM(input_size, hidden, batch_first=True, **kwargs)
    elif kind == "gru":
        module = torch.nn.GRU(input_size, hidden, batch_first=True, **kwargs)
    else:
        module = torch.nn.RNN(input_size, hidden, nonlinearity=nonlinearity, batch_first=True, **kwargs)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(randn(*p.shape, scale=0.5))
    return module


def draw_lengths(batch, steps):
    """Random lengths in [1, steps], unsorted, with one sequence of full length and one of length 1.

    Drawn again until they are neither ascending nor descending and at most two are equal, so
    that most sequences end at different steps.
    """
    while True:
        rest = torch.randint(1, steps + 1, (batch - 2,)).tolist()
        lengths = torch.tensor([steps, 1] + rest, dtype=torch.int64)[torch.randperm(batch)]
        ordered = sorted(lengths.tolist())
        if lengths.tolist() not in (ordered, ordered[::-1]) and len(set(ordered)) >= batch - 1:
            return lengths


def lengths_mask(lengths, steps):
    """Keras's mask [B, T] (1 at valid steps) of a batch padded at the end."""
    return (torch.arange(steps)[None, :] < lengths[:, None]).to(torch.float32)


def run_packed(module, x, lengths, hx):
    """module on pack_padded_sequence(x, lengths); y_torch [B, T, D*H] zero at padding, final states."""
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    out, state = module(packed, hx)
    y_torch, out_lengths = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
    assert torch.equal(out_lengths, lengths)
    return y_torch, state


def keras_expand(y_compact, mask):
    """Keras's per-step output from the outputs of the valid steps compacted to the front.

    y_compact [B, T, H] holds the output of each sequence's k-th valid step at index k - 1; the
    result at step t is the output of the last valid step at or before t, zeros before the first.
    A gather, so gradients flow back into y_compact.
    """
    b, t, h = y_compact.shape
    padded = torch.cat([torch.zeros(b, 1, h), y_compact], dim=1)
    count = mask.cumsum(dim=1).to(torch.int64)  # valid steps in [0, t]
    return padded.gather(1, count[:, :, None].expand(b, t, h))


def make_cell(kind, nonlinearity, module, suffix):
    """A torch.nn.*Cell holding a copy of one layer/direction of module (its own leaves)."""
    w = getattr(module, "weight_ih" + suffix)
    hidden, input_size = getattr(module, "weight_hh" + suffix).shape[1], w.shape[1]
    if kind == "lstm":
        cell = torch.nn.LSTMCell(input_size, hidden)
    elif kind == "gru":
        cell = torch.nn.GRUCell(input_size, hidden)
    else:
        cell = torch.nn.RNNCell(input_size, hidden, nonlinearity=nonlinearity)
    with torch.no_grad():
        for name in PARAMS:
            getattr(cell, name).copy_(getattr(module, name + suffix))
    return cell


def masked_loop(kind, cell, x, mask, state, reverse=False):
    """Keras's masked recurrence, step by step: x [B, T, I], mask [B, T] -> y [B, T, H], final state.

    At a masked step the state is kept and the output repeats the previous one (zeros first).
    """
    b, t, _ = x.shape
    hidden = cell.weight_hh.shape[1]
    out = torch.zeros(b, hidden)
    ys = [None] * t
    for s in (reversed(range(t)) if reverse else range(t)):
        m = mask[:, s:s + 1] > 0
        new = cell(x[:, s], state) if kind == "lstm" else (cell(x[:, s], state[0]),)
        state = tuple(torch.where(m, n, o) for n, o in zip(new, state))
        out = torch.where(m, new[0], out)
        ys[s] = out
    return torch.stack(ys, dim=1), state


def zero_state(kind, batch, hidden):
    z = torch.zeros(batch, hidden)
    return (z, z) if kind == "lstm" else (z,)


def assert_close(what, a, b, tol=TOLERANCE):
    diff = (a.detach() - b.detach()).abs().max().item()
    assert diff <= tol, f"{what}: max |diff| {diff:.3e} > {tol:.0e}"
    return diff


def check_grads(what, pairs):
    """pairs: (name, packed-path gradient, step-loop gradient)."""
    worst = max(assert_close(f"{what} {name}", a, b) for name, a, b in pairs)
    print(f"{what}: step loop matches the packed path (largest difference {worst:.1e})")


def config_of(kind, nonlinearity, sizes):
    input_size, hidden, batch, steps = sizes
    config = {"input_size": input_size, "hidden_size": hidden, "batch": batch, "steps": steps}
    if kind == "lstm":
        config["forget_bias"] = 0.0
    if nonlinearity is not None:
        config["nonlinearity"] = nonlinearity
    return config


# --------------------------------------------------------------------------- one layer


def make_single(name, kind, nonlinearity, sizes, seed, initial_state, last_only, description):
    """torch.nn.LSTM / GRU / RNN, one layer, packed; every step (with final states) or the last only."""
    I, H, B, T = sizes
    torch.manual_seed(seed)
    module = make_module(kind, I, H, nonlinearity)
    lengths = draw_lengths(B, T)
    mask = lengths_mask(lengths, T)
    x = randn(B, T, I).requires_grad_(True)
    h0 = randn(B, H, scale=0.5).requires_grad_(True) if initial_state else None
    c0 = randn(B, H, scale=0.5).requires_grad_(True) if initial_state and kind == "lstm" else None
    if last_only:
        dy = randn(B, H)
    else:
        dy = randn(B, T, H)
        dhn = randn(B, H)
        dcn = randn(B, H) if kind == "lstm" else None

    hx = None
    if h0 is not None:
        hx = (h0[None], c0[None]) if kind == "lstm" else h0[None]
    y_torch, state = run_packed(module, x, lengths, hx)
    hn = (state[0] if kind == "lstm" else state)[0]
    cn = state[1][0] if kind == "lstm" else None
    y = keras_expand(y_torch, mask)

    # What the fixture claims about itself.
    assert torch.equal(y_torch, y * mask[:, :, None]), "y_torch != y at valid steps, or not 0 at padding"
    assert torch.equal(hn, y[:, -1]), "hn != the last valid output"
    full = int((lengths == T).nonzero()[0])
    hx_full = None
    if h0 is not None:
        hx_full = (h0[None, full:full + 1], c0[None, full:full + 1]) if kind == "lstm" else h0[None, full:full + 1]
    y_full, _ = module(x[full:full + 1], hx_full)
    assert_close("full-length sequence against an unpacked run", y_full[0], y[full], 1e-6)
    if nonlinearity == "relu":
        valid = y.detach()[mask > 0]
        dead = (valid == 0).float().mean().item()
        assert 0.1 < dead < 0.9, dead
        print(f"{name}: {dead:.0%} of the valid outputs are relu zeros")

    if last_only:
        loss = (y[:, -1] * dy).sum()
    else:
        loss = (y * dy).sum() + (hn * dhn).sum() + ((cn * dcn).sum() if cn is not None else 0)
    loss.backward()
    assert torch.equal(x.grad * (1 - mask[:, :, None]), torch.zeros_like(x)), "dx not 0 at padding"

    # The independent reference: Keras's rule applied step by step.
    cell = make_cell(kind, nonlinearity, module, "_l0")
    xl = x.detach().clone().requires_grad_(True)
    s0 = zero_state(kind, B, H)
    if h0 is not None:
        h0l = h0.detach().clone().requires_grad_(True)
        c0l = c0.detach().clone().requires_grad_(True) if c0 is not None else None
        s0 = (h0l, c0l) if kind == "lstm" else (h0l,)
    yl, sl = masked_loop(kind, cell, xl, mask, s0)
    assert_close(f"{name} y", yl, y)
    assert_close(f"{name} hn", sl[0], hn)
    if last_only:
        lossl = (yl[:, -1] * dy).sum()
    else:
        lossl = (yl * dy).sum() + (sl[0] * dhn).sum() + ((sl[1] * dcn).sum() if kind == "lstm" else 0)
    lossl.backward()
    pairs = [("dx", x.grad, xl.grad)]
    pairs += [("d" + p, getattr(module, p + "_l0").grad, getattr(cell, p).grad) for p in PARAMS]
    if h0 is not None:
        pairs += [("dh0", h0.grad, s0[0].grad)]
        if c0 is not None:
            pairs += [("dc0", c0.grad, s0[1].grad)]
    check_grads(name, pairs)
    if kind != "gru":
        # Both biases get the same gradient, so Recur's single bias gets it too.
        assert_close(f"{name} bias_ih grad against bias_hh grad", module.bias_ih_l0.grad, module.bias_hh_l0.grad, 1e-6)

    tensors = {p: getattr(module, p + "_l0") for p in PARAMS}
    tensors.update({"x": x, "lengths": lengths.to(torch.float32), "hn": hn, "dx": grad_of(x)})
    tensors.update({"d" + p: grad_of(getattr(module, p + "_l0")) for p in PARAMS})
    if cn is not None:
        tensors["cn"] = cn
    if last_only:
        tensors.update({"y_last": y[:, -1], "dy_last": dy})
    else:
        tensors.update({"y": y, "y_torch": y_torch, "dy": dy, "dhn": dhn})
        if dcn is not None:
            tensors["dcn"] = dcn
    if h0 is not None:
        tensors.update({"h0": h0, "dh0": grad_of(h0)})
    if c0 is not None:
        tensors.update({"c0": c0, "dc0": grad_of(c0)})
    return write_fixture(name, description, config_of(kind, nonlinearity, sizes), tensors)


# --------------------------------------------------------------------------- two layers


def make_two_layer():
    name = "lstm_packed_two_layer.json"
    I, H, B, T = sizes = (4, 5, 5, 7)
    torch.manual_seed(12006)
    lstm = make_module("lstm", I, H, num_layers=2)
    lengths = draw_lengths(B, T)
    mask = lengths_mask(lengths, T)
    x = randn(B, T, I).requires_grad_(True)
    dy = randn(B, T, H)
    y_torch, (hn, cn) = run_packed(lstm, x, lengths, None)
    y = keras_expand(y_torch, mask)
    assert torch.equal(y_torch, y * mask[:, :, None])
    assert torch.equal(hn[1], y[:, -1])
    (y * dy).sum().backward()
    assert torch.equal(x.grad * (1 - mask[:, :, None]), torch.zeros_like(x))

    # Recur's stack: the second layer reads the first's Keras-semantics output under the same mask.
    cells = [make_cell("lstm", None, lstm, s) for s in ("_l0", "_l1")]
    xl = x.detach().clone().requires_grad_(True)
    y1, _ = masked_loop("lstm", cells[0], xl, mask, zero_state("lstm", B, H))
    yl, (hl, cl) = masked_loop("lstm", cells[1], y1, mask, zero_state("lstm", B, H))
    assert_close(f"{name} y", yl, y)
    assert_close(f"{name} hn", hl, hn[1])
    assert_close(f"{name} cn", cl, cn[1])
    (yl * dy).sum().backward()
    pairs = [("dx", x.grad, xl.grad)]
    for k, s in enumerate(("_l0", "_l1")):
        pairs += [("d" + p + s, getattr(lstm, p + s).grad, getattr(cells[k], p).grad) for p in PARAMS]
    check_grads(name, pairs)

    tensors = {"x": x, "lengths": lengths.to(torch.float32), "y": y, "y_torch": y_torch, "dy": dy,
               "dx": grad_of(x), "hn": hn, "cn": cn}
    for s in ("_l0", "_l1"):
        tensors.update(stacked_weights(lstm, s, single_bias=True))
    return write_fixture(
        name,
        "torch.nn.LSTM(4, 5, num_layers=2, batch_first=True) from a zero state on "
        "pack_padded_sequence(x, lengths, enforce_sorted=False); Recur's Lstm(return sequences) -> "
        "Lstm(return sequences) under the mask of lengths. y [B, T, H] is the second layer's output "
        "in Keras's semantics (at a padded step the sequence's last valid output; y_torch is "
        "pad_packed_sequence's, 0 there). The first layer's output at padded steps never matters: "
        "the second layer masks those steps, so only y's semantics are fixed here. hn, cn [2, B, H] "
        "are each layer's states after the last valid step, for the record (not in the loss). "
        "Gradients of sum(y*dy) (dy random at padded steps too); dx is 0 at padded steps; dbias_lK "
        "is the gradient of bias_ih_lK, equal to that of bias_hh_lK.",
        config_of("lstm", None, sizes),
        tensors,
    )


def stacked_weights(module, suffix, single_bias):
    """Weights and gradients named as lstm_two_layer.json names them: weight_ih_l0, dweight_ih_l0, dbias_l0."""
    tensors = {p + suffix: getattr(module, p + suffix) for p in PARAMS}
    tensors["dweight_ih" + suffix] = grad_of(getattr(module, "weight_ih" + suffix))
    tensors["dweight_hh" + suffix] = grad_of(getattr(module, "weight_hh" + suffix))
    g_ih, g_hh = grad_of(getattr(module, "bias_ih" + suffix)), grad_of(getattr(module, "bias_hh" + suffix))
    if single_bias:
        assert_close("bias_ih grad against bias_hh grad", g_ih, g_hh, 1e-6)
        tensors["dbias" + suffix] = g_ih
    else:
        tensors.update({"dbias_ih" + suffix: g_ih, "dbias_hh" + suffix: g_hh})
    return tensors


# --------------------------------------------------------------------------- bidirectional


def make_bidirectional(kind, sizes, seed, last_only):
    I, H, B, T = sizes
    cell_name = "LSTM" if kind == "lstm" else "GRU"
    name = f"{kind}_packed_bidirectional{'_last' if last_only else ''}.json"
    torch.manual_seed(seed)
    module = make_module(kind, I, H, bidirectional=True)
    lengths = draw_lengths(B, T)
    mask = lengths_mask(lengths, T)
    x = randn(B, T, I).requires_grad_(True)
    dy = randn(B, T, 2 * H)
    dlast = randn(B, 2 * H)  # drawn in both files, so both hold the same weights, x and lengths
    y_torch, state = run_packed(module, x, lengths, None)
    hn = state[0] if kind == "lstm" else state
    # Forward half: Keras's repeat of the last valid output; backward half: PyTorch's, 0 after the end.
    y = torch.cat([keras_expand(y_torch[:, :, :H], mask), y_torch[:, :, H:]], dim=2)
    last = torch.cat([y[:, -1, :H], y[:, 0, H:]], dim=1)
    assert torch.equal(y_torch, y * mask[:, :, None])
    assert torch.equal(last, torch.cat([hn[0], hn[1]], dim=1)), "last != [hn forward, hn backward]"
    if last_only:
        (last * dlast).sum().backward()
    else:
        (y * dy).sum().backward()
    assert torch.equal(x.grad * (1 - mask[:, :, None]), torch.zeros_like(x))

    cells = [make_cell(kind, None, module, s) for s in ("_l0", "_l0_reverse")]
    xl = x.detach().clone().requires_grad_(True)
    yf, _ = masked_loop(kind, cells[0], xl, mask, zero_state(kind, B, H))
    yb, _ = masked_loop(kind, cells[1], xl, mask, zero_state(kind, B, H), reverse=True)
    yl = torch.cat([yf, yb], dim=2)
    lastl = torch.cat([yf[:, -1], yb[:, 0]], dim=1)
    assert_close(f"{name} y", yl, y)
    assert_close(f"{name} last", lastl, last)
    if last_only:
        (lastl * dlast).sum().backward()
    else:
        (yl * dy).sum().backward()
    pairs = [("dx", x.grad, xl.grad)]
    for k, s in enumerate(("_l0", "_l0_reverse")):
        pairs += [("d" + p + s, getattr(module, p + s).grad, getattr(cells[k], p).grad) for p in PARAMS]
    check_grads(name, pairs)

    tensors = {"x": x, "lengths": lengths.to(torch.float32), "dx": grad_of(x), "hn": hn}
    if last_only:
        tensors.update({"last": last, "dlast": dlast})
    else:
        tensors.update({"y": y, "y_torch": y_torch, "dy": dy})
    if kind == "lstm":
        tensors["cn"] = state[1]
    for s in ("_l0", "_l0_reverse"):
        tensors.update(stacked_weights(module, s, single_bias=kind == "lstm"))
    bias_note = ("dbias_l0 (dbias_l0_reverse) is the gradient of bias_ih, equal to that of bias_hh"
                 if kind == "lstm" else "dbias_ih_*, dbias_hh_* are the two biases' gradients")
    if last_only:
        what = ("last [B, 2H] is Keras's Bidirectional last output, [forward after each sequence's last "
                "valid step, backward at step 0] = [hn[0], hn[1]]; gradients of sum(last*dlast)")
    else:
        what = ("y [B, T, 2H] is [forward, backward] at every step in Recur's semantics: the forward half "
                "repeats the last valid output at padded steps, the backward half (which reads each "
                "sequence from its own last valid step back to step 0) is 0 there; y_torch is "
                "pad_packed_sequence's (both halves 0 at padding); gradients of sum(y*dy), dy random "
                "at padded steps too")
    return write_fixture(
        name,
        f"torch.nn.{cell_name}({I}, {H}, bidirectional=True, batch_first=True) from a zero state on "
        f"pack_padded_sequence(x, lengths, enforce_sorted=False). {what}. hn{', cn' if kind == 'lstm' else ''} "
        f"[2, B, H]: the final states of the forward and backward directions, for the record (not in "
        f"the loss). dx is 0 at padded steps; *_l0_reverse are the backward direction's; {bias_note}. "
        f"{kind}_packed_bidirectional.json (every step) and {kind}_packed_bidirectional_last.json (last "
        f"output) hold the same weights, x and lengths.",
        config_of(kind, None, sizes),
        tensors,
    )


# --------------------------------------------------------------------------- a mask with holes


def make_holes():
    name = "lstm_masked_holes.json"
    I, H, B, T = sizes = (3, 4, 6, 8)
    mask = torch.tensor([
        [1, 1, 1, 1, 1, 1, 1, 1],  # every step
        [0, 0, 0, 1, 1, 1, 1, 1],  # padded in front (Keras's pre-padding)
        [1, 0, 1, 1, 0, 0, 1, 1],  # holes
        [0, 0, 0, 0, 0, 0, 0, 1],  # one valid step, the last
        [0, 1, 1, 0, 1, 0, 0, 0],  # in front, a hole and at the end
        [1, 1, 1, 1, 1, 0, 0, 0],  # padded at the end
    ], dtype=torch.float32)
    torch.manual_seed(12009)
    lstm = make_module("lstm", I, H)
    x = randn(B, T, I).requires_grad_(True)
    dy = randn(B, T, H)
    dhn = randn(B, H)
    dcn = randn(B, H)

    # Keras's semantics = the packed LSTM on each sequence's valid steps compacted to the front.
    counts = mask.sum(dim=1).to(torch.int64)
    index = torch.zeros(B, T, dtype=torch.int64)
    for b in range(B):
        valid = mask[b].nonzero()[:, 0]
        index[b, :len(valid)] = valid
    compact = x.gather(1, index[:, :, None].expand(B, T, I))
    y_compact, (hn, cn) = run_packed(lstm, compact, counts, None)
    hn, cn = hn[0], cn[0]
    y = keras_expand(y_compact, mask)
    assert torch.equal(hn, y[:, -1]), "hn != the last valid output"
    assert torch.equal(y[4, 0], torch.zeros(H)) and torch.equal(y[1, :3], torch.zeros(3, H))
    y_full, _ = lstm(x[:1])
    assert_close("every-step row against an unpacked run", y_full[0], y[0], 1e-6)
    y_front, _ = lstm(x[1:2, 3:])
    assert_close("front-padded row against an unpacked run of its valid steps", y_front[0], y[1, 3:], 1e-6)
    ((y * dy).sum() + (hn * dhn).sum() + (cn * dcn).sum()).backward()
    assert torch.equal(x.grad * (1 - mask[:, :, None]), torch.zeros_like(x)), "dx not 0 at masked steps"

    cell = make_cell("lstm", None, lstm, "_l0")
    xl = x.detach().clone().requires_grad_(True)
    yl, (hl, cl) = masked_loop("lstm", cell, xl, mask, zero_state("lstm", B, H))
    assert_close(f"{name} y", yl, y)
    assert_close(f"{name} hn", hl, hn)
    assert_close(f"{name} cn", cl, cn)
    ((yl * dy).sum() + (hl * dhn).sum() + (cl * dcn).sum()).backward()
    pairs = [("dx", x.grad, xl.grad)] + [("d" + p, getattr(lstm, p + "_l0").grad, getattr(cell, p).grad) for p in PARAMS]
    check_grads(name, pairs)
    assert_close(f"{name} bias_ih grad against bias_hh grad", lstm.bias_ih_l0.grad, lstm.bias_hh_l0.grad, 1e-6)

    tensors = {p: getattr(lstm, p + "_l0") for p in PARAMS}
    tensors.update({"d" + p: grad_of(getattr(lstm, p + "_l0")) for p in PARAMS})
    tensors.update({"x": x, "mask": mask, "y": y, "hn": hn, "cn": cn, "dy": dy, "dhn": dhn, "dcn": dcn,
                    "dx": grad_of(x)})
    return write_fixture(
        name,
        "torch.nn.LSTM(3, 4, batch_first=True) from a zero state under a Keras mask [B, T] (1 = valid) "
        "with holes and padding in front and at the end: rows every step / 3 padded in front / holes / "
        "only the last step / in front, a hole and at the end / 3 padded at the end. Built as Keras's "
        "semantics are defined: the packed LSTM on each sequence's valid steps compacted to the front, "
        "expanded back (a valid step gets its output, a masked step the previous output, zeros before "
        "the first valid step). hn, cn: the states after each sequence's last valid step. Gradients of "
        "sum(y*dy) + sum(hn*dhn) + sum(cn*dcn) (dy random at masked steps too); dx is 0 at masked steps; "
        "dbias_ih = dbias_hh.",
        config_of("lstm", None, sizes),
        tensors,
    )


# --------------------------------------------------------------------------- main


def describe(cell, state_words, last_only, lstm=False):
    states = "hn and cn are the states" if lstm else "hn is the state"
    cell_term = " + sum(cn*dcn)" if lstm else ""
    packed = (f"{cell} run on pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False) "
              f"{state_words}; lengths [B] (floats) random, unsorted, one of T and one of 1. ")
    if last_only:
        return packed + ("y_last [B, H] is each sequence's last valid output (= hn); gradients of "
                         "sum(y_last*dy_last); dx is 0 at padded steps; both bias gradients are equal.")
    return packed + (
        "y [B, T, H] is in Recur's (Keras's) semantics: at a padded step the sequence's last valid "
        "output repeated (a gather, so dy there flows into it); y_torch is pad_packed_sequence's "
        f"(0 at padding), for the record. {states} after each sequence's last valid step. Gradients "
        f"of sum(y*dy) + sum(hn*dhn){cell_term}, dy random at padded steps too; dx is 0 at padded steps.")


def main():
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}")
    state = "with initial state h0"
    total = 0
    total += make_single(
        "lstm_packed.json", "lstm", None, (4, 5, 6, 7), 12001, True, False,
        describe("torch.nn.LSTM(4, 5, batch_first=True)", state + " and c0", False, lstm=True)
        + " dbias_ih = dbias_hh (Recur's one bias gets it); forget bias 0.")
    total += make_single(
        "gru_packed.json", "gru", None, (3, 4, 5, 8), 12002, True, False,
        describe("torch.nn.GRU(3, 4, batch_first=True) (gates r, z, n; two biases)", state, False))
    total += make_single(
        "rnn_tanh_packed.json", "rnn", "tanh", (5, 4, 6, 6), 12003, True, False,
        describe("torch.nn.RNN(5, 4, nonlinearity='tanh', batch_first=True)", state, False)
        + " dbias_ih = dbias_hh.")
    total += make_single(
        "rnn_relu_packed.json", "rnn", "relu", (4, 6, 5, 7), 12004, True, False,
        describe("torch.nn.RNN(4, 6, nonlinearity='relu', batch_first=True)", state, False)
        + " dbias_ih = dbias_hh.")
    total += make_single(
        "lstm_packed_last.json", "lstm", None, (3, 4, 5, 6), 12005, False, True,
        describe("torch.nn.LSTM(3, 4, batch_first=True)", "from a zero state", True, lstm=True) + " Forget bias 0.")
    total += make_two_layer()
    total += make_bidirectional("lstm", (4, 4, 5, 6), 12007, last_only=False)
    total += make_bidirectional("lstm", (4, 4, 5, 6), 12007, last_only=True)
    total += make_bidirectional("gru", (3, 5, 6, 7), 12008, last_only=False)
    total += make_bidirectional("gru", (3, 5, 6, 7), 12008, last_only=True)
    total += make_holes()
    print(f"all checks passed; {total} bytes in total")
    return 0


if __name__ == "__main__":
    sys.exit(main())
