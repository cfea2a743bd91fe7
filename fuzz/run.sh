#!/usr/bin/env bash
# Fuzzes the readers: fuzz/run.sh HARNESS SECONDS (HARNESS: all, idx, idx-gzip, pgm, npy, csv, text, safetensors,
# config, vocabulary). Each harness mutates the seed files of fuzz/corpus/HARNESS with FsCheck-generated mutations
# for SECONDS and fails on any exception other than the reader's documented refusal. It prints, per harness, the
# executions, the refusals and the crashes; a crash's input is described by its seed file and mutations.
set -euo pipefail
cd "$(dirname "$0")/.."
harness=${1:-all}
seconds=${2:-10}
dotnet build tests/Recur.Tests -c Release >/dev/null
RECUR_FUZZ_HARNESS=$harness RECUR_FUZZ_SECONDS=$seconds dotnet test tests/Recur.Tests -c Release --no-build \
  --filter "FullyQualifiedName~Recur.Tests.Fuzz.ReaderFuzzTests" --logger "console;verbosity=normal" 2>&1 \
  | grep -a -E '^fuzz |crashes; the first|Passed!|Failed!' | sort -u
