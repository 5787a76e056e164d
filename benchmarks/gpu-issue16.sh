#!/usr/bin/env bash
# Every GPU-machine part of issue 16 in ONE device call of under 9 minutes (BUDGET, default 520 s of wall time;
# each part has a cap and gets at most what is left, most important first (A-E, H, F, G in that order), so a
# slow part only cuts the last; the caps add up to more than the budget on purpose, the estimate is ~470 s):
#   A  jrnn GpuBench, LSTM fp32/tf32 at 64x100x512, 4x100x256, 256x50x1024: sync, graph, cuBLAS GEMM alone
#   B  PyTorch nn.LSTM, same shapes: eager (Adam fused, foreach) and CUDA-graph captured (fused, capturable),
#      torch.mm GEMM rows (the "step >= 60% of cuBLAS' GEMM throughput" figure at 256x50x1024 tf32)
#   C  jrnn LSTM with two streams (--streams on, graph mode; the default since the rows of 2026-12-04)
#   D  Bidirectional LSTM: jrnn one stream vs two, PyTorch bidirectional=True eager + graph
#   E  whole-model trainOnBatch, Bidirectional and the two-layer stack wavefront, streams off vs on (ModelBench)
#   F  GRU and SimpleRNN, fp32: jrnn sync + graph, PyTorch eager + graph
#   G  the big-box CPU: jrnn's CPU backend (GpuBench --backend cpu) vs PyTorch's CPU path (torch_cpu.py, MKL/
#      oneDNN, its best of 8 and 16 threads) at the CPU table's shapes, same weights checked (PeerFixture)
#   H  BF16 training on the seeds' sine task: loss after 20 epochs within 1% of fp32's (SineBf16Check)
# Output: $OUT/issue16.tgz (every CSV/JSON/log, re-packed after each part) and $OUT/summary.md (the ratio tables).
#
# Build machine first:  mvn -B -DskipTests package && mvn -B -DskipTests install -pl java   (stage.sh resolves the
#   benchmarks' jrnn dependency from ~/.m2) && STAGE_MODULES=java,benchmarks /work/shared/gpu/stage.sh (61 MiB)
# Device call (carry [".device"]):  benchmarks/gpu-issue16.sh      (or ci/gpu-all.sh --issue16)
# PARTS=EFH runs only the parts whose letters are listed (a re-run of what an earlier call missed).
# Here, without a GPU:  GPU16_DRY=1 OUT=/tmp/i16 benchmarks/gpu-issue16.sh   (tiny shapes, jrnn on the CPU backend,
#   PyTorch --device cpu --dry-run, whose shapes are 3x5x4x6 and 2x4x6x6: checks the plumbing, not the numbers)
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-$PWD/gpu-out}
mkdir -p "$OUT"
W=$(mktemp -d /tmp/issue16.XXXX)
BUDGET=${BUDGET:-520}
PY=${PY:-python3}
t0=$(date +%s)
el() { echo $(( $(date +%s) - t0 )); }
log() { echo "[$(el)s] $*" | tee -a "$W/issue16.log"; }
pack() { tar czf "$OUT/issue16.tgz" -C "$W" . 2>/dev/null; }

# part NAME CAP command...: runs with timeout min(CAP, what the budget has left - 5 s), logs to $W/NAME.log.
part() {
  local name=$1 cap=$2; shift 2
  if [ -n "${PARTS:-}" ] && [[ "$PARTS" != *"${name:0:1}"* ]]; then log "== $name: not in PARTS=$PARTS"; return; fi
  local left=$(( BUDGET - $(el) - 5 ))
  (( cap > left )) && cap=$left
  if (( cap < 10 )); then log "== $name: SKIPPED, budget spent"; return; fi
  local cmd="$*"; cmd=${cmd//-cp $CPSHOW/-cp ...}
  log "== $name (cap ${cap}s): $cmd"
  timeout "$cap" "$@" >> "$W/$name.log" 2>&1
  local rc=$?
  log "   $name: exit $rc$([ "$rc" = 124 ] && echo ' (timed out: partial rows)')"
  grep -v -e 'Using incubator modules' -e '^written:' "$W/$name.log" | grep -E '^(#|jrnn|torch|sine|FP32|BF16|BLAS|dry run)' \
    | cut -c1-220 | tail -40 >> "$W/issue16.log"
  pack
}

if [ -n "${GPU16_DRY:-}" ]; then
  # The same plumbing on the build machine: tiny shapes, jrnn on its CPU backend (graph mode is skipped there).
  source ci/jdk.sh
  CP="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
  JC=("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$CP")
  PY=${TORCH_PYTHON:-/usr/bin/python3}
  BE=cpu; TDEV=(--device cpu --dry-run); S3=3x5x4x6,2x4x6x6; S2=3x5x4x6; BIGS=3x5x4x6; TH=1,2; BIGBE=cpu
else
  BE=cuda; TDEV=(); S3=64x100x512x512,4x100x256x256,256x50x1024x1024; S2=64x100x512x512,4x100x256x256
  BIGS=32x50x128x128,8x100x256x256,64x100x512x512; TH=8,16; BIGBE=cpu
  [ -x .device/java.sh ] && ls -d .device/cp/benchmarks/classes >/dev/null 2>&1 \
    || { echo "no staged benchmarks: mvn -B -DskipTests package && STAGE_MODULES=java,benchmarks shared/gpu/stage.sh, carry .device"; exit 2; }
  JC=(.device/java.sh -cp "$(.device/cp.sh)")
fi
CPSHOW=${JC[-1]}
J=(--max-seconds 1 --iters 20 --warmup 5)
T=(--max-seconds 1 --iters 20 --warmup 5 "${TDEV[@]}")

log "== $(date -u +%FT%TZ) $(hostname) :: benchmarks/gpu-issue16.sh, budget ${BUDGET}s${GPU16_DRY:+ (DRY: CPU plumbing check)}"
{ nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1
  lscpu | grep -E '^(Model name|CPU\(s\)|Thread|Core)'; "$PY" -c 'import torch; print("torch", torch.__version__)' 2>&1; } \
  | tee -a "$W/issue16.log"
source benchmarks/cublas-env.sh
log "JRNN_CUBLAS=${JRNN_CUBLAS:-(not found)}"

part A_jrnn_lstm 70 "${JC[@]}" dev.jrnn.bench.GpuBench --backend $BE --shapes $S3 "${J[@]}" --out "$W/jrnn_lstm.csv"
part B_torch_lstm_eager 55 "$PY" benchmarks/peers/torch_lstm.py --shapes $S3 --modes eager --adam fused,foreach --gemm "${T[@]}" \
  --out "$W/torch_lstm_eager.csv"
part B_torch_lstm_graph 45 "$PY" benchmarks/peers/torch_lstm.py --shapes $S3 --modes graph --adam fused "${T[@]}" \
  --out "$W/torch_lstm_graph.csv"
part C_jrnn_lstm_streams 40 "${JC[@]}" dev.jrnn.bench.GpuBench --backend $BE --shapes $S3 --streams on --modes graph --no-gemm "${J[@]}" \
  --out "$W/jrnn_lstm_streams.csv"
part D_jrnn_bi_off 25 "${JC[@]}" dev.jrnn.bench.GpuBench --backend $BE --bidirectional --streams off --precisions fp32 --modes graph \
  --no-gemm --shapes $S2 "${J[@]}" --out "$W/jrnn_bi_off.csv"
part D_jrnn_bi_on 25 "${JC[@]}" dev.jrnn.bench.GpuBench --backend $BE --bidirectional --streams on --precisions fp32 --modes graph \
  --no-gemm --shapes $S2 "${J[@]}" --out "$W/jrnn_bi_on.csv"
part D_torch_bi 30 "$PY" benchmarks/peers/torch_lstm.py --bidirectional --precisions fp32 --shapes $S2 --adam fused "${T[@]}" \
  --out "$W/torch_bi.csv"
part E_model_streams_off 25 "${JC[@]}" dev.jrnn.bench.ModelBench --backend $BE --streams off --shapes $S2 --iters 10 --max-seconds 1 \
  --out "$W/model_off.csv"
part E_model_streams_on 25 "${JC[@]}" dev.jrnn.bench.ModelBench --backend $BE --streams on --shapes $S2 --iters 10 --max-seconds 1 \
  --out "$W/model_on.csv"
part H_sine_bf16 30 "${JC[@]}" dev.jrnn.bench.SineBf16Check --backend $BE
for c in gru simple_rnn; do
  part F_jrnn_$c 25 "${JC[@]}" dev.jrnn.bench.GpuBench --backend $BE --cell $c --precisions fp32 --no-gemm --shapes $S3 "${J[@]}" \
    --out "$W/jrnn_$c.csv"
done
part F_torch_gru_rnn 45 "$PY" benchmarks/peers/torch_lstm.py --cells gru,simple_rnn --precisions fp32 --shapes $S3 --adam fused \
  "${T[@]}" --out "$W/torch_gru_rnn.csv"
part G_fixtures 20 "${JC[@]}" dev.jrnn.bench.PeerFixture --dir "$W/fixtures" --shapes $BIGS
part G_torch_cpu 60 "$PY" benchmarks/peers/torch_cpu.py --fixtures "$W/fixtures" --threads $TH --iters 8 --max-seconds 1 \
  --out "$W/torch_cpu_bigbox.csv"
for c in lstm gru simple_rnn; do
  part G_jrnn_cpu_$c 25 "${JC[@]}" dev.jrnn.bench.GpuBench --backend $BIGBE --cell $c --precisions fp32 --modes sync --no-gemm \
    --shapes $BIGS --warmup 3 --iters 10 --max-seconds 1.5 --out "$W/jrnn_cpu_bigbox_$c.csv"
done
rm -rf "$W/fixtures"   # large and rebuilt from the seed: not worth carrying back

# The tables: one CSV per side, then ratios.py.
cat_csv() { local out=$1; shift; local first=1; : > "$out"
  for f in "$@"; do [ -s "$f" ] || continue; if [ $first = 1 ]; then cat "$f" >> "$out"; first=0; else tail -n +2 "$f" >> "$out"; fi; done; }
cat_csv "$W/jrnn_all.csv" "$W/jrnn_lstm.csv" "$W/jrnn_lstm_streams.csv" "$W/jrnn_gru.csv" "$W/jrnn_simple_rnn.csv"
cat_csv "$W/torch_all.csv" "$W/torch_lstm_eager.csv" "$W/torch_lstm_graph.csv" "$W/torch_gru_rnn.csv"
cat_csv "$W/jrnn_bi.csv" "$W/jrnn_bi_off.csv" "$W/jrnn_bi_on.csv"
cat_csv "$W/model.csv" "$W/model_off.csv" "$W/model_on.csv"
cat_csv "$W/jrnn_cpu_bigbox.csv" "$W/jrnn_cpu_bigbox_lstm.csv" "$W/jrnn_cpu_bigbox_gru.csv" "$W/jrnn_cpu_bigbox_simple_rnn.csv"
{
  echo "# Issue 16, GPU machine run $(date -u +%FT%TZ)${GPU16_DRY:+ (DRY: CPU plumbing check, not figures)}"
  echo; echo "## Train step, jrnn vs PyTorch eager and CUDA-graph (single layer)"; echo
  "$PY" benchmarks/peers/ratios.py "$W/jrnn_all.csv" "$W/torch_all.csv"
  echo; echo "## Bidirectional LSTM (jrnn graph, one stream vs two)"; echo
  "$PY" benchmarks/peers/ratios.py "$W/jrnn_bi.csv" "$W/torch_bi.csv"
  echo; echo "## Whole-model trainOnBatch, streams off vs on (ModelBench)"; echo
  cat "$W/model.csv"
  echo; echo "## Big-box CPU: jrnn CPU backend vs PyTorch CPU (same weights, checked)"; echo
  grep -E '^(torch |BLAS|# equal work|.*FAILED)' "$W/G_torch_cpu.log" 2>/dev/null
  echo
  "$PY" benchmarks/peers/ratios.py "$W/jrnn_cpu_bigbox.csv" "$W/torch_cpu_bigbox.csv"
  echo; echo "## BF16 sine task"; echo
  grep -E '^(sine|FP32|BF16)' "$W/H_sine_bf16.log" 2>/dev/null
} > "$OUT/summary.md" 2>&1
cp "$W/issue16.log" "$OUT/issue16.log"
pack
cat "$OUT/summary.md"
log "== done in $(el)s (budget ${BUDGET}s); $OUT: issue16.tgz, summary.md, issue16.log"
