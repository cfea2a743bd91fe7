#!/usr/bin/env python3
"""Write PyTorch fixtures for stacked and bidirectional LSTMs.

    python3 tools/make_stacked_fixtures.py

Same format, determinism and conventions as tools/make_fixtures.py, whose
writer this script uses:

- lstm_two_layer.json: torch.nn.LSTM(num_layers=2), which is Recur's
  Lstm(return_sequences) -> Lstm with forget_bias 0.
- lstm_bidirectional.json: torch.nn.LSTM(bidirectional=True); its output
  [B, T, 2H] is Recur's Bidirectional(Lstm, Lstm, concat) with return
  sequences, and [output[:, -1, :H], output[:, 0, H:]] is the same layer
  returning the last step (Keras's Bidirectional(LSTM)).
"""

import sys

import torch

from make_fixtures import grad_of, randn, write_fixture


def weights(lstm, suffix):
    return {
        "weight_ih" + suffix: getattr(lstm, "weight_ih" + suffix),
        "weight_hh" + suffix: getattr(lstm, "weight_hh" + suffix),
        "bias_ih" + suffix: getattr(lstm, "bias_ih" + suffix),
        "bias_hh" + suffix: getattr(lstm, "bias_hh" + suffix),
    }


def gradients(lstm, suffix):
    g_ih = grad_of(getattr(lstm, "bias_ih" + suffix))
    assert torch.allclose(g_ih, grad_of(getattr(lstm, "bias_hh" + suffix)), rtol=0, atol=1e-6)
    return {
        "dweight_ih" + suffix: grad_of(getattr(lstm, "weight_ih" + suffix)),
        "dweight_hh" + suffix: grad_of(getattr(lstm, "weight_hh" + suffix)),
        "dbias" + suffix: g_ih,
    }


def make_lstm(seed, input_size, hidden, **kwargs):
    torch.manual_seed(seed)
    lstm = torch.nn.LSTM(input_size=input_size, hidden_size=hidden, batch_first=True, **kwargs)
    with torch.no_grad():
        for p in lstm.parameters():
            p.copy_(randn(*p.shape, scale=0.5))
    return lstm


def make_two_layer():
    I, H, B, T = 5, 4, 3, 6
    lstm = make_lstm(3003, I, H, num_layers=2)
    x = randn(B, T, I).requires_grad_(True)
    dy = randn(B, T, H)
    y, _ = lstm(x)
    (y * dy).sum().backward()
    tensors = {"x": x, "y": y, "dy": dy, "dx": grad_of(x)}
    for suffix in ("_l0", "_l1"):
        tensors.update(weights(lstm, suffix))
        tensors.update(gradients(lstm, suffix))
    return write_fixture(
        "lstm_two_layer.json",
        "torch.nn.LSTM(5, 4, num_layers=2, batch_first=True) on x from a zero state; y is the "
        "second layer's output at every step; gradients of sum(y*dy); dbias_lK is the gradient "
        "of bias_ih_lK, equal to that of bias_hh_lK.",
        {"input_size": I, "hidden_size": H, "batch": B, "steps": T, "forget_bias": 0.0},
        tensors,
    )


def make_bidirectional():
    I, H, B, T = 5, 4, 3, 6
    lstm = make_lstm(4004, I, H, bidirectional=True)
    x = randn(B, T, I).requires_grad_(True)
    dy = randn(B, T, 2 * H)
    y, (hn, _) = lstm(x)
    # The last-step form Keras returns: forward's last output and backward's output at step 0.
    last = torch.cat([y[:, -1, :H], y[:, 0, H:]], dim=1)
    assert torch.allclose(last, torch.cat([hn[0], hn[1]], dim=1))
    (y * dy).sum().backward()
    tensors = {"x": x, "y": y, "last": last, "dy": dy, "dx": grad_of(x)}
    for suffix in ("_l0", "_l0_reverse"):
        tensors.update(weights(lstm, suffix))
        tensors.update(gradients(lstm, suffix))
    return write_fixture(
        "lstm_bidirectional.json",
        "torch.nn.LSTM(5, 4, bidirectional=True, batch_first=True) on x from a zero state; y "
        "[B, T, 2H] is [forward, backward] at every step; last = [y[:, -1, :H], y[:, 0, H:]]; "
        "gradients of sum(y*dy); *_l0_reverse are the backward direction's.",
        {"input_size": I, "hidden_size": H, "batch": B, "steps": T, "forget_bias": 0.0},
        tensors,
    )


def main():
    torch.set_num_threads(1)
    total = make_two_layer() + make_bidirectional()
    print(f"all checks passed; {total} bytes in total")
    return 0


if __name__ == "__main__":
    sys.exit(main())
