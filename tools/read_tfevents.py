#!/usr/bin/env python3
"""Reads TensorBoard event files on its own and checks them.

Standard library only: the TFRecord framing is checked with a CRC-32C written out here
(zlib's crc32 is a different polynomial), and the Event / Summary protocol buffers are
decoded by hand. For every file it checks both CRCs of every record, that the first
record is file_version "brain.Event:2", and that every record decodes; then it prints
each scalar as `step tag value`.

Usage:
    read_tfevents.py [--json] [--expect TAG=STEP:VALUE,...] [--tolerance T] PATH...

PATH is an event file or a directory searched recursively for files whose name
contains "tfevents" (Keras-style runs keep train/ and validation/ subfolders; pass
one of them to check it alone). Exit status: 0 when everything checks out, 1 on any
problem (the message says which file, which record and what), 2 on bad usage.
"""

import argparse
import json
import math
import os
import struct
import sys

FILE_VERSION = "brain.Event:2"


def _crc32c_table():
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _crc32c_table()


def crc32c(data):
    """CRC-32C (Castagnoli): reflected polynomial 0x82F63B78, init and final xor 0xFFFFFFFF."""
    crc = 0xFFFFFFFF
    for b in data:
        crc = _TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data):
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


class Problem(Exception):
    pass


def read_records(path):
    """Yields (offset, data) for each TFRecord of the file, checking lengths and CRCs."""
    with open(path, "rb") as f:
        blob = f.read()
    pos = 0
    index = 0
    while pos < len(blob):
        if len(blob) - pos < 12:
            raise Problem(f"record {index} at byte {pos}: {len(blob) - pos} bytes left, "
                          "less than the 12-byte record header (the file is truncated)")
        header = blob[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (length_crc,) = struct.unpack("<I", blob[pos + 8:pos + 12])
        if length_crc != masked_crc32c(header):
            raise Problem(f"record {index} at byte {pos}: the length CRC is 0x{length_crc:08x}, "
                          f"expected 0x{masked_crc32c(header):08x}")
        if len(blob) - pos - 12 < length + 4:
            raise Problem(f"record {index} at byte {pos}: says {length} bytes of data and a 4-byte CRC, "
                          f"but only {len(blob) - pos - 12} bytes follow (the file is truncated)")
        data = blob[pos + 12:pos + 12 + length]
        (data_crc,) = struct.unpack("<I", blob[pos + 12 + length:pos + 16 + length])
        if data_crc != masked_crc32c(data):
            raise Problem(f"record {index} at byte {pos}: the data CRC is 0x{data_crc:08x}, "
                          f"expected 0x{masked_crc32c(data):08x}")
        yield pos, data
        pos += 16 + length
        index += 1


def _varint(buf, pos):
    result = 0
    shift = 0
    while True:
        if pos >= len(buf):
            raise Problem("a varint runs past the end of its message")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise Problem("a varint is longer than 10 bytes")


def fields(buf):
    """Yields (field number, wire type, value) of a protobuf message; value is an int or bytes."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise Problem("a field has number 0")
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 1:
            if pos + 8 > len(buf):
                raise Problem(f"field {number}: a fixed64 runs past the end")
            value = buf[pos:pos + 8]
            pos += 8
        elif wire == 2:
            n, pos = _varint(buf, pos)
            if pos + n > len(buf):
                raise Problem(f"field {number}: {n} bytes run past the end of the message")
            value = buf[pos:pos + n]
            pos += n
        elif wire == 5:
            if pos + 4 > len(buf):
                raise Problem(f"field {number}: a fixed32 runs past the end")
            value = buf[pos:pos + 4]
            pos += 4
        else:
            raise Problem(f"field {number} has unsupported wire type {wire}")
        yield number, wire, value


def _signed64(v):
    return v - (1 << 64) if v >= 1 << 63 else v


def _tensor_scalar(buf):
    """The value of a scalar TensorProto (dtype 1 = float, 2 = double), as TF2 summaries write."""
    dtype = 0
    values = []
    content = b""
    for number, wire, value in fields(buf):
        if number == 1 and wire == 0:
            dtype = value
        elif number == 4 and wire == 2:
            content = value
        elif number == 5 and wire == 2:  # packed float_val
            values += [v for (v,) in struct.iter_unpack("<f", value)]
        elif number == 5 and wire == 5:
            values.append(struct.unpack("<f", value)[0])
        elif number == 6 and wire == 2:  # packed double_val
            values += [v for (v,) in struct.iter_unpack("<d", value)]
        elif number == 6 and wire == 1:
            values.append(struct.unpack("<d", value)[0])
    if not values and content:
        fmt = {1: "<f", 2: "<d"}.get(dtype)
        if fmt and len(content) == struct.calcsize(fmt):
            values = [struct.unpack(fmt, content)[0]]
    return values[0] if len(values) == 1 else None


def decode_event(buf):
    event = {"wall_time": 0.0, "step": 0, "file_version": None, "scalars": []}
    for number, wire, value in fields(buf):
        if number == 1 and wire == 1:
            event["wall_time"] = struct.unpack("<d", value)[0]
        elif number == 2 and wire == 0:
            event["step"] = _signed64(value)
        elif number == 3 and wire == 2:
            event["file_version"] = value.decode("utf-8")
        elif number == 5 and wire == 2:
            for vnum, vwire, vbuf in fields(value):
                if vnum != 1 or vwire != 2:
                    continue
                tag, scalar = None, None
                for f, w, v in fields(vbuf):
                    if f == 1 and w == 2:
                        tag = v.decode("utf-8")
                    elif f == 2 and w == 5:
                        scalar = struct.unpack("<f", v)[0]
                    elif f == 8 and w == 2:
                        scalar = _tensor_scalar(v)
                if tag is None:
                    raise Problem("a Summary.Value has no tag")
                if scalar is not None:
                    event["scalars"].append((tag, scalar))
        elif number in (1, 2, 3, 5):
            raise Problem(f"Event field {number} has wire type {wire}, not the one event.proto gives it")
    return event


def read_file(path):
    """Checks one event file; returns a dict with its scalars."""
    scalars = []
    count = 0
    version = None
    for index, (offset, data) in enumerate(read_records(path)):
        try:
            event = decode_event(data)
        except Problem as e:
            raise Problem(f"record {index} at byte {offset}: {e}") from None
        if index == 0:
            version = event["file_version"]
            if version != FILE_VERSION:
                raise Problem(f"the first record's file_version is {version!r}, expected {FILE_VERSION!r}")
            if event["wall_time"] <= 0:
                raise Problem("the first record has no wall_time")
        for tag, value in event["scalars"]:
            scalars.append({"step": event["step"], "tag": tag, "value": value,
                            "wall_time": event["wall_time"]})
        count += 1
    if count == 0:
        raise Problem("the file holds no records")
    return {"file_version": version, "records": count, "scalars": scalars}


def find_files(paths):
    found = []
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, names in os.walk(p):
                dirs.sort()
                for name in sorted(names):
                    if "tfevents" in name:
                        full = os.path.join(root, name)
                        found.append((full, os.path.relpath(root, p)))
        elif os.path.isfile(p):
            found.append((p, "."))
        else:
            raise Problem(f"{p}: no such file or directory")
    if not found:
        raise Problem(f"no file whose name contains 'tfevents' under {', '.join(paths)}")
    return found


def parse_expect(text):
    """'tag=step:value,...' -> [(tag, step, value)]; the tag may hold '/', the value may be nan."""
    expected = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        tag, sep, rest = item.rpartition("=")
        step, sep2, value = rest.partition(":")
        if not sep or not sep2 or not tag:
            raise ValueError(f"--expect item {item!r} is not TAG=STEP:VALUE")
        expected.append((tag, int(step), float(value)))
    return expected


def matches(actual, wanted, tolerance):
    if math.isnan(wanted):
        return math.isnan(actual)
    if math.isinf(wanted):
        return actual == wanted
    return abs(actual - wanted) <= tolerance * max(1.0, abs(wanted))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+", metavar="PATH", help="event file or directory")
    ap.add_argument("--json", action="store_true", help="print the files and scalars as JSON")
    ap.add_argument("--expect", default="", metavar="TAG=STEP:VALUE,...",
                    help="scalars that must be present (any file), compared to --tolerance")
    ap.add_argument("--tolerance", type=float, default=1e-6,
                    help="relative tolerance of --expect (default 1e-6, about float32 precision)")
    args = ap.parse_args(argv)
    try:
        expected = parse_expect(args.expect)
    except ValueError as e:
        ap.error(str(e))

    try:
        files = find_files(args.paths)
    except Problem as e:
        print(f"read_tfevents: {e}", file=sys.stderr)
        return 1

    results = []
    failed = False
    for path, run in files:
        try:
            info = read_file(path)
        except (Problem, OSError, UnicodeDecodeError) as e:
            print(f"read_tfevents: {path}: {e}", file=sys.stderr)
            failed = True
            continue
        info["path"] = path
        info["run"] = run
        results.append(info)

    if args.json:
        print(json.dumps({"files": results}, indent=1, allow_nan=True))
    else:
        for info in results:
            if len(files) > 1:
                print(f"# {info['path']} ({info['records']} records)")
            for s in info["scalars"]:
                print(f"{s['step']} {s['tag']} {s['value']:.9g}")

    for tag, step, value in expected:
        found = [s["value"] for info in results for s in info["scalars"]
                 if s["tag"] == tag and s["step"] == step]
        if not any(matches(v, value, args.tolerance) for v in found):
            got = ", ".join(f"{v:.9g}" for v in found) if found else "nothing"
            print(f"read_tfevents: expected {tag} = {value!r} at step {step}, found {got}", file=sys.stderr)
            failed = True

    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
