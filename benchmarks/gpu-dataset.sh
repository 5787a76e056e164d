#!/usr/bin/env bash
# Issue 15's GPU row in ONE device call of < 90 s: epoch throughput of Model.fit from a memory-mapped .npy data
# set vs from in-memory Tensors of the same samples (and the same Tensors through Dataset.fromTensors), LSTM at
# B=256, T=50, I=H=512, FP32 (goal: mapped >= 90% of Tensors). The 1 GB data file is written by the benchmark
# itself into $DATA_DIR (default: a temp dir on the GPU machine's disk, removed at the end).
# With --tests it first runs the feed's GPU tests (DeviceFeedGpuTest: same losses as in-memory fit;
# CudaCopyQueueGpuTest: timing events show the copy overlapping the compute), ~30 s more.
# Output: stdout, and $OUT/gpu-dataset.log (+ $OUT/gpu-dataset-tests.log with --tests).
#
# Build machine first:  mvn -B -DskipTests package && mvn -B -DskipTests install -pl java \
#   && STAGE_MODULES=java,benchmarks /work/shared/gpu/stage.sh
# Device call (carry [".device"]):  benchmarks/gpu-dataset.sh [--tests]
# Here, without a GPU (plumbing only, tiny shapes on the CPU backend):  DATASET_DRY=1 benchmarks/gpu-dataset.sh
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-$PWD/gpu-out}
mkdir -p "$OUT"
DATA_DIR=${DATA_DIR:-$(mktemp -d /tmp/jrnn-dataset.XXXX)}
trap 'rm -rf "$DATA_DIR"' EXIT
if [ -n "${DATASET_DRY:-}" ]; then
  source ci/jdk.sh
  JAVA=("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED
        -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)")
  ARGS=(--backend cpu --batch 8 --steps 5 --features 4 --units 4 --batches 4 --epochs 3)
else
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  source benchmarks/cublas-env.sh
  JAVA=(.device/java.sh -Xmx6g -cp "$(.device/cp.sh)")
  ARGS=(--backend cuda)
  if [ "${1:-}" = --tests ]; then
    timeout "${T_TESTS:-60}" .device/test.sh --include-tag gpu --disable-ansi-colors \
      --select-class dev.jrnn.model.DeviceFeedGpuTest --select-class dev.jrnn.backend.cuda.CudaCopyQueueGpuTest \
      > "$OUT/gpu-dataset-tests.log" 2>&1
    echo "feed gpu tests: exit $?"
    grep -E "copy queue:|tests (successful|failed)|✘" "$OUT/gpu-dataset-tests.log"
  fi
fi
echo "$(date -u +%FT%TZ) $(uname -n), $(nproc) cores; data in $DATA_DIR ($(df -h --output=fstype,avail "$DATA_DIR" | tail -1))"
timeout "${T_BENCH:-85}" "${JAVA[@]}" dev.jrnn.bench.DatasetGpuBench --dir "$DATA_DIR" "${ARGS[@]}" 2>&1 \
  | grep -v 'Using incubator modules' | tee "$OUT/gpu-dataset.log"
exit "${PIPESTATUS[0]}"
