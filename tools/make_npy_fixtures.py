#!/usr/bin/env python3
"""Write the .npy and .csv files that the C# data tests read.

Run from anywhere (paths are relative to this file):

    python3 tools/make_npy_fixtures.py

Needs NumPy (Debian: apt-get install python3-numpy; written against 1.24). Every
.npy file is written by NumPy itself (np.save, or np.lib.format.write_array to pick
the format version); the few "bad" files that NumPy cannot produce (a truncated
file, an unknown version, a damaged header) are NumPy's bytes with one documented
change. Output goes to tests/Recur.Tests/fixtures/npy/ and .../fixtures/csv/.

Nothing is random except the small training task, which uses the legacy
np.random.RandomState (its stream is frozen across NumPy versions), so rerunning the
script rewrites byte-identical files. It checks its work: every good file loads back
with np.load to the array that was saved, and the CSV files hold exactly the float32
values of the .npy files.
"""

import csv
import io
import os
import sys
from pathlib import Path

import warnings

import numpy as np

warnings.filterwarnings("ignore", message="Stored array in format 2.0")

ROOT = Path(__file__).resolve().parent.parent / "tests" / "Recur.Tests" / "fixtures"
NPY = ROOT / "npy"
CSV = ROOT / "csv"

written = []


def npy_bytes(array, version=None):
    """The bytes NumPy writes for ARRAY (np.save's format; VERSION forces 1.0, 2.0 or 3.0)."""
    buffer = io.BytesIO()
    if version is None:
        np.save(buffer, array)
    else:
        np.lib.format.write_array(buffer, array, version=version)
    return buffer.getvalue()


def write_bytes(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    written.append(path)


def save(name, array, version=None):
    """Write a good file and check NumPy reads it back unchanged."""
    data = npy_bytes(array, version)
    write_bytes(NPY / name, data)
    back = np.load(io.BytesIO(data), allow_pickle=False)
    assert back.dtype == array.dtype and back.shape == array.shape, name
    assert np.array_equal(back, array, equal_nan=array.dtype.kind == "f"), name
    if version is not None:
        assert data[6:8] == bytes(version), name
    return data


def numbers(shape):
    """Distinct, exactly representable float32 values: element k is k / 8 - 1."""
    count = int(np.prod(shape))
    return (np.arange(count, dtype=np.float32) / np.float32(8) - np.float32(1)).reshape(shape)


# --------------------------------------------------------------------------- good files

# Features [N, T, F] = [4, 3, 2] float32 in each header version; the same values everywhere.
X = numbers((4, 3, 2))
save("x_f4_v1.npy", X)  # np.save picks version 1.0
save("x_f4_v2.npy", X, version=(2, 0))  # 4-byte header length
save("x_f4_v3.npy", X, version=(3, 0))  # 4-byte header length, UTF-8 header
save("x_f4_2d.npy", numbers((4, 5)))  # [N, T] read as F = 1
# A header that would end exactly on a 64-byte boundary: NumPy pads it with 64 more spaces.
aligned = save("x_f4_aligned.npy", numbers((10,) + (1,) * 20))
assert int.from_bytes(aligned[8:10], "little") == 117 + 64 + 1
# A header longer than 65535 bytes needs version 2.0; NumPy picks it by itself for
# this structured dtype, so it is kept only as a check that np.save does so.
assert npy_bytes(np.zeros(1, dtype=[("f%05d" % i, "<f4") for i in range(5000)]))[6] == 2

# Labels [4] in every NumPy integer dtype, the same values 2, 0, 1, 2.
LABELS = [2, 0, 1, 2]
for dtype in ["<i8", "<i4", "<i2", "|i1", "<u8", "<u4", "<u2", "|u1"]:
    code = dtype[1:]
    save(f"y_{code}.npy", np.array(LABELS, dtype=dtype))
save("y_i8_default.npy", np.array(LABELS))  # np.array of Python ints: NumPy's default int64
assert np.array(LABELS).dtype == np.dtype("<i8")
save("y_i8_v3.npy", np.array(LABELS, dtype="<i8"), version=(3, 0))
save("y_i8_column.npy", np.array(LABELS, dtype="<i8").reshape(4, 1))  # [N, 1], as Keras users keep y
save("y_f8_whole.npy", np.array(LABELS, dtype="<f8"))  # float labels that are whole numbers: accepted
save("y_f4_whole.npy", np.array(LABELS, dtype="<f4"))

# --------------------------------------------------------------------------- bad files

save("bad_x_f8.npy", X.astype(np.float64))  # float64 features
save("bad_x_i8.npy", np.arange(24, dtype="<i8").reshape(4, 3, 2))  # integer features
save("bad_x_f2.npy", X.astype(np.float16))  # half precision
save("bad_x_rank1.npy", numbers((5,)))
save("bad_x_rank4.npy", numbers((2, 2, 2, 2)))
save("bad_x_empty.npy", numbers((0, 3, 2)))
fortran = np.asfortranarray(X)
assert b"'fortran_order': True" in npy_bytes(fortran)
save("bad_x_fortran.npy", fortran)
save("bad_x_bigendian.npy", X.astype(">f4"))
nan = X.copy()
nan[2, 1, 0] = np.nan  # sequence 2, step 1, feature 0
save("bad_x_nan.npy", nan)
good = npy_bytes(X)
write_bytes(NPY / "bad_x_truncated.npy", good[:-5])  # NumPy's file without its last 5 bytes
write_bytes(NPY / "bad_x_extra.npy", good + b"\x00\x00\x00\x00")  # 4 bytes appended
write_bytes(NPY / "bad_x_version9.npy", good[:6] + b"\x09\x00" + good[8:])  # version byte 1 -> 9
write_bytes(NPY / "bad_x_nodescr.npy", good.replace(b"'descr'", b"'dtype'", 1))  # a key renamed
write_bytes(NPY / "bad_magic.npy", b"label,x0,x1\n2,0.5,0.25\n")  # a CSV file named .npy
write_bytes(NPY / "bad_empty.npy", b"")
buffer = io.BytesIO()
np.savez(buffer, x=X, y=np.array(LABELS))
write_bytes(NPY / "bad_arrays.npz", buffer.getvalue())  # a zip archive, not .npy

save("bad_y_negative.npy", np.array([2, 0, -1, 2], dtype="<i8"))  # row 2
save("bad_y_fraction.npy", np.array([2, 0, 1.5, 2], dtype="<f8"))  # row 2
save("bad_y_huge.npy", np.array([2, 0, 1, 2**40], dtype="<u8"))  # row 3
save("bad_y_short.npy", np.array([2, 0, 1], dtype="<i8"))  # 3 labels for 4 sequences
save("bad_y_onehot.npy", np.eye(3, dtype=np.float32)[LABELS])  # one-hot [4, 3]
save("bad_y_bool.npy", np.array([True, False, True, True]))
save("bad_y_bigendian.npy", np.array(LABELS, dtype=">i4"))
save("bad_y_structured.npy", np.zeros(4, dtype=[("a", "<f4"), ("b", "<i4")]))
objects = io.BytesIO()
np.save(objects, np.array([2, "0", 1, 2], dtype=object), allow_pickle=True)
write_bytes(NPY / "bad_y_object.npy", objects.getvalue())

# --------------------------------------------------------------------------- a small task

# Three classes of sequences [T = 12, F = 2]: feature 0 rises (class 0), falls (class 1) or
# stays level (class 2) over the steps, with noise; feature 1 is noise. Classes are in a
# shuffled order, so the last tenth (the validation split) holds every class.
STEPS, FEATURES = 12, 2


def task(count, seed):
    rng = np.random.RandomState(seed)
    labels = rng.permutation(np.arange(count) % 3).astype("<i8")
    slope = np.array([1.0, -1.0, 0.0])[labels]
    t = np.linspace(-1.0, 1.0, STEPS)
    x = np.empty((count, STEPS, FEATURES), dtype=np.float64)
    x[:, :, 0] = slope[:, None] * t[None, :] + 0.3 * rng.standard_normal((count, STEPS))
    x[:, :, 1] = 0.5 * rng.standard_normal((count, STEPS))
    return x.astype(np.float32), labels


def write_csv(path, x, labels, header):
    """label, then the T·F values of each sequence, step-major; the shortest text that reads back the same float32."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    if header:
        writer.writerow(["label"] + [f"t{t}f{f}" for t in range(x.shape[1]) for f in range(x.shape[2])])
    for row, label in zip(x.reshape(len(x), -1), labels):
        writer.writerow([int(label)] + [np.format_float_positional(v, unique=True, trim="-") for v in row])
    write_bytes(path, text.getvalue().encode("ascii"))
    back = np.loadtxt(path, delimiter=",", skiprows=1 if header else 0, dtype=np.float64, ndmin=2)
    assert np.array_equal(back[:, 1:].astype(np.float32), x.reshape(len(x), -1)), path


train_x, train_y = task(150, seed=7)
test_x, test_y = task(60, seed=8)
save("task_train_x.npy", train_x)
save("task_train_y.npy", train_y)
save("task_test_x.npy", test_x)
save("task_test_y.npy", test_y)
write_csv(CSV / "task_train.csv", train_x, train_y, header=True)
write_csv(CSV / "task_test.csv", test_x, test_y, header=False)

for path in written:
    print(f"{path.relative_to(ROOT.parent.parent.parent)}  {path.stat().st_size} bytes")
print(f"{len(written)} files", file=sys.stderr)
