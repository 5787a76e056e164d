#!/usr/bin/env bash
# The whole GPU check in ONE device call (device time is scarce): every @Tag("gpu") test, the LSTM
# train-step benchmark against PyTorch cuDNN (benchmarks/gpu.sh), the persistent-kernel timings and a
# compute-sanitizer memcheck of the kernels' contract test. Logs go to $OUT (at most 8 files come back):
#   gpu-tests.log, bench.tgz (benchmarks/gpu.sh output), persist-bench.log, sanitizer.log
# Build machine first: ci/stage-gpu.sh (builds, stages java, benchmarks and jcuda, trims under the 64 MiB carry limit).
# Time caps (s): T_TESTS (170), T_BENCH (230; includes the Bidirectional one- vs two-stream rows), T_PERSIST (35),
# T_SAN (80).
# ci/gpu-all.sh --issue16: instead, only benchmarks/gpu-issue16.sh (issue 16's GPU parts, one call of < 9 min).
# ci/gpu-all.sh --pending: instead, what no GPU has run yet (~8 min): every gpu test (T_TESTS, 280 s; never-run classes first), the stack-wavefront streams
#   rows, data-parallel NCCL, the dataset feed, GRU/SimpleRNN/BF16 rows, then the big-box CPU rows if time is left.
set -uo pipefail
cd "$(dirname "$0")/.."
[ "${1:-}" = --issue16 ] && exec benchmarks/gpu-issue16.sh
if [ "${1:-}" = --pending ]; then
  OUT=${OUT:-$PWD/gpu-out}; mkdir -p "$OUT"; t0=$(date +%s)
  el() { echo "[$(( $(date +%s) - t0 ))s]"; }
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  source benchmarks/cublas-env.sh
  # ~125 gpu tests took ~220 s on the H200 (2026-12-04); --details=verbose names the test a timeout stopped in.
  # First the classes whose GPU paths no GPU has run yet (sessions 5-8: gelu/swish kernels, a gelu/swish wavefront,
  # hand-made persistent plans, OOM, lazy gradients, JCuda interop; session 13: MultiHeadAttention, focal losses (CudaBackendContractTest), schedules under graph replay (CudaFitParityTest), class weights through the feed (DeviceFeedGpuTest); session 11: Conv1D, pooling, regularized and constrained fits, temporal sample weights, hinge losses, maxOverSteps, maskedMulRows, Adamax, Adadelta), then the rest in the time left of T_TESTS.
  pending='^dev\.jrnn\.(backend\.cuda\.(MultiHeadAttentionGpuTest|CudaNormalizationParityTest|CudaBatchNormalizationParityTest|AttentionGpuTest|ReshapeMergeLayersGpuTest|Conv1DGpuTest|CudaSampleWeightsParityTest|CudaParityTest|CudaBackendContractTest|CudaFitParityTest|CudaLayerParityTest|CudaStreamsGpuTest|PersistentRnnGpuTest|CudaBackendGpuTest|CudaDriverGpuTest)|jcuda\.JCudaTensorsGpuTest|model\.(PenaltiesGpuTest|CompileMetricsGpuTest|DeviceFeedGpuTest|ModelFilesGpuTest))$'
  T_TESTS=${T_TESTS:-280}
  echo "== $(el) GPU tests, never run on a GPU before"
  timeout "$T_TESTS" .device/test.sh --include-tag gpu --include-classname "$pending" --disable-ansi-colors \
    --details=verbose > "$OUT/gpu-tests-pending.log" 2>&1
  echo "gpu tests (pending): exit $? $(el)"
  grep -E "tests (successful|failed|aborted|skipped|found)|containers failed" "$OUT/gpu-tests-pending.log"
  grep -E "✘" "$OUT/gpu-tests-pending.log" | head -40
  rest=$(( T_TESTS - $(date +%s) + t0 ))
  echo "== $(el) the other GPU tests (${rest}s)"
  if [ "$rest" -gt 20 ]; then
    timeout "$rest" .device/test.sh --include-tag gpu --exclude-classname "$pending" --disable-ansi-colors \
      --details=verbose > "$OUT/gpu-tests.log" 2>&1
    echo "gpu tests (the rest): exit $? $(el)"
    grep -E "tests (successful|failed|aborted|skipped|found)|containers failed" "$OUT/gpu-tests.log"
    grep -E "✘" "$OUT/gpu-tests.log" | head -40
  fi
  for s in gpu-nccl gpu-dataset; do
    [ -x benchmarks/$s.sh ] || continue
    echo "== $(el) benchmarks/$s.sh"
    OUT=$OUT timeout "${T_PART:-100}" benchmarks/$s.sh > "$OUT/$s.out" 2>&1
    echo "$s: exit $? $(el)"; grep -v incubator "$OUT/$s.out" | tail -25
  done
  left=$(( ${BUDGET:-500} - $(date +%s) + t0 ))
  echo "== $(el) issue 16 parts E (stack wavefront, streams off/on), H (BF16), F (GRU, SimpleRNN), then G; ${left}s left"
  OUT=$OUT/i16 PARTS=${PARTS:-EHFG} BUDGET=$left benchmarks/gpu-issue16.sh > "$OUT/issue16.out" 2>&1
  tail -70 "$OUT/issue16.out"
  echo "== done $(el)"
  exit 0
fi
OUT=${OUT:-$PWD/gpu-out}
mkdir -p "$OUT"
t0=$(date +%s)
el() { echo "[$(( $(date +%s) - t0 ))s]"; }
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
source benchmarks/cublas-env.sh
echo "JRNN_CUBLAS=${JRNN_CUBLAS:-(not found)}"

echo "== $(el) GPU tests"
timeout "${T_TESTS:-170}" .device/test.sh --include-tag gpu --disable-ansi-colors > "$OUT/gpu-tests.log" 2>&1
echo "gpu tests: exit $? $(el)"
grep -E "tests (successful|failed|aborted|skipped|found)|containers failed" "$OUT/gpu-tests.log"
grep -E "✘" "$OUT/gpu-tests.log" | head -40

echo "== $(el) LSTM train step vs PyTorch cuDNN"
rm -rf /tmp/bench && mkdir -p /tmp/bench
OUT=/tmp/bench timeout "${T_BENCH:-230}" benchmarks/gpu.sh --max-seconds 1.5 --iters 30 > /tmp/bench/stdout.log 2>&1
echo "bench: exit $? $(el)"
cat /tmp/bench/ratios.md 2>/dev/null || tail -20 /tmp/bench/stdout.log
cat /tmp/bench/ratios-bi.md 2>/dev/null
tar czf "$OUT/bench.tgz" -C /tmp bench

echo "== $(el) persistent kernels vs step path"
timeout "${T_PERSIST:-35}" .device/java.sh -cp "$(.device/cp.sh)" dev.jrnn.backend.cuda.PersistentRnnBench 10 \
  > "$OUT/persist-bench.log" 2>&1
echo "persist bench: exit $? $(el)"
grep -v incubator "$OUT/persist-bench.log" | tail -30

echo "== $(el) compute-sanitizer memcheck (CudaBackendContractTest)"
san=$(command -v compute-sanitizer || ls /usr/local/cuda*/bin/compute-sanitizer 2>/dev/null | head -1)
jar=$(ls .device/lib/junit-platform-console-standalone-*.jar | head -1)
timeout "${T_SAN:-80}" "$san" --tool memcheck --leak-check full --target-processes all \
  .device/java.sh -jar "$jar" execute --class-path "$(.device/cp.sh)" --details=summary --disable-banner \
  --disable-ansi-colors --select-class dev.jrnn.backend.cuda.CudaBackendContractTest > "$OUT/sanitizer.log" 2>&1
echo "sanitizer: exit $? $(el)"
grep -E "ERROR SUMMARY|tests (successful|failed)" "$OUT/sanitizer.log" || tail -15 "$OUT/sanitizer.log"
echo "== done $(el)"
