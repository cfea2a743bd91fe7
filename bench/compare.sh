#!/usr/bin/env bash
# Runs `recur bench` and its PyTorch peer (bench/peers/pytorch_lstm.py) on the same shapes, back to back
# on this machine, and prints Recur | PyTorch | ratio for each shape.
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
trap 'rm -f "$recur_json" "$peer_json"' EXIT

echo "recur bench ${args[*]} ..." >&2
dotnet src/Recur.Cli/bin/Release/net10.0/Recur.Cli.dll bench --json "${args[@]}" >"$recur_json"
echo "pytorch_lstm.py ${args[*]} ..." >&2
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$python" bench/peers/pytorch_lstm.py --json "${args[@]}" >"$peer_json"

"$python" - "$recur_json" "$peer_json" <<'PY'
import json, sys
recur = json.load(open(sys.argv[1]))
peer = json.load(open(sys.argv[2]))
by_shape = {r["shape"]: r for r in peer["results"]}
threads = recur["results"][0]["threads"] if recur["results"] else "?"
print(f"Recur {recur['version']} vs PyTorch {peer['version']}, {threads} threads, "
      f"{recur['results'][0]['batches'] if recur['results'] else '?'} timed batches per shape")
head = (f"{'shape':<11} {'mode':<5} {'Recur samples/s':>15} {'PyTorch samples/s':>17} {'ratio':>6}"
        f" {'Recur GFLOP/s':>13} {'PyTorch GFLOP/s':>15} {'Recur RSS MiB':>13} {'PyTorch RSS MiB':>15} {'RSS ratio':>9}")
print(head)
print("-" * len(head))
for r in recur["results"]:
    p = by_shape.get(r["shape"])
    if p is None:
        continue
    print(f"{r['shape']:<11} {r['mode']:<5} {r['samples_per_s']:>15.0f} {p['samples_per_s']:>17.0f}"
          f" {r['samples_per_s'] / p['samples_per_s']:>5.1f}x {r['gflops']:>13.1f} {p['gflops']:>15.1f}"
          f" {r['peak_rss_mib']:>13.0f} {p['peak_rss_mib']:>15.0f} {r['peak_rss_mib'] / p['peak_rss_mib']:>9.2f}")
PY
