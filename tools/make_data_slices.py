#!/usr/bin/env python3
"""Writes the small slices of the word lists and of seattle-weather.csv that the C# tests read.

WORDS_DIR holds the nine word lists as Debian 12's packages install them (american-english,
danish, dutch, french, italian, ngerman, portuguese, spanish, swedish; e.g. /usr/share/dict, or
the files of `apt-get download wamerican … && dpkg-deb -x`); VEGA_DIR holds seattle-weather.csv
of the npm package vega-datasets@3.2.1 (package/data). Each list is checked against its SHA-256,
then every k-th line is kept (300 lines per list, k = lines // 300), bytes unchanged, so the
Swedish slice stays ISO-8859-1 like the real file; seattle-weather.csv keeps its header and first
300 rows. Writes tests/Recur.Tests/fixtures/words/*, fixtures/vega/seattle-weather.csv and a
SHA256SUMS in each folder. Standard library only; rerunning it rewrites byte-identical files.

    python3 tools/make_data_slices.py WORDS_DIR VEGA_DIR
"""

import hashlib
import os
import sys

LISTS = {
    "american-english": "9f513f1ceadb6a01c5485b7dbdfd5118dc66cd70b59cae2851292112d4066a32",
    "danish": "ed3f6ec15d32402c143539a1c0ec8f57b454a0fa758e23e7a2156b0a1119942b",
    "dutch": "2e5128e8e7f9a5bdfc427c784c839986b0df1386cc53aef90ed2df71644f3987",
    "french": "33b3a15b7c47c4b85aaafa7c8b41d3fee9c7ca1383381bb8f710372ce7474f06",
    "italian": "096f728b7b63073f32604dfaa7c5dbf5b2d32123880f0b05fe462670630f6218",
    "ngerman": "4864ca7300aae638c611114092ed566ba232b35e42280fcfb5509c5d121b307d",
    "portuguese": "0ae13d0be0b580a4f279e64c963371824092d05acca48a2523f562c228144536",
    "spanish": "6b26adc955ec682e41e98d626d0ed1f778511065ee1f7f19c28e8b3cb574b9b6",
    "swedish": "0e001d6362d9a06105354c4e5de3b4cbc320a327dcb59dc1a42c48f3b7231513",
}
SEATTLE = "0845078a290b48e3149ab8639966824110a251db4e06fc144c06ebb534af23be"
PER_LIST = 300
ROWS = 300


def checked(path, expected):
    data = open(path, "rb").read()
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        sys.exit(f"{path}: SHA-256 {actual}, expected {expected} (Debian 12's / vega-datasets@3.2.1's file)")
    return data


def write(folder, name, data, sums):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)
    sums.append(f"{hashlib.sha256(data).hexdigest()}  {name}\n")
    print(f"{folder}/{name}: {len(data)} bytes")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    words_dir, vega_dir = sys.argv[1], sys.argv[2]
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "Recur.Tests", "fixtures")
    sums = []
    for name, expected in sorted(LISTS.items()):
        lines = checked(os.path.join(words_dir, name), expected).split(b"\n")[:-1]
        step = len(lines) // PER_LIST
        write(os.path.join(root, "words"), name, b"".join(line + b"\n" for line in lines[::step][:PER_LIST]), sums)
    with open(os.path.join(root, "words", "SHA256SUMS"), "w") as f:
        f.writelines(sums)
    sums = []
    lines = checked(os.path.join(vega_dir, "seattle-weather.csv"), SEATTLE).split(b"\n")
    write(os.path.join(root, "vega"), "seattle-weather.csv", b"\n".join(lines[: ROWS + 1]) + b"\n", sums)
    with open(os.path.join(root, "vega", "SHA256SUMS"), "w") as f:
        f.writelines(sums)


if __name__ == "__main__":
    main()
