#!/usr/bin/env python3
"""Write the PyTorch reference fixture of Recur's Embedding: torch.nn.Embedding, with and without padding_idx.

Run from anywhere (paths are relative to this file):

    python3 tools/make_embedding_fixtures.py

Same format, settings and guarantees as make_fixtures.py, whose writer it uses: float32, one
thread, a fixed seed, sorted keys, exact float32 decimals, byte-identical reruns.

Token ids are written as floats holding whole numbers, as Recur carries them. Each case has
repeated ids (their rows' gradients are sums) and the padding case has the padding id at several
steps (its row gets no gradient). "dy" is the upstream gradient: the autograd loss is sum(y * dy).
"""

import torch

from make_fixtures import grad_of, randn, write_fixture


def case(prefix, num, dim, padding_idx, ids):
    """One nn.Embedding(num, dim, padding_idx) forward and backward on ids [B, T]."""
    emb = torch.nn.Embedding(num, dim, padding_idx=padding_idx)
    if padding_idx is not None:
        row = emb.padding_idx  # made non-negative by PyTorch
        assert torch.count_nonzero(emb.weight[row]) == 0, "padding_idx's row starts at zero"
    weight = randn(num, dim)
    if padding_idx is not None:
        weight[emb.padding_idx] = 0
    with torch.no_grad():
        emb.weight.copy_(weight)
    x = torch.tensor(ids, dtype=torch.long)
    y = emb(x)
    dy = randn(*y.shape)
    (y * dy).sum().backward()
    dweight = grad_of(emb.weight)

    # Sanity: the scatter-add, by hand.
    expected = torch.zeros(num, dim)
    for b in range(x.shape[0]):
        for t in range(x.shape[1]):
            i = int(x[b, t])
            if padding_idx is None or i != emb.padding_idx:
                expected[i] += dy[b, t]
    assert torch.allclose(dweight, expected, atol=1e-6)
    if padding_idx is not None:
        assert torch.count_nonzero(dweight[emb.padding_idx]) == 0

    return {
        prefix + "weight": weight,
        prefix + "x": x.to(torch.float32),
        prefix + "y": y,
        prefix + "dy": dy,
        prefix + "dweight": dweight,
    }


def main():
    torch.manual_seed(2024)
    tensors = {}
    # padding_idx 2: the padding id at four steps, ids 0, 5 and 9 repeated.
    tensors.update(case("pad_", 10, 4, 2, [[5, 2, 0, 9, 5], [2, 2, 7, 0, 9], [1, 5, 3, 2, 8]]))
    # no padding: every id gets its gradient, id 3 four times.
    tensors.update(case("plain_", 6, 3, None, [[3, 0, 3, 5], [3, 1, 3, 4]]))
    # padding_idx -1: PyTorch's row num - 1.
    tensors.update(case("last_", 5, 2, -1, [[4, 1, 4], [0, 4, 2]]))
    write_fixture(
        "embedding.json",
        "torch.nn.Embedding forward and the weight gradient of sum(y*dy): (10, 4, padding_idx=2) on ids [3,5] "
        "(pad_), (6, 3) on ids [2,4] (plain_), (5, 2, padding_idx=-1) on ids [2,3] (last_); ids as whole floats.",
        {"pad_num": 10, "pad_dim": 4, "pad_padding_idx": 2, "plain_num": 6, "plain_dim": 3,
         "last_num": 5, "last_dim": 2, "last_padding_idx": -1},
        tensors,
    )


if __name__ == "__main__":
    main()
