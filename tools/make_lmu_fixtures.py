#!/usr/bin/env python3
"""Write the PyTorch reference fixtures of the Legendre Memory Unit layer (Recur's Lmu).

Run from anywhere (paths are relative to this file):

    python3 tools/make_lmu_fixtures.py

Same format, settings and guarantees as make_fixtures.py, whose writer it uses: float32, one
thread, a fixed seed per fixture, sorted keys, every float the exact decimal of its float32
value, so rerunning it rewrites byte-identical files.

The LMU is written here in PyTorch ops from the paper (Voelker, Kajic and Eliasmith 2019), not
from Recur's code: the Legendre (A, B) of order d for window theta, discretised by zero-order hold
with torch.matrix_exp in float64 and B_bar = A^-1 (A_bar - I) B by torch.linalg.solve (Recur
exponentiates the augmented matrix instead), then per step

    u_t = e_x x_t (+ e_h h_{t-1}) (+ e_m m_{t-1})
    m_t = A_bar m_{t-1} + B_bar u_t
    h_t = tanh(W_m m_t + W_h h_{t-1} (+ W_x x_t) + bias)

from zero states. "dy" is the upstream gradient; the autograd loss is sum(y * dy).
"""

import sys

import torch

from make_fixtures import grad_of, randn, write_fixture


def legendre(order, theta):
    """The continuous A [d, d] and B [d] in float64."""
    a = torch.zeros(order, order, dtype=torch.float64)
    b = torch.zeros(order, dtype=torch.float64)
    for i in range(order):
        scale = (2 * i + 1) / theta
        b[i] = scale * (-1) ** i
        for j in range(order):
            a[i, j] = scale * (-1 if i < j else (-1) ** (i - j + 1))
    return a, b


def discretise(order, theta):
    """Zero-order hold for a step of 1: A_bar = expm(A), B_bar = A^-1 (A_bar - I) B."""
    a, b = legendre(order, theta)
    a_bar = torch.matrix_exp(a)
    b_bar = torch.linalg.solve(a, (a_bar - torch.eye(order, dtype=torch.float64)) @ b)
    return a_bar, b_bar


def lmu(x, a_bar, b_bar, p, hidden):
    """x [B, T, I] -> every step's output [B, T, H] (or the memory [B, T, d] when hidden is None)."""
    batch, steps, _ = x.shape
    order = b_bar.shape[0]
    m = torch.zeros(batch, order)
    h = torch.zeros(batch, hidden or 0)
    ys = []
    for t in range(steps):
        u = x[:, t] @ p["input_encoders"].t()
        if "hidden_encoders" in p:
            u = u + h @ p["hidden_encoders"].t()
        if "memory_encoders" in p:
            u = u + m @ p["memory_encoders"].t()
        m = m @ a_bar.t() + u @ b_bar.unsqueeze(0)
        if hidden is None:
            ys.append(m)
            continue
        a = m @ p["memory_kernel"].t() + h @ p["recurrent_kernel"].t() + p["bias"]
        if "input_kernel" in p:
            a = a + x[:, t] @ p["input_kernel"].t()
        h = torch.tanh(a)
        ys.append(h)
    return torch.stack(ys, dim=1)


def make_lmu(name, sizes, theta, hidden, options, last_only, seed, description):
    I, d, B, T = sizes
    torch.manual_seed(seed)
    shapes = {"input_encoders": (1, I)}
    if "hidden_to_memory" in options:
        shapes["hidden_encoders"] = (1, hidden)
    if "memory_to_memory" in options:
        shapes["memory_encoders"] = (1, d)
    if hidden is not None:
        shapes["memory_kernel"] = (hidden, d)
        shapes["recurrent_kernel"] = (hidden, hidden)
        shapes["bias"] = (hidden,)
    if "input_to_hidden" in options:
        shapes["input_kernel"] = (hidden, I)
    p = {k: randn(*s, scale=0.5).requires_grad_(True) for k, s in shapes.items()}
    x = randn(B, T, I).requires_grad_(True)
    a64, b64 = discretise(d, theta)
    a_bar, b_bar = a64.float(), b64.float()
    y = lmu(x, a_bar, b_bar, p, hidden)
    if last_only:
        y = y[:, -1]
    dy = randn(*y.shape)
    (y * dy).sum().backward()

    tensors = {"x": x.detach(), "y": y.detach(), "dy": dy, "dx": grad_of(x), "a_bar": a_bar, "b_bar": b_bar}
    for k, v in p.items():
        tensors[k] = v.detach()
        tensors["d_" + k] = grad_of(v)
    config = {
        "input_size": I, "order": d, "theta": theta, "units": hidden or 0,
        "hidden_to_memory": int("hidden_to_memory" in options),
        "memory_to_memory": int("memory_to_memory" in options),
        "input_to_hidden": int("input_to_hidden" in options),
        "return_sequences": int(not last_only),
    }
    return write_fixture(name, description, config, tensors)


def make_matrices(name, order, theta):
    a64, b64 = discretise(order, theta)
    # The ZOH identity A B_bar = (A_bar - I) B holds to float64 rounding.
    a, b = legendre(order, theta)
    assert torch.allclose(a @ b64, (a64 - torch.eye(order, dtype=torch.float64)) @ b, atol=1e-12)
    return write_fixture(
        name,
        f"The zero-order-hold Legendre system of order {order}, theta {theta}: torch.matrix_exp(A) in "
        "float64 and A^-1 (A_bar - I) B by torch.linalg.solve, rounded to float32.",
        {"order": order, "theta": theta},
        {"a_bar": a64.float(), "b_bar": b64.float()})


def main():
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}")
    total = 0
    total += make_lmu(
        "lmu_all_options.json", (2, 4, 3, 6), 5.0, 3, ("hidden_to_memory", "memory_to_memory", "input_to_hidden"),
        False, 12012,
        "LMU(order=4, theta=5, units=3) with hidden_to_memory, memory_to_memory and input_to_hidden on "
        "x [3, 6, 2], every step returned; gradients of sum(y*dy).")
    total += make_lmu(
        "lmu_hidden_last.json", (3, 5, 4, 7), 7.5, 4, (), True, 13013,
        "LMU(order=5, theta=7.5, units=4), keras-lmu's default connections (memory from x only) on "
        "x [4, 7, 3], the last step returned; gradients of sum(y*dy).")
    total += make_lmu(
        "lmu_memory_last.json", (2, 6, 3, 9), 8.0, None, (), True, 14014,
        "A memory-only LMU(order=6, theta=8) (output m_t) on x [3, 9, 2], the last step returned "
        "(Recur's parallel form); gradients of sum(y*dy).")
    total += make_lmu(
        "lmu_memory_sequences.json", (1, 5, 2, 8), 6.0, None, ("memory_to_memory",), False, 15015,
        "A memory-only LMU(order=5, theta=6) with memory_to_memory on x [2, 8, 1], every step "
        "returned; gradients of sum(y*dy).")
    total += make_matrices("lmu_matrices.json", 24, 30.0)
    print(f"all checks passed; {total} bytes in total")
    return 0


if __name__ == "__main__":
    sys.exit(main())
