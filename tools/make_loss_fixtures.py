#!/usr/bin/env python3
"""Write the PyTorch reference fixtures of Recur's losses beyond softmax_ce.json.

Run from anywhere (paths are relative to this file):

    /usr/bin/python3 tools/make_loss_fixtures.py

Same format, settings and guarantees as make_fixtures.py, whose writer it uses: float32, one
thread, a fixed seed per fixture, sorted keys, every float the exact decimal of its float32
value, so rerunning it rewrites byte-identical files.

Every loss uses PyTorch's default reduction="mean" (the convention of softmax_ce.json), which is
Recur's: the mean over every element for the elementwise losses (Keras's mean over the last axis,
then over the rows, is the same number), and the mean over the rows for the cross-entropies. A
masked per-step loss is the mean over the valid steps: for cross-entropy, PyTorch's
cross_entropy over [B, C, T] with ignore_index at the masked steps; for MSE, MSELoss on the
valid steps' rows picked out by a boolean mask. Each "d<loss>" tensor is the gradient of the
loss with respect to the predictions.
"""

import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

from make_fixtures import grad_of, randn, write_fixture

IGNORE = -100


def loss_and_grad(fn, pred):
    """fn(pred) for a fresh leaf copy of pred: (loss [1], dloss/dpred)."""
    p = pred.detach().clone().requires_grad_(True)
    loss = fn(p)
    loss.backward()
    return loss.detach().reshape(1), grad_of(p)


def make_regression():
    torch.manual_seed(7101)
    pred = randn(3, 4, 2, scale=1.5)
    target = randn(3, 4, 2, scale=1.5)
    with torch.no_grad():
        target[0, 0, 0] = pred[0, 0, 0]  # an exact tie: L1's gradient is 0 there
    lengths = torch.tensor([4, 2, 3])
    valid = torch.arange(4)[None, :] < lengths[:, None]  # [B, T]
    tensors = {"pred": pred, "target": target, "valid": valid.to(torch.float32)}
    for name, fn in [
        ("mse", nn.MSELoss()),
        ("mae", nn.L1Loss()),
        ("huber", nn.HuberLoss(delta=1.0)),
        ("huber_half", nn.HuberLoss(delta=0.5)),
    ]:
        tensors[name], tensors["d" + name] = loss_and_grad(lambda p: fn(p, target), pred)
    tensors["mse_masked"], tensors["dmse_masked"] = loss_and_grad(lambda p: nn.MSELoss()(p[valid], target[valid]), pred)
    assert tensors["dmae"][0, 0, 0].item() == 0.0
    assert (tensors["dmse_masked"][~valid] == 0).all()
    # Huber with delta 0.5 has elements on both sides of delta.
    d = (pred - target).abs()
    assert (d < 0.5).any() and (d > 0.5).any()
    return write_fixture(
        "loss_regression.json",
        "nn.MSELoss, nn.L1Loss and nn.HuberLoss (delta 1 and 0.5), reduction mean, on pred and target "
        "[3, 4, 2] with one exact tie; mse_masked is nn.MSELoss on the valid steps (lengths 4, 2, 3; "
        "valid [B, T]) only. d<name> is the gradient with respect to pred.",
        {"batch": 3, "steps": 4, "features": 2, "reduction": "mean"},
        tensors,
    )


def make_binary():
    torch.manual_seed(7202)
    logits = randn(4, 3, scale=3.0)
    target = (torch.rand(4, 3) > 0.5).to(torch.float32)
    with torch.no_grad():
        logits[0, 0], target[0, 0] = 100.0, 0.0  # exp(100) overflows float32: the stable form must not
        logits[1, 1], target[1, 1] = -120.0, 1.0
        target[2, 2] = 0.3  # a soft label
    probs = torch.sigmoid(randn(4, 3, scale=1.5))  # well inside (1e-7, 1 - 1e-7): no clipping
    tensors = {"logits": logits, "target": target, "probs": probs}
    tensors["bce_logits"], tensors["dbce_logits"] = loss_and_grad(lambda z: nn.BCEWithLogitsLoss()(z, target), logits)
    tensors["bce_probs"], tensors["dbce_probs"] = loss_and_grad(lambda p: nn.BCELoss()(p, target), probs)
    assert torch.isfinite(tensors["bce_logits"]).all()
    return write_fixture(
        "loss_binary.json",
        "nn.BCEWithLogitsLoss on logits [4, 3] (with +100 on a 0 label and -120 on a 1 label) and "
        "nn.BCELoss on probabilities [4, 3], targets 0/1 with one soft label 0.3, reduction mean; "
        "d<name> is the gradient with respect to the logits or probabilities.",
        {"batch": 4, "outputs": 3, "reduction": "mean"},
        tensors,
    )


def make_per_step_ce():
    torch.manual_seed(7303)
    B, T, C = 3, 5, 4
    logits = randn(B, T, C, scale=2.0)
    labels = torch.randint(0, C, (B, T))
    lengths = torch.tensor([5, 3, 2])
    valid = torch.arange(T)[None, :] < lengths[:, None]
    ignored = torch.where(valid, labels, torch.full_like(labels, IGNORE))
    onehot = F.one_hot(labels, C).to(torch.float32)
    probs = torch.softmax(logits, -1)

    def ce(z, y):
        return F.cross_entropy(z.permute(0, 2, 1), y, ignore_index=IGNORE)  # [B, C, T]

    def nll_probs(p, y):
        return F.nll_loss(torch.log(p).permute(0, 2, 1), y, ignore_index=IGNORE)

    tensors = {"logits": logits, "labels": labels.to(torch.float32), "onehot": onehot, "probs": probs,
               "valid": valid.to(torch.float32)}
    tensors["ce"], tensors["dce"] = loss_and_grad(lambda z: ce(z, labels), logits)
    tensors["ce_masked"], tensors["dce_masked"] = loss_and_grad(lambda z: ce(z, ignored), logits)
    tensors["ce_probs_masked"], tensors["dce_probs_masked"] = loss_and_grad(lambda p: nll_probs(p, ignored), probs)
    assert (tensors["dce_masked"][~valid] == 0).all()
    return write_fixture(
        "loss_ce_steps.json",
        "Per-step cross-entropy: F.cross_entropy over logits [3, 5, 4] permuted to [B, C, T] with labels "
        "[B, T], the mean over every step (ce) and, with ignore_index at the padding of lengths 5, 3, 2 "
        "(valid [B, T]), over the valid steps (ce_masked); ce_probs_masked is F.nll_loss of log(probs), "
        "probs = softmax(logits), likewise masked (Keras's categorical cross-entropy on probabilities). "
        "d<name> is the gradient with respect to the logits or probabilities.",
        {"batch": B, "steps": T, "classes": C, "reduction": "mean", "ignore_index": IGNORE},
        tensors,
    )


def main():
    print(f"torch {torch.__version__}")
    total = make_regression() + make_binary() + make_per_step_ce()
    print(f"all checks passed; {total} bytes in total")
    return 0


if __name__ == "__main__":
    sys.exit(main())
