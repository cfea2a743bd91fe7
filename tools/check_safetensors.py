#!/usr/bin/env python3
"""Reads a safetensors file with json + struct and PyTorch's torch.frombuffer, checking it.

It does not use the `safetensors` package: the header is parsed here and every rule of
the format is checked (header length within the file, a JSON object starting with '{',
no duplicate names, string-only __metadata__, known dtypes, byte sizes equal to
shape x dtype size, tensors back to back from offset 0 to the end of the file). Then each
tensor is made with torch.frombuffer and printed as `name dtype shape sum`.

Usage:
    check_safetensors.py [--json] FILE

Exit status: 0 when the file checks out, 1 on any problem (the message names it).
Other scripts can `from check_safetensors import read_safetensors`.
"""

import argparse
import json
import struct
import sys

MAX_HEADER = 100_000_000

# safetensors dtype -> (element size, torch dtype name); torch 1.13 has no U16/U32/U64.
DTYPES = {
    "F64": (8, "float64"), "F32": (4, "float32"), "F16": (2, "float16"), "BF16": (2, "bfloat16"),
    "I64": (8, "int64"), "I32": (4, "int32"), "I16": (2, "int16"), "I8": (1, "int8"),
    "U8": (1, "uint8"), "BOOL": (1, "bool"),
}


class SafeTensorsError(ValueError):
    pass


def _no_duplicates(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise SafeTensorsError(f"the header lists {key!r} twice")
        seen[key] = value
    return seen


def read_header(blob):
    """Checks the header of the file's bytes; returns (entries sorted by offset, metadata, data start)."""
    if len(blob) < 8:
        raise SafeTensorsError(f"the file is {len(blob)} bytes long, less than the 8-byte header length")
    (n,) = struct.unpack("<Q", blob[:8])
    if n > MAX_HEADER:
        raise SafeTensorsError(f"the header length {n} is over the {MAX_HEADER}-byte limit")
    if 8 + n > len(blob):
        raise SafeTensorsError(f"the header length says {n} bytes but only {len(blob) - 8} follow (truncated)")
    raw = blob[8:8 + n]
    if not raw.startswith(b"{"):
        raise SafeTensorsError("the header does not start with '{'")
    try:
        header = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SafeTensorsError(f"the header is not valid JSON: {e}") from None
    if not isinstance(header, dict):
        raise SafeTensorsError("the header is not a JSON object")

    metadata = header.pop("__metadata__", {})
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise SafeTensorsError("__metadata__ must map strings to strings")

    entries = []
    for name, info in header.items():
        if not isinstance(info, dict):
            raise SafeTensorsError(f"tensor {name!r}: not an object")
        dtype, shape, offsets = info.get("dtype"), info.get("shape"), info.get("data_offsets")
        if dtype not in DTYPES:
            raise SafeTensorsError(f"tensor {name!r}: dtype {dtype!r} is not one of {', '.join(DTYPES)}")
        if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
            raise SafeTensorsError(f"tensor {name!r}: shape {shape!r} is not a list of non-negative integers")
        if (not isinstance(offsets, list) or len(offsets) != 2
                or not all(isinstance(o, int) and o >= 0 for o in offsets) or offsets[1] < offsets[0]):
            raise SafeTensorsError(f"tensor {name!r}: data_offsets {offsets!r} is not [begin, end]")
        count = 1
        for d in shape:
            count *= d
        size = count * DTYPES[dtype][0]
        if offsets[1] - offsets[0] != size:
            raise SafeTensorsError(f"tensor {name!r}: shape {shape} of {dtype} is {size} bytes, "
                                   f"data_offsets {offsets} span {offsets[1] - offsets[0]}")
        entries.append((offsets[0], offsets[1], name, dtype, shape))

    entries.sort()
    end = 0
    for begin, stop, name, _, _ in entries:
        if begin != end:
            raise SafeTensorsError(f"tensor {name!r} starts at byte {begin} of the data, expected {end} "
                                   "(tensors must be back to back, without holes or overlaps)")
        end = stop
    data_length = len(blob) - 8 - n
    if end != data_length:
        raise SafeTensorsError(f"the header describes {end} bytes of data, the file has {data_length}"
                               + (" (truncated)" if end > data_length else ""))
    return entries, metadata, 8 + n


def read_safetensors(path):
    """Returns ({name: torch tensor} in file order, metadata) after checking the whole file."""
    import torch

    with open(path, "rb") as f:
        blob = f.read()
    entries, metadata, start = read_header(blob)
    if sys.byteorder != "little":
        raise SafeTensorsError("torch.frombuffer reads native byte order; this machine is big-endian")
    tensors = {}
    for begin, end, name, dtype, shape in entries:
        torch_dtype = getattr(torch, DTYPES[dtype][1])
        if end == begin:
            tensors[name] = torch.empty(shape, dtype=torch_dtype)
        else:
            buf = bytearray(blob[start + begin:start + end])
            tensors[name] = torch.frombuffer(buf, dtype=torch_dtype).reshape(shape)
    return tensors, metadata


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", metavar="FILE")
    ap.add_argument("--json", action="store_true", help="print names, dtypes, shapes and sums as JSON")
    args = ap.parse_args(argv)
    try:
        tensors, metadata = read_safetensors(args.file)
    except (SafeTensorsError, OSError) as e:
        print(f"check_safetensors: {args.file}: {e}", file=sys.stderr)
        return 1

    rows = [{"name": name, "dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape),
             "sum": float(t.double().sum().item())} for name, t in tensors.items()]
    if args.json:
        print(json.dumps({"metadata": metadata, "tensors": rows}, indent=1, allow_nan=True))
    else:
        for key in sorted(metadata):
            print(f"metadata {key} = {metadata[key]!r}")
        for r in rows:
            print(f"{r['name']} {r['dtype']} {r['shape']} {r['sum']:.9g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
