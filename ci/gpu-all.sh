#!/usr/bin/env bash
# The GPU check in two prepared device calls. A device command runs at most 600 s and a session has 15 minutes of
# device time in all, starts included (/work/.library/device/README.md), so call 1 carries what matters most and
# call 2 the rest. Call 1 (up to 600 s) and a machine start (1-3 min) leave a session too little for call 2's 540 s:
# call 2 is the next GPU session's first call, or this session's only where status' budget_left_s allows; its BUDGET
# is the caller's (the smaller of 540 and budget_left_s less a start and 60 s), and required. Build machine first:
# ci/stage-gpu.sh.
#   Call 1: run(command="OUT=$OUT ci/gpu-all.sh", carry=[".device"], timeout_s=600)                 (BUDGET 540 s)
#     the @Tag("gpu") tests in three tiers, each its own JUnit run with --details=verbose (a cut-off log names the test
#     it stopped in), most important first:
#       1  never run on a GPU or changed since the last run (2026-12-04): the NaN/Inf losses, the contract test of every
#          Backend op (log_softmax, rsqrt, gemmBatched, normalNoise, mulRowVector, maskedMulRows, the new optimizers),
#          the parity tests, the seven layer/normalization classes added since, penalties and metrics;
#       2  what the last run never reached or --pending skipped: GraphReplayTest, CublasGpuTest, NcclGpuTest, the CUDA
#          edge and fault tests, stateful batches, the feed, files, streams, persistent kernels, driver, JCuda;
#       3  every other gpu test (SoakTest last of all: it has its own run);
#     then, if T_SAN_MIN (60) s are left, compute-sanitizer memcheck over the kernels new since 2026-12-04 (SAN_KERNELS)
#     in the tests that launch them (SAN_TESTS), for at most T_SAN (150) s: first a positive control, CudaNonFiniteLossGpuTest
#     with no kernel filter for at most T_SAN_CTL (60) s or a third of that time (sanitizer-control.log: every kernel
#     instrumented, so its ERROR SUMMARY shows memcheck ran over jrnn_loss even if the filter matched nothing), then the
#     filtered run. Its last lines say what it did not reach and print call 2's command: a tier that timed out comes with
#     twice its cap (T1=600 ...; or rerun it by hand without the classes its log shows finished).
#   Call 2: run(command="OUT=$OUT BUDGET=<s> [T<n>=<cap>] TIERS='<what call 1 did not finish>' ci/gpu-all.sh --second",
#     carry=[".device"], timeout_s=BUDGET + 60)                                                  (BUDGET at most 540 s)
#     the tiers named in TIERS (none by default; "sanitizer" reruns the memcheck), then the benchmarks: the LSTM train step
#     against PyTorch cuDNN (benchmarks/gpu.sh, T_BENCH 200), the persistent kernels (T_PERSIST 35), data-parallel NCCL
#     and the dataset feed (T_PART 100 each), then issue 16's parts E H F G in the time left; each capped by the budget
#     left and skipped under 10 s, call2.tgz packed again after each step (a kill past the call's limit keeps the last).
# ci/gpu-all.sh --issue16: instead, only benchmarks/gpu-issue16.sh (issue 16's GPU parts, one call of < 9 min).
# GPU_DRY=1 runs the plumbing here without a GPU: every JUnit and sanitizer run is replaced by a line naming what it would
# select and a sleep of DRY_T1 / DRY_T2 / DRY_T3 / DRY_SAN seconds (default 0), so the budgets and the report can be
# checked (ci/gpu-all-dry-check.sh does).
# Logs in $OUT (at most 8 files come back): call 1 gpu-tests-1.log .. gpu-tests-3.log, soak.log, sanitizer-control.log,
# sanitizer.log; call 2
# call2.tgz (its test logs, bench.tgz, persist-bench.log, the gpu-nccl / gpu-dataset / issue16 outputs) and summary.md.
set -uo pipefail
cd "$(dirname "$0")/.."
# the runtime travels packed (.device/jre.tar.xz): unpack it once here, before anything times a run
[ "${GPU_DRY:-0}" = 1 ] || [ ! -x .device/unpack.sh ] || .device/unpack.sh || exit 2
[ "${1:-}" = --issue16 ] && exec benchmarks/gpu-issue16.sh
mode=${1:---first}
case "$mode" in --first) ;; --second)
  [ -n "${BUDGET:-}" ] || { echo "ci/gpu-all.sh --second: set BUDGET, the seconds this call may use (the smaller of 540 and the session's budget_left_s less a machine start and 60 s)" >&2; exit 2; } ;; *) echo "ci/gpu-all.sh: unknown mode '$mode' (--first, --second, --issue16)" >&2; exit 2 ;; esac
OUT=${OUT:-$PWD/gpu-out}; mkdir -p "$OUT"
t0=$(date +%s); BUDGET=${BUDGET:-540}; dry=${GPU_DRY:-0}
el() { echo "[$(( $(date +%s) - t0 ))s]"; }
left() { echo $(( BUDGET - $(date +%s) + t0 )); }

c='dev\.jrnn\.backend\.cuda\.'; m='dev\.jrnn\.model\.'; e='dev\.jrnn\.edges\.'
TIER1="^(${c}(CudaNonFiniteLossGpuTest|CudaBackendContractTest|CudaParityTest|CudaFitParityTest|CudaLayerParityTest|AttentionGpuTest|Conv1DGpuTest|MultiHeadAttentionGpuTest|ReshapeMergeLayersGpuTest|CudaBatchNormalizationParityTest|CudaNormalizationParityTest|CudaSampleWeightsParityTest)|${m}(PenaltiesGpuTest|CompileMetricsGpuTest))$"
TIER2="^(${m}(GraphReplayTest|StatefulBatchGpuTest|DeviceFeedGpuTest|ModelFilesGpuTest)|${c}(CublasGpuTest|NcclGpuTest|CudaStreamsGpuTest|PersistentRnnGpuTest|CudaBackendGpuTest|CudaDriverGpuTest)|${e}(CudaEdgesTest|CudaFaultsTest)|dev\.jrnn\.jcuda\.JCudaTensorsGpuTest)$"
SOAK="^${e}SoakTest$"
# Kernels written or changed since the last memcheck (2026-12-04): the losses (focal, hinge, label smoothing, NaN-keeping),
# the optimizer kinds of jrnn_opt_update, normal noise, max over steps, masked rows, log-softmax rows, row-vector
# products, rsqrt; and the tests that launch them.
SAN_KERNELS=${SAN_KERNELS:-'jrnn_(loss|hinge_labels|opt_update|normal_noise|max_over_steps|masked_mul_rows|log_softmax_rows|mul_row_vector|rsqrt)'}
SAN_TESTS=${SAN_TESTS:-"${c}CudaNonFiniteLossGpuTest ${c}CudaBackendContractTest ${c}Conv1DGpuTest"}

# junit <log> <cap s> <ConsoleLauncher selection args...>: one verbose run, capped at the smaller of <cap> and the budget
junit() {
  local log=$1 cap=$2; shift 2
  local t=$(( $(left) < cap ? $(left) : cap ))
  if [ "$t" -le 5 ]; then echo "not started (${t}s left): $log"; echo "NOT STARTED: no time left" > "$OUT/$log"; return 125; fi
  if [ "$dry" = 1 ]; then
    echo "dry: .device/test.sh --include-tag gpu $* (timeout ${t}s)" > "$OUT/$log"
    timeout "$t" sleep "${DRY_SLEEP:-0}"; local rc=$?
    [ $rc -eq 0 ] && echo "[ 1 tests successful ]" >> "$OUT/$log"
    return $rc
  fi
  timeout "$t" .device/test.sh --include-tag gpu --disable-ansi-colors --details=verbose "$@" > "$OUT/$log" 2>&1
}

# report <log> <rc> <name>: the summary, the failures, and on a timeout the test it stopped in
report() {   # report <log> <rc> <name> [<cap variable> <cap s>]
  local log=$1 rc=$2 name=$3 capvar=${4:-} cap=${5:-0}
  echo "$name: exit $rc $(el)"
  grep -E "tests (successful|failed|aborted|skipped|found)|containers failed" "$OUT/$log"
  grep -E "✘" "$OUT/$log" | head -40
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "$name: TIMED OUT; the last tests it started:"
    grep -E "^[[:space:]]*(├─|└─|│)|Test execution started|MethodSource|display name" "$OUT/$log" | tail -4
    unfinished="$unfinished $name"
    [ -n "$capvar" ] && raise="$raise $capvar=$(( cap * 2 ))"
  elif [ "$rc" -eq 125 ]; then
    unfinished="$unfinished $name"
  fi
}

tier() {   # tier <1|2|3|soak>
  local rc log="gpu-tests-$1.log" capvar=T$1 cap
  echo "== $(el) GPU tests, tier $1 ($(left)s of the budget left)"
  case $1 in
    1) cap=${T1:-300}; DRY_SLEEP=${DRY_T1:-0} junit "$log" "$cap" --include-classname "$TIER1"; rc=$? ;;
    2) cap=${T2:-200}; DRY_SLEEP=${DRY_T2:-0} junit "$log" "$cap" --include-classname "$TIER2"; rc=$? ;;
    3) cap=${T3:-150}; DRY_SLEEP=${DRY_T3:-0} junit "$log" "$cap" --exclude-classname "$TIER1" --exclude-classname "$TIER2" \
         --exclude-classname "$SOAK"; rc=$? ;;
    soak) log=soak.log capvar=T_SOAK; cap=${T_SOAK:-60}; DRY_SLEEP=${DRY_SOAK:-0} junit "$log" "$cap" --include-classname "$SOAK"; rc=$? ;;
    *) echo "ci/gpu-all.sh: no tier '$1' (1, 2, 3, soak, sanitizer)" >&2; return 2 ;;
  esac
  report "$log" "$rc" "$1" "$capvar" "$cap"
}

# san_run <log> <timeout s> <filter args (or none)> -- <class selections>: one memcheck run of the JUnit launcher
san_run() {
  local log=$1 t=$2; shift 2
  local filter=() sel=()
  while [ "$1" != -- ]; do filter+=("$1"); shift; done; shift; sel=("$@")
  if [ "$dry" = 1 ]; then
    echo "dry: compute-sanitizer ${filter[*]:-(every kernel)} ${sel[*]} (timeout ${t}s)" > "$OUT/$log"
    timeout "$t" sleep "${DRY_SLEEP:-0}"; local rc=$?
    [ $rc -eq 0 ] && echo "========= ERROR SUMMARY: 0 errors" >> "$OUT/$log"
    return $rc
  fi
  timeout "$t" "$san" --tool memcheck --leak-check full --target-processes all "${filter[@]}" \
    .device/java.sh -jar "$jar" execute --class-path "$(.device/cp.sh)" --details=verbose --disable-banner \
    --disable-ansi-colors "${sel[@]}" > "$OUT/$log" 2>&1
}

sanitizer() {
  local t=$(( $(left) < ${T_SAN:-150} ? $(left) : ${T_SAN:-150} ))
  echo "== $(el) compute-sanitizer memcheck of $SAN_KERNELS (${t}s)"
  if [ "$t" -lt "${T_SAN_MIN:-60}" ]; then
    echo "sanitizer: not started (${t}s left, T_SAN_MIN ${T_SAN_MIN:-60})"; unfinished="$unfinished sanitizer"; return
  fi
  local sel=() x rc san='' jar=''; for x in $SAN_TESTS; do sel+=(--select-class "${x//\\/}"); done
  if [ "$dry" != 1 ]; then
    san=$(command -v compute-sanitizer || ls /usr/local/cuda*/bin/compute-sanitizer 2>/dev/null | head -1)
    jar=$(ls .device/lib/junit-platform-console-standalone-*.jar | head -1)
    [ -n "$san" ] || { echo "sanitizer: compute-sanitizer not found"; unfinished="$unfinished sanitizer"; return; }
  fi
  # positive control: one small class with no kernel filter, so every kernel it launches (jrnn_loss among them) is
  # instrumented; a filter that matched nothing would leave the filtered run's "0 errors" saying nothing
  local ct=$(( t / 3 < ${T_SAN_CTL:-60} ? t / 3 : ${T_SAN_CTL:-60} ))
  DRY_SLEEP=${DRY_SAN_CTL:-0} san_run sanitizer-control.log "$ct" -- --select-class dev.jrnn.backend.cuda.CudaNonFiniteLossGpuTest
  rc=$?
  echo "sanitizer control (CudaNonFiniteLossGpuTest, every kernel instrumented): exit $rc $(el)"
  grep -E "ERROR SUMMARY|tests (successful|failed)" "$OUT/sanitizer-control.log" || tail -5 "$OUT/sanitizer-control.log"
  grep -q "ERROR SUMMARY" "$OUT/sanitizer-control.log" || echo "sanitizer control: NO ERROR SUMMARY (memcheck did not finish over jrnn_loss)"
  # the filtered run: only the new kernels are instrumented (the others run unchecked, at full speed); an older
  # sanitizer that does not know the filter stops at once, and the run is made again without it
  t=$(( $(left) < t - ct ? $(left) : t - ct ))
  local filter=(--kernel-name "kre=$SAN_KERNELS") try
  for try in 1 2; do
    if [ "$t" -le 5 ]; then echo "sanitizer: filtered run not started (${t}s left)"; rc=125; break; fi
    DRY_SLEEP=${DRY_SAN:-0} san_run sanitizer.log "$t" "${filter[@]}" -- "${sel[@]}"
    rc=$?
    if [ "$try" = 1 ] && ! grep -q "ERROR SUMMARY" "$OUT/sanitizer.log" && grep -qiE "unrecognized|invalid|unknown option" "$OUT/sanitizer.log"; then
      echo "sanitizer: the kernel filter was refused; again over every kernel"; filter=()
      t=$(( $(left) < t ? $(left) : t )); continue
    fi
    break
  done
  echo "sanitizer: exit $rc $(el)"
  grep -E "ERROR SUMMARY|tests (successful|failed)" "$OUT/sanitizer.log" 2>/dev/null || tail -15 "$OUT/sanitizer.log" 2>/dev/null
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "sanitizer: TIMED OUT"; grep -E "^[[:space:]]*(├─|└─|│)" "$OUT/sanitizer.log" | tail -3
    unfinished="$unfinished sanitizer" raise="$raise T_SAN=$(( ${T_SAN:-150} * 2 ))"
  elif [ "$rc" -eq 125 ]; then
    unfinished="$unfinished sanitizer"
  fi
}

unfinished="" raise=""
if [ "$dry" = 1 ]; then echo "dry run (GPU_DRY=1): no GPU used"; else
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader
  source benchmarks/cublas-env.sh
  echo "JRNN_CUBLAS=${JRNN_CUBLAS:-(not found)}"
fi

if [ "$mode" = --first ]; then
  for t in 1 2 3 soak; do tier "$t"; done
  sanitizer
  echo "== done $(el)"
  if [ -n "$unfinished" ]; then
    echo "NOT FINISHED:$unfinished. Call 2 (the next GPU session's first call, BUDGET at most 540 and its budget_left_s less a start and 60 s): run(command=\"OUT=\$OUT BUDGET=<s>${raise} TIERS='${unfinished# }' ci/gpu-all.sh --second\", carry=[\".device\"], timeout_s=<BUDGET + 60>)"
  else
    echo "every tier and the sanitizer finished. Call 2 (benchmarks; the next GPU session's first call, BUDGET at most 540 and its budget_left_s less a start and 60 s): run(command=\"OUT=\$OUT BUDGET=<s> ci/gpu-all.sh --second\", carry=[\".device\"], timeout_s=<BUDGET + 60>)"
  fi
  exit 0
fi

# --second: the tiers call 1 left, then the benchmarks; everything but issue 16's summary goes back as one call2.tgz (at
# most 8 files come back from a call), packed again after every step: a kill at the call's limit runs no EXIT trap
final=$OUT; OUT=$OUT/call2; mkdir -p "$OUT"
pack() { tar czf "$final/call2.tgz.part" -C "$OUT" . && mv -f "$final/call2.tgz.part" "$final/call2.tgz"; cp "$OUT/i16/summary.md" "$final/" 2>/dev/null; return 0; }
trap 'pack; rm -rf "$OUT"' EXIT
# capped <cap s> <name>: the smaller of the cap and the budget left, or nothing (and a line saying so) under 10 s
capped() { local t=$(( $(left) < $1 ? $(left) : $1 )); [ "$t" -gt 10 ] && { echo "$t"; return 0; }; echo "$2: not started (${t}s left)" >&2; return 1; }
for t in ${TIERS:-}; do if [ "$t" = sanitizer ]; then sanitizer; else tier "$t"; fi; pack; done
[ "$dry" = 1 ] && { echo "dry: the benchmarks would follow ($(left)s left)"; echo "== done $(el)"; exit 0; }
if tb=$(capped "${T_BENCH:-200}" bench); then
  echo "== $(el) LSTM train step vs PyTorch cuDNN (${tb}s)"
  rm -rf /tmp/bench && mkdir -p /tmp/bench
  OUT=/tmp/bench timeout "$tb" benchmarks/gpu.sh --max-seconds 1.5 --iters 30 > /tmp/bench/stdout.log 2>&1
  echo "bench: exit $? $(el)"
  cat /tmp/bench/ratios.md 2>/dev/null || tail -20 /tmp/bench/stdout.log
  cat /tmp/bench/ratios-bi.md 2>/dev/null
  tar czf "$OUT/bench.tgz" -C /tmp bench; pack
fi
if tp=$(capped "${T_PERSIST:-35}" "persist bench"); then
  echo "== $(el) persistent kernels vs step path (${tp}s)"
  timeout "$tp" .device/java.sh -cp "$(.device/cp.sh)" dev.jrnn.backend.cuda.PersistentRnnBench 10 \
    > "$OUT/persist-bench.log" 2>&1
  echo "persist bench: exit $? $(el)"
  grep -v incubator "$OUT/persist-bench.log" | tail -30; pack
fi
for s in gpu-nccl gpu-dataset; do
  [ -x benchmarks/$s.sh ] || continue
  t=$(capped "${T_PART:-100}" "$s") || continue
  echo "== $(el) benchmarks/$s.sh"
  OUT=$OUT timeout "$t" benchmarks/$s.sh > "$OUT/$s.out" 2>&1
  echo "$s: exit $? $(el)"; grep -v incubator "$OUT/$s.out" | tail -25; pack
done
echo "== $(el) issue 16 parts E (stack wavefront, streams off/on), H (BF16), F (GRU, SimpleRNN), then G; $(left)s left"
[ "$(left)" -gt 20 ] && { OUT=$OUT/i16 PARTS=${PARTS:-EHFG} BUDGET=$(( $(left) - 5 )) timeout "$(left)" benchmarks/gpu-issue16.sh > "$OUT/issue16.out" 2>&1; tail -70 "$OUT/issue16.out"; }
echo "== done $(el)"
