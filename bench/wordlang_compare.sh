#!/usr/bin/env bash
# The language of a word, Recur against PyTorch in one run: examples/WordLanguage, then its peer
# bench/peers/pytorch_wordlang.py, back to back on the same split (the example writes it with --write-text,
# the peer reads it), with the same model, sizes, optimizer, batch size, epochs and thread count.
# Prints the settings, each program's per-epoch log, and a summary: test accuracy and training wall time
# (all epochs, validation after each included) of each, and the speed ratio.
#
# Usage: bench/wordlang_compare.sh [--per-language N] [--epochs N] [--embed E] [--units H] [--cell lstm|gru]
#                                  [--batch B] [--lr X] [--seed S] [--threads N]
# Defaults: the example's (20000 words a language, bidirectional LSTM, embedding 64, 128 units, 6 epochs,
# batch 128, Adam 0.002, seed 1), 2 threads for both. A quick check: --per-language 2000 --epochs 3.
# Needs the .NET 10 SDK, apt-get (the word lists, fetched once) and the peer:
#   apt-get install python3-torch libopenblas0-pthread
# The peer runs with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (OpenBLAS picks its best kernels for the
# CPU) and OMP_WAIT_POLICY=PASSIVE (PyTorch's best on a small machine; see bench/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

per_language=20000 epochs=6 embed=64 units=128 cell=lstm batch=128 lr=0.002 seed=1 threads=2
while [ $# -gt 0 ]; do
  case "$1" in
    --per-language) per_language=$2 ;;
    --epochs) epochs=$2 ;;
    --embed) embed=$2 ;;
    --units) units=$2 ;;
    --cell) cell=$2 ;;
    --batch) batch=$2 ;;
    --lr) lr=$2 ;;
    --seed) seed=$2 ;;
    --threads) threads=$2 ;;
    *) echo "wordlang_compare.sh: unknown option '$1'; see the usage at the top of the script." >&2; exit 2 ;;
  esac
  shift 2
done

python=/usr/bin/python3
[ -x "$python" ] || python=python3
if ! "$python" -c "import torch" 2>/dev/null; then
  echo "wordlang_compare.sh: PyTorch is missing; install the peer with: apt-get install python3-torch libopenblas0-pthread" >&2
  exit 1
fi

split=$(mktemp -d)
recur_log=$(mktemp)
peer_log=$(mktemp)
trap 'rm -rf "$split" "$recur_log" "$peer_log"' EXIT

common=(--epochs "$epochs" --embed "$embed" --units "$units" --cell "$cell" --batch "$batch" --lr "$lr" --seed "$seed" --threads "$threads")
echo "Settings: ${per_language} words a language, bidirectional ${cell}, embedding ${embed}, ${units} units, ${epochs} epochs, batch ${batch}, Adam ${lr}, seed ${seed}, ${threads} threads"
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "PyTorch $("$python" -c 'import torch; print(torch.__version__)'), .NET $(dotnet --version)"

dotnet build examples/WordLanguage -c Release -nologo -v quiet >/dev/null
echo
echo "== Recur: dotnet examples/WordLanguage/bin/Release/net10.0/WordLanguage.dll --per-language ${per_language} ${common[*]} --write-text SPLIT"
dotnet examples/WordLanguage/bin/Release/net10.0/WordLanguage.dll --per-language "$per_language" "${common[@]}" --write-text "$split" | tee "$recur_log"
echo
echo "== PyTorch: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE $python bench/peers/pytorch_wordlang.py SPLIT ${common[*]}"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE \
  "$python" bench/peers/pytorch_wordlang.py "$split" "${common[@]}" | tee "$peer_log"

echo
"$python" - "$recur_log" "$peer_log" <<'PY'
import sys

def result(path):
    for line in open(path, encoding="utf-8"):
        if line.startswith("RESULT "):
            return {k: float(v) for k, v in (f.split("=") for f in line.split()[2:])}
    raise SystemExit(f"no RESULT line in {path}")

r, p = result(sys.argv[1]), result(sys.argv[2])
print(f"{'':<8} {'test accuracy':>13} {'training s':>10} {'s per epoch':>11}")
for name, v in (("Recur", r), ("PyTorch", p)):
    print(f"{name:<8} {v['test_accuracy']:>13.4f} {v['train_seconds']:>10.1f} {v['train_seconds'] / v['epochs']:>11.1f}")
print(f"Recur trains {p['train_seconds'] / r['train_seconds']:.1f}x as fast; accuracy {r['test_accuracy'] - p['test_accuracy']:+.4f}")
PY
