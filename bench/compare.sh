#!/usr/bin/env bash
# Runs `recur bench`, its PyTorch peer (bench/peers/pytorch_lstm.py) and, on the inference shapes, its ONNX Runtime
# peer (bench/peers/OnnxRuntimePeer) on the same shapes, back to back on this machine, and prints
# Recur | PyTorch | ratio | ONNX Runtime | ratio for each shape.
#
# The PyTorch peer runs twice: as installed (only OpenBLAS's core-type overrides unset), and with
# OMP_WAIT_POLICY=PASSIVE. Debian's PyTorch runs its OpenMP threads next to OpenBLAS's own pthreads;
# by default the OpenMP threads spin after each parallel region and take the cores OpenBLAS's threads
# need, which on 2 cores makes PyTorch 2-4 times slower and very variable. PASSIVE lets them sleep:
# that is PyTorch at its best here, and the fair comparison.
#
# The ONNX Runtime peer times the model Recur exports: for each inference shape (rows-infer, gru-rows-infer,
# bi-rows-infer, pixels-infer, wide-infer, rows-stream) `recur bench --shape NAME --onnx FILE` writes the shape's
# model and a check batch with Recur's output; the peer checks ONNX Runtime against it, then times it with
# IntraOpNumThreads = --threads, InterOpNumThreads = 1, sequential execution, ORT_ENABLE_ALL.
#
# Recur also runs on 1 thread (the same shapes) for the scaling of its threads, and `recur bench --gemm` measures the
# machine's FMA peak just before and just after Recur's runs; each shape's GFLOP/s is given as a share of the higher
# of the two peaks on its thread count (the yardstick of issue 15: bench/README.md's FLOP formula, unchanged).
#
# Usage: bench/compare.sh [--shape rows,pixels] [--batches N] [--warmup N] [--threads N] [--seed N]
# The options go to every program; --threads defaults to the number of cores for all.
# Needs the .NET 10 SDK and the peer: apt-get install python3-torch libopenblas0-pthread
# OpenBLAS's OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset for the peer, so OpenBLAS picks its
# best kernels for this CPU rather than whatever the environment forces.
set -euo pipefail
cd "$(dirname "$0")/.."

ort_all=(rows-infer gru-rows-infer bi-rows-infer pixels-infer wide-infer rows-stream)
args=("$@")
shapes=()
rest=()   # every option but --shape, for the ONNX Runtime peer
for ((k = 0; k < ${#args[@]}; k++)); do
  case "${args[k]}" in
    --shape) shapes+=("${args[k + 1]:-}"); k=$((k + 1)) ;;
    --shape=*) shapes+=("${args[k]#--shape=}") ;;
    *) rest+=("${args[k]}") ;;
  esac
done
if [[ " ${args[*]-} " != *" --threads "* ]]; then
  args+=(--threads "$(nproc)")
  rest+=(--threads "$(nproc)")
fi
ort_shapes=()
if [ ${#shapes[@]} -eq 0 ]; then
  ort_shapes=("${ort_all[@]}")
else
  for name in $(echo "${shapes[*]}" | tr ',' ' '); do
    [[ " ${ort_all[*]} " == *" $name "* ]] && ort_shapes+=("$name")
  done
fi

python=/usr/bin/python3
[ -x "$python" ] || python=python3
if ! "$python" -c "import torch" 2>/dev/null; then
  echo "compare.sh: PyTorch is missing; install the peer with: apt-get install python3-torch libopenblas0-pthread" >&2
  exit 1
fi

dotnet build src/Recur.Cli -c Release -nologo -v quiet >/dev/null
dotnet build bench/peers/OnnxRuntimePeer -c Release -nologo -v quiet >/dev/null
recur=(dotnet src/Recur.Cli/bin/Release/net10.0/Recur.Cli.dll)
ort=(dotnet bench/peers/OnnxRuntimePeer/bin/Release/net10.0/OnnxRuntimePeer.dll)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

threads=$(nproc)
one=()   # args with --threads 1, for Recur's 1-thread pass
for ((k = 0; k < ${#args[@]}; k++)); do
  if [ "${args[k]}" = --threads ]; then threads="${args[k + 1]}"; k=$((k + 1)); else one+=("${args[k]}"); fi
done
one+=(--threads 1)
echo "recur bench --gemm --threads $threads (the FMA peak, before) ..." >&2
"${recur[@]}" bench --gemm --json --threads "$threads" >"$work/peak-before.json"
echo "recur bench ${args[*]} ..." >&2
"${recur[@]}" bench --json "${args[@]}" >"$work/recur.json"
echo "recur bench ${one[*]} ..." >&2
"${recur[@]}" bench --json "${one[@]}" >"$work/recur-1.json"
echo "recur bench --gemm --threads $threads (the FMA peak, after) ..." >&2
"${recur[@]}" bench --gemm --json --threads "$threads" >"$work/peak-after.json"
echo "pytorch_lstm.py ${args[*]} ..." >&2
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$python" bench/peers/pytorch_lstm.py --json "${args[@]}" >"$work/peer.json"
echo "OMP_WAIT_POLICY=PASSIVE pytorch_lstm.py ${args[*]} ..." >&2
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE "$python" bench/peers/pytorch_lstm.py --json "${args[@]}" >"$work/tuned.json"
seed=1
for ((k = 0; k < ${#rest[@]}; k++)); do
  [ "${rest[k]}" = --seed ] && seed="${rest[k + 1]}"
done
for name in ${ort_shapes[@]+"${ort_shapes[@]}"}; do
  echo "OnnxRuntimePeer --model $name.onnx ${rest[*]} ..." >&2
  "${recur[@]}" bench --shape "$name" --seed "$seed" --onnx "$work/$name.onnx" >&2
  "${ort[@]}" --model "$work/$name.onnx" --json "${rest[@]}" >"$work/ort-$name.json"
done

"$python" - "$work" <<'PY'
import glob, json, os, sys
work = sys.argv[1]
recur = json.load(open(os.path.join(work, "recur.json")))
peer = {r["shape"]: r for r in json.load(open(os.path.join(work, "peer.json")))["results"]}
tuned_doc = json.load(open(os.path.join(work, "tuned.json")))
tuned = {r["shape"]: r for r in tuned_doc["results"]}
ort, ort_version = {}, None
for path in sorted(glob.glob(os.path.join(work, "ort-*.json"))):
    doc = json.load(open(path))
    ort_version = doc["version"]
    ort.update({r["shape"]: r for r in doc["results"]})
first = recur["results"][0] if recur["results"] else {"threads": "?", "batches": "?"}
print(f"Recur {recur['version']} vs PyTorch {tuned_doc['version']} and ONNX Runtime {ort_version or '(not run)'}, "
      f"{first['threads']} threads, {first['batches']} timed batches per shape")
print("PyTorch: as installed; PASSIVE: with OMP_WAIT_POLICY=PASSIVE (PyTorch at its best here); "
      "ORT: ONNX Runtime running the model Recur exported")


def rate(r):
    return "—" if r is None else f"{r['samples_per_s']:.0f}"


def ratio(s, r):
    return "—" if r is None else f"{s / r['samples_per_s']:.1f}x"


def number(r, key, digits=0):
    return "—" if r is None else f"{r[key]:.{digits}f}"


head = (f"{'shape':<18} {'mode':<6} {'Recur/s':>8} {'PyTorch/s':>9} {'ratio':>6} {'PASSIVE/s':>9} {'ratio':>6}"
        f" {'ORT/s':>8} {'ratio':>6} {'Recur GFLOP/s':>13} {'PASSIVE GFLOP/s':>15} {'ORT GFLOP/s':>11}"
        f" {'Recur RSS MiB':>13} {'PyTorch RSS MiB':>15} {'ORT RSS MiB':>11}")
print(head)
print("-" * len(head))
streams = []
for r in recur["results"]:
    p, t, o = peer.get(r["shape"]), tuned.get(r["shape"]), ort.get(r["shape"])
    if p is None and t is None and o is None:
        continue
    s = r["samples_per_s"]
    print(f"{r['shape']:<18} {r['mode']:<6} {s:>8.0f} {rate(p):>9} {ratio(s, p):>6} {rate(t):>9} {ratio(s, t):>6}"
          f" {rate(o):>8} {ratio(s, o):>6} {r['gflops']:>13.1f} {number(t, 'gflops', 1):>15} {number(o, 'gflops', 1):>11}"
          f" {r['peak_rss_mib']:>13.0f} {number(p, 'peak_rss_mib'):>15} {number(o, 'peak_rss_mib'):>11}")
    if r["mode"] == "stream":
        streams.append((r, p, t, o))
print("samples/s: samples per second (steps per second for a stream shape); "
      "GFLOP/s: matrix-product operations per second (bench/README.md)")
for r, p, t, o in streams:
    print(f"{r['shape']}: µs per step: Recur {r['us_per_step']:.1f}, PyTorch {number(p, 'us_per_step', 1)}, "
          f"PASSIVE {number(t, 'us_per_step', 1)}, ONNX Runtime {number(o, 'us_per_step', 1)}")
if ort:
    print("ONNX Runtime against Recur on a check batch, largest difference: "
          + ", ".join(f"{name} {r['max_abs_diff']:.2g}" for name, r in ort.items()))

# Recur against the machine: the FMA peak measured before and after its runs, and its 1-thread figures.
peaks = [json.load(open(os.path.join(work, f"peak-{when}.json"))) for when in ("before", "after")]
peak_n = max(p["peak_gflops_n"] for p in peaks)
peak_1 = max(p["peak_gflops1"] for p in peaks)
single = {r["shape"]: r for r in json.load(open(os.path.join(work, "recur-1.json")))["results"]}
print()
print(f"FMA peak (recur bench --gemm), before / after: {peaks[0]['peak_gflops1']:.0f} / {peaks[1]['peak_gflops1']:.0f} GFLOP/s on 1 thread, "
      f"{peaks[0]['peak_gflops_n']:.0f} / {peaks[1]['peak_gflops_n']:.0f} on {first['threads']}; shares are of the higher")
head = (f"{'shape':<18} {'mode':<6} {'GFLOP/s':>8} {'% peak':>6} {'1-thread/s':>10} {'1-thread GFLOP/s':>16} {'% peak':>6}"
        f" {'threads/1':>9}")
print(head)
print("-" * len(head))
for r in recur["results"]:
    o = single.get(r["shape"])
    scale = "—" if o is None else f"{r['samples_per_s'] / o['samples_per_s']:.2f}x"
    share1 = "—" if o is None else f"{100 * o['gflops'] / peak_1:.0f}"
    print(f"{r['shape']:<18} {r['mode']:<6} {r['gflops']:>8.1f} {100 * r['gflops'] / peak_n:>6.0f} {rate(o):>10}"
          f" {number(o, 'gflops', 1):>16} {share1:>6} {scale:>9}")
PY
