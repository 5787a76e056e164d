#!/usr/bin/env bash
# GPU benchmark, one command on the GPU machine: jrnn's LSTM train step (dev.jrnn.bench.GpuBench) and
# PyTorch's cuDNN nn.LSTM (peers/torch_lstm.py) on the same shapes and precisions, then their ratio.
# Shapes B,T,I,H: 64,100,512,512; 4,100,256,256; 256,50,1024,1024; precisions fp32 and tf32.
# Takes about 2 minutes (at most ~4.5) (each side is capped by `timeout`); logs, CSV and JSON go to $OUT (else
# benchmarks/results/gpu-<date>).
#
# Here (build machine), once:   mvn -B -DskipTests install && STAGE_MODULES=java,benchmarks <shared>/gpu/stage.sh
# There, from the repo root:    benchmarks/gpu.sh          (device run with carry [".device"])
# Extra arguments go to both sides, e.g. --iters 20 --shapes 64x100x512x512.
# jrnn also runs once more with --streams on (graph mode; NO_STREAMS=1 skips it): since the second stream is always on
# and one layer no longer forks, these rows only confirm that a single layer does not depend on it.
# Then Bidirectional LSTM (fp32, graph mode) at BI_SHAPES (default 64x100x512x512,4x100x256x256; empty: skip):
# jrnn with one stream and with two (--streams off|on; two is the default), PyTorch bidirectional=True; ratios in ratios-bi.md.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-benchmarks/results/gpu-$(date +%Y-%m-%d)}
mkdir -p "$out"
log() { echo "$*" | tee -a "$out/gpu-bench.log"; }

log "== $(date -u +%FT%TZ) $(hostname) :: benchmarks/gpu.sh $*"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1 | tee -a "$out/gpu-bench.log"

if [ ! -x .device/java.sh ] || ! ls -d .device/cp/benchmarks/classes >/dev/null 2>&1; then
  log "no staged benchmarks: run 'mvn -B -DskipTests install && STAGE_MODULES=java,benchmarks shared/gpu/stage.sh' on the build machine and carry .device"
  jrnn_ok=0
else
  jrnn_ok=1
fi

# cuBLAS ships inside the Python install there: point jrnn at it unless the caller already did.
source benchmarks/cublas-env.sh
[ -n "${JRNN_CUBLAS:-}" ] && log "JRNN_CUBLAS=$JRNN_CUBLAS"

if [ "$jrnn_ok" = 1 ]; then
  log "== jrnn (GpuBench)"
  timeout 150 .device/java.sh -cp "$(.device/cp.sh)" dev.jrnn.bench.GpuBench --max-seconds 5 \
      --out "$out/jrnn_gpu.csv" "$@" 2>&1 | grep -v 'Using incubator modules' | tee -a "$out/gpu-bench.log"
  log "jrnn exit: ${PIPESTATUS[0]}"
fi

if [ "$jrnn_ok" = 1 ] && [ -z "${NO_STREAMS:-}" ]; then
  # The same layers labelled graph+streams (two streams, the default); rows join jrnn_gpu.csv, so ratios.md shows both.
  log "== jrnn (GpuBench, --streams on)"
  timeout 90 .device/java.sh -cp "$(.device/cp.sh)" dev.jrnn.bench.GpuBench --max-seconds 5 "$@" \
      --streams on --modes graph --no-gemm --out "$out/jrnn_gpu_streams.csv" 2>&1 | grep -v 'Using incubator modules' \
      | tee -a "$out/gpu-bench.log"
  log "jrnn exit: ${PIPESTATUS[0]}"
  tail -n +2 "$out/jrnn_gpu_streams.csv" >> "$out/jrnn_gpu.csv" 2>/dev/null
fi

log "== PyTorch (peers/torch_lstm.py)"
timeout 130 python3 benchmarks/peers/torch_lstm.py --max-seconds 5 --out "$out/torch_gpu.csv" "$@" 2>&1 \
  | tee -a "$out/gpu-bench.log"
log "torch exit: ${PIPESTATUS[0]}"

log "== ratio (jrnn / PyTorch median time; < 1 means jrnn is faster)"
python3 benchmarks/peers/ratios.py "$out/jrnn_gpu.csv" "$out/torch_gpu.csv" | tee "$out/ratios.md" | tee -a "$out/gpu-bench.log"

bi_shapes=${BI_SHAPES-64x100x512x512,4x100x256x256}
if [ -n "$bi_shapes" ]; then
  if [ "$jrnn_ok" = 1 ]; then
    for st in off on; do
      log "== jrnn Bidirectional LSTM, --streams $st"
      timeout 75 .device/java.sh -cp "$(.device/cp.sh)" dev.jrnn.bench.GpuBench --max-seconds 3 "$@" \
          --bidirectional --streams "$st" --precisions fp32 --modes graph --no-gemm --shapes "$bi_shapes" \
          --out "$out/jrnn_bi_$st.csv" 2>&1 | grep -v 'Using incubator modules' | tee -a "$out/gpu-bench.log"
      log "jrnn exit: ${PIPESTATUS[0]}"
    done
  fi
  log "== PyTorch bidirectional"
  timeout 75 python3 benchmarks/peers/torch_lstm.py --max-seconds 3 "$@" --bidirectional --precisions fp32 \
      --shapes "$bi_shapes" --out "$out/torch_bi.csv" 2>&1 | tee -a "$out/gpu-bench.log"
  log "torch exit: ${PIPESTATUS[0]}"
  { cat "$out/jrnn_bi_off.csv" 2>/dev/null; tail -n +2 "$out/jrnn_bi_on.csv" 2>/dev/null; } > "$out/jrnn_bi.csv"
  log "== ratio, Bidirectional (one stream vs two)"
  python3 benchmarks/peers/ratios.py "$out/jrnn_bi.csv" "$out/torch_bi.csv" | tee "$out/ratios-bi.md" | tee -a "$out/gpu-bench.log"
fi
