#!/usr/bin/env bash
# Runs `recur bench` and its PyTorch peer (bench/peers/pytorch_lstm.py) on the same shapes, back to back
# on this machine, and prints Recur | PyTorch | ratio for each shape.
#
# The peer runs twice: as installed (only OpenBLAS's core-type overrides unset), and with
# OMP_WAIT_POLICY=PASSIVE. Debian's PyTorch runs its OpenMP threads next to OpenBLAS's own pthreads;
# by default the OpenMP threads spin after each parallel region and take the cores OpenBLAS's threads
# need, which on 2 cores makes PyTorch 2-4 times slower and very variable. PASSIVE lets them sleep:
# that is PyTorch at its best here, and the fair comparison.
#
# Usage: bench/compare.sh [--shape rows,pixels] [--batches N] [--warmup N] [--threads N]
# The options go to both programs; --threads defaults to the number of cores for both.
# Needs the .NET 10 SDK and the peer: apt-get install python3-torch libopenblas0-pthread
# OpenBLAS's OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset for the peer, so OpenBLAS picks its
# best kernels for this CPU rather than whatever the environment forces.
set -euo pipefail
cd "$(dirname "$0")/.."

args=("$@")
if [[ " ${args[*]-} " != *" --threads "* ]]; then
  args+=(--threads "$(nproc)")
fi

python=/usr/bin/python3
[ -x "$python" ] || python=python3
if ! "$python" -c "import torch" 2>/dev/null; then
  echo "compare.sh: PyTorch is missing; install the peer with: apt-get install python3-torch libopenblas0-pthread" >&2
  exit 1
fi

dotnet build src/Recur.Cli -c Release -nologo -v quiet >/dev/null
recur_json=$(mktemp)
peer_json=$(mktemp)
tuned_json=$(mktemp)
trap 'rm -f "$recur_json" "$peer_json" "$tuned_json"' EXIT

echo "recur bench ${args[*]} ..." >&2
dotnet src/Recur.Cli/bin/Release/net10.0/Recur.Cli.dll bench --json "${args[@]}" >"$recur_json"
echo "pytorch_lstm.py ${args[*]} ..." >&2
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$python" bench/peers/pytorch_lstm.py --json "${args[@]}" >"$peer_json"
echo "OMP_WAIT_POLICY=PASSIVE pytorch_lstm.py ${args[*]} ..." >&2
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE "$python" bench/peers/pytorch_lstm.py --json "${args[@]}" >"$tuned_json"

"$python" - "$recur_json" "$peer_json" "$tuned_json" <<'PY'
import json, sys
recur = json.load(open(sys.argv[1]))
peer = {r["shape"]: r for r in json.load(open(sys.argv[2]))["results"]}
tuned_doc = json.load(open(sys.argv[3]))
tuned = {r["shape"]: r for r in tuned_doc["results"]}
first = recur["results"][0] if recur["results"] else {"threads": "?", "batches": "?"}
print(f"Recur {recur['version']} vs PyTorch {tuned_doc['version']}, {first['threads']} threads, "
      f"{first['batches']} timed batches per shape")
print("PyTorch: as installed; PASSIVE: with OMP_WAIT_POLICY=PASSIVE (PyTorch at its best here)")
head = (f"{'shape':<14} {'mode':<5} {'Recur/s':>8} {'PyTorch/s':>9} {'ratio':>6} {'PASSIVE/s':>9} {'ratio':>6}"
        f" {'Recur GFLOP/s':>13} {'PASSIVE GFLOP/s':>15} {'Recur RSS MiB':>13} {'PyTorch RSS MiB':>15} {'RSS ratio':>9}")
print(head)
print("-" * len(head))
for r in recur["results"]:
    p, t = peer.get(r["shape"]), tuned.get(r["shape"])
    if p is None or t is None:
        continue
    s = r["samples_per_s"]
    print(f"{r['shape']:<14} {r['mode']:<5} {s:>8.0f} {p['samples_per_s']:>9.0f} {s / p['samples_per_s']:>5.1f}x"
          f" {t['samples_per_s']:>9.0f} {s / t['samples_per_s']:>5.1f}x {r['gflops']:>13.1f} {t['gflops']:>15.1f}"
          f" {r['peak_rss_mib']:>13.0f} {p['peak_rss_mib']:>15.0f} {r['peak_rss_mib'] / p['peak_rss_mib']:>9.2f}")
print("samples/s: samples per second; GFLOP/s: matrix-product operations per second (bench/README.md)")
PY
