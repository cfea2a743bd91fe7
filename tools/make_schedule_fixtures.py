#!/usr/bin/env python3
"""Write the PyTorch reference fixture of Recur's OneCycle learning-rate schedule.

Run from anywhere (paths are relative to this file):

    /usr/bin/python3 tools/make_schedule_fixtures.py

Writes tests/Recur.Tests/fixtures/schedule_one_cycle.json: for each case, the settings of
torch.optim.lr_scheduler.OneCycleLR (anneal_strategy="cos", three_phase=False,
cycle_momentum=False) and the learning rate it gives the optimizer before each of its
total_steps steps (Recur's steps 1, 2, ...), as Python floats (doubles, exact via repr). The
optimizer is plain SGD over one parameter; only the rate is read. Rerunning the script
rewrites a byte-identical file.
"""

import json
import os
import pathlib

import torch

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "tests" / "Recur.Tests" / "fixtures"

# (max_lr, total_steps, pct_start, div_factor, final_div_factor)
CASES = [
    (0.004, 3000, 0.3, 25.0, 1e4),   # the defaults at the size of recur train --preset fast
    (0.01, 10, 0.3, 25.0, 1e4),      # short: the phase end 2.0 falls on a step
    (0.1, 17, 0.25, 10.0, 100.0),    # the phase end 3.25 falls between steps
    (1.0, 5, 0.5, 1.0, 1.0),         # a flat cycle: every rate is the peak
    (0.002, 7, 0.1, 25.0, 1e4),      # a warm-up shorter than a step (phase end -0.3)
]


def rates(max_lr, total_steps, pct_start, div_factor, final_div_factor):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=max_lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=max_lr, total_steps=total_steps, pct_start=pct_start, anneal_strategy="cos",
        cycle_momentum=False, div_factor=div_factor, final_div_factor=final_div_factor, three_phase=False)
    out = []
    for _ in range(total_steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return out


def main():
    cases = []
    for max_lr, total, pct, div, final in CASES:
        cases.append({"max_lr": max_lr, "total_steps": total, "pct_start": pct, "div_factor": div,
                      "final_div_factor": final, "rates": rates(max_lr, total, pct, div, final)})
    doc = {"description": f"torch {torch.__version__} OneCycleLR(anneal_strategy='cos', three_phase=False, "
                          "cycle_momentum=False): the rate before each step", "cases": cases}
    path = FIXTURES / "schedule_one_cycle.json"
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(doc, sort_keys=True) + "\n")
    os.replace(tmp, path)
    back = json.loads(path.read_text(encoding="utf-8"))
    assert [len(c["rates"]) for c in back["cases"]] == [c[1] for c in CASES]
    print(f"wrote {path.name}: {len(CASES)} cases, {sum(c[1] for c in CASES)} rates")


if __name__ == "__main__":
    main()
