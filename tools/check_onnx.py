#!/usr/bin/env python3
"""Check ONNX files that Recur exported, without Recur's code.

Usage: check_onnx.py FILE.onnx [FILE.onnx ...]

Each file is loaded with the Python onnx package and checked with
onnx.checker.check_model(model, full_check=True), which also runs ONNX's shape
inference over the graph. For each file it prints the IR version, the opset, the
producer, and the graph's inputs and outputs with their shapes (dynamic axes by
name). Exit status: 0 when every file passes, 1 when one fails, 2 for bad usage,
3 when the onnx module is missing (Debian: apt-get install python3-onnx).

Debian 12's python3-onnx is 1.12, which knows opsets up to 17 and IR version 8:
check files exported with Recur's default opset, 17.
"""

import sys


def describe(values):
    parts = []
    for v in values:
        dims = [d.dim_param or str(d.dim_value) for d in v.type.tensor_type.shape.dim]
        parts.append(f"{v.name} [{', '.join(dims)}]")
    return ", ".join(parts)


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        import onnx
    except ImportError:
        print("check_onnx.py: the Python module onnx is missing; install it (Debian: apt-get install python3-onnx) "
              "or run this with the Python that has it.", file=sys.stderr)
        return 3

    failed = 0
    for path in argv[1:]:
        try:
            model = onnx.load(path)
            onnx.checker.check_model(model, full_check=True)
        except Exception as e:  # the checker's errors are several classes; report each the same way
            message = " ".join(str(e).split())
            print(f"{path}: FAILED: {type(e).__name__}: {message}")
            failed += 1
            continue
        opsets = ", ".join(f"{o.domain or 'ai.onnx'} {o.version}" for o in model.opset_import)
        print(f"{path}: ok (IR {model.ir_version}, opset {opsets}, {model.producer_name} {model.producer_version}, "
              f"{len(model.graph.node)} nodes; inputs {describe(model.graph.input)}; outputs {describe(model.graph.output)})")

    print(f"check_onnx.py: {len(argv) - 1 - failed} of {len(argv) - 1} files pass onnx.checker (onnx {onnx.__version__})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
