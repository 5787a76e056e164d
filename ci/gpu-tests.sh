#!/usr/bin/env bash
# The GPU test run, on a machine with an NVIDIA GPU, from the repository root, with the staged runtime
# .device/ (see shared/gpu/README.md: `mvn -B -DskipTests package` then `../shared/gpu/stage.sh` on the build
# machine, then carry .device). No JDK, Maven or network needed here.
#   1. nvidia-smi and the cuBLAS library (JRNN_CUBLAS) the CUDA backend will load;
#   2. every @Tag("gpu") test                                     -> $OUT/gpu-tests.log
#   3. the CUDA contract test and two whole-fit tests (capture and replay of train steps included) under
#      compute-sanitizer memcheck with leak checking              -> $OUT/sanitizer.log
# Exit status 0 only when both runs pass and the sanitizer reports 0 errors. Up to ~8.5 minutes (the two caps below):
# the tests alone took ~220 s on the H200 at the last run.
# Time limits (seconds) can be changed: GPU_TESTS_TIMEOUT (default 330: ~125 tests took ~220 s on the H200 on 2026-12-04,
# and eight classes came since), SANITIZER_TIMEOUT (default 180). The test log is verbose, so a timeout names the test it
# stopped in. Within one 600 s device call, ci/gpu-all.sh's two-call plan fits better.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-$PWD/gpu-out}
mkdir -p "$OUT"
if [ ! -x .device/test.sh ] || [ ! -x .device/java.sh ]; then
  echo "no staged runtime in .device/: on the build machine run 'mvn -B -DskipTests package' and shared/gpu/stage.sh" >&2
  exit 2
fi

echo "== nvidia-smi"
nvidia-smi || echo "nvidia-smi failed (the tests will say whether a device is usable)"

echo "== cuBLAS"
if [ -z "${JRNN_CUBLAS:-}" ]; then
  JRNN_CUBLAS=$(find / -name 'libcublas.so.13*' -not -path '*/proc/*' 2>/dev/null | head -1)
  [ -n "$JRNN_CUBLAS" ] || JRNN_CUBLAS=$(find / -name 'libcublas.so.12*' -not -path '*/proc/*' 2>/dev/null | head -1)
fi
if [ -n "${JRNN_CUBLAS:-}" ]; then
  export JRNN_CUBLAS
  echo "JRNN_CUBLAS=$JRNN_CUBLAS"
else
  unset JRNN_CUBLAS
  echo "no libcublas.so.13/.12 found: the CUDA backend searches its usual places"
fi

echo "== GPU tests (every @Tag(\"gpu\") test) -> $OUT/gpu-tests.log"
start=$(date +%s)
timeout "${GPU_TESTS_TIMEOUT:-330}" .device/test.sh --include-tag gpu --disable-ansi-colors --details=verbose > "$OUT/gpu-tests.log" 2>&1
tests_rc=$?
echo "gpu tests: exit $tests_rc after $(( $(date +%s) - start ))s"
grep -E "tests (successful|failed|aborted|skipped|found)" "$OUT/gpu-tests.log" || tail -n 30 "$OUT/gpu-tests.log"
[ $tests_rc -eq 124 ] && { echo "gpu tests: TIMED OUT (GPU_TESTS_TIMEOUT=${GPU_TESTS_TIMEOUT:-330}s); the last tests started:"
  grep -E "^[[:space:]]*(├─|└─|│)" "$OUT/gpu-tests.log" | tail -4; }

echo "== compute-sanitizer memcheck -> $OUT/sanitizer.log"
san=$(command -v compute-sanitizer || true)
if [ -z "$san" ]; then
  for d in "${CUDA_HOME:-}" /usr/local/cuda /usr/local/cuda-* /opt/nvidia/*; do
    if [ -n "$d" ] && [ -x "$d/bin/compute-sanitizer" ]; then san="$d/bin/compute-sanitizer"; break; fi
  done
fi
[ -n "$san" ] || san=$(find / -name compute-sanitizer -type f -perm -u+x -not -path '*/proc/*' 2>/dev/null | head -1)
san_rc=0
if [ -z "$san" ]; then
  echo "compute-sanitizer not found: sanitizer run skipped" | tee "$OUT/sanitizer.log"
  san_rc=3
else
  # JVMs are slow under memcheck: the op-level contract (every Backend method, graph capture and replay),
  # one fit with captured and replayed steps (two graphs, pinned pool blocks, dropout/Adam device counters)
  # and the Embedding + Bidirectional(GRU) + TimeDistributed(Dense) train step.
  jar=$(ls .device/lib/junit-platform-console-standalone-*.jar | head -1)
  start=$(date +%s)
  timeout "${SANITIZER_TIMEOUT:-180}" "$san" --tool memcheck --leak-check full --target-processes all \
    .device/java.sh -jar "$jar" execute --class-path "$(.device/cp.sh)" --details=tree --disable-banner --disable-ansi-colors \
      --select-class dev.jrnn.backend.cuda.CudaBackendContractTest \
      --select-method 'dev.jrnn.backend.cuda.CudaFitParityTest#graphReplayGivesExactlyTheEagerLossesAndWeights' \
      --select-method 'dev.jrnn.backend.cuda.CudaFitParityTest#embeddingBidirectionalGruTimeDistributedTrainStepMatchesTheCpu' \
    > "$OUT/sanitizer.log" 2>&1
  san_rc=$?
  echo "sanitizer run: exit $san_rc after $(( $(date +%s) - start ))s"
  [ $san_rc -eq 124 ] && echo "sanitizer run: TIMED OUT (SANITIZER_TIMEOUT=${SANITIZER_TIMEOUT:-180}s)"
  grep -E "tests (successful|failed|aborted|skipped|found)" "$OUT/sanitizer.log" || true
fi

summary=$(grep -E "ERROR SUMMARY" "$OUT/sanitizer.log" | tail -n 1)
echo "${summary:-no ERROR SUMMARY line in $OUT/sanitizer.log}"
# Tests that skip themselves (no usable device) pass too: demand that some GPU test really ran.
ran=$(sed -n 's/.*\[ *\([0-9]*\) tests successful.*/\1/p' "$OUT/gpu-tests.log" | tail -n 1)
status=0
[ $tests_rc -eq 0 ] || status=1
if [ "${ran:-0}" -eq 0 ]; then echo "no GPU test ran (no usable CUDA device?)"; status=1; fi
if [ $san_rc -ne 0 ] || ! echo "$summary" | grep -q "ERROR SUMMARY: 0 errors"; then status=1; fi
echo "== gpu-tests.sh: $([ $status -eq 0 ] && echo PASS || echo FAIL) (logs in $OUT)"
exit $status
