#!/usr/bin/env bash
# Data-parallel training (issue 17) on the GPU machine, in under 60 s, from the staged tree (.device: see
# ../shared/gpu/README.md; classes in .device/cp, java .device/java.sh, which unpacks .device/jre.tar.xz):
#   1. NCCL's version, found as jrnn finds it (JRNN_NCCL is set to the nvidia-nccl wheel's libnccl.so.2 when present);
#   2. NcclGpuTest (the binding, a one-rank job through the rendezvous = plain fit, two ranks on one GPU in threads);
#   3. the one-rank overhead: plain fit against a one-rank data-parallel fit, LSTM 64x100x512, median of 3 (goal <= 3%);
#   4. two ranks on one GPU via bin/jrnn-launch (NCCL >= 2.30 with NCCL_MULTI_RANK_GPU_ENABLE=1; else says why not),
#      rank 0 comparing its loss with one process at the double batch.
# Build machine first: mvn -B -DskipTests package && ../shared/gpu/stage.sh   (carry [".device"])
# Device call: benchmarks/gpu-nccl.sh            Output: stdout, and $OUT/gpu-nccl.log
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-$PWD/gpu-out}
mkdir -p "$OUT"
exec > >(tee "$OUT/gpu-nccl.log") 2>&1
t0=$(date +%s)
el() { echo "[$(( $(date +%s) - t0 ))s]"; }
[ -x .device/java.sh ] || { echo "no staged runtime in .device/ (run ../shared/gpu/stage.sh on the build machine)"; exit 2; }
source benchmarks/cublas-env.sh
if [ -z "${JRNN_NCCL:-}" ]; then
  JRNN_NCCL=$("${PY:-python3}" -c 'import glob, os, site
for r in site.getsitepackages() + [site.getusersitepackages()]:
    h = sorted(glob.glob(os.path.join(r, "nvidia/nccl/lib/libnccl.so.2")))
    if h: print(h[0]); break' 2>/dev/null)
fi
[ -n "${JRNN_NCCL:-}" ] && export JRNN_NCCL
echo "JRNN_CUBLAS=${JRNN_CUBLAS:-(search)} JRNN_NCCL=${JRNN_NCCL:-(search)}"
CP=$(.device/cp.sh)
J=(.device/java.sh -cp "$CP")
vlog=$(timeout 15 "${J[@]}" dev.jrnn.distributed.DataParallelBench version 2>&1 | grep -v incubator)
v=$(grep -E '^[0-9]+$' <<<"$vlog" | tail -1)
if [ -z "$v" ]; then
  echo "$(el) NCCL not usable, nothing to measure:"; head -12 <<<"$vlog"; exit 1
fi
echo "$(el) NCCL version code: $v"

echo "== $(el) NcclGpuTest"
jar=$(ls .device/lib/junit-platform-console-standalone-*.jar | head -1)
NCCL_MULTI_RANK_GPU_ENABLE=1 timeout 20 .device/java.sh -jar "$jar" execute --class-path "$CP" --details=tree --disable-banner \
  --disable-ansi-colors --include-tag gpu --select-class dev.jrnn.backend.cuda.NcclGpuTest 2>&1 | grep -v incubator | tail -25

echo "== $(el) one-rank overhead: plain fit vs data-parallel fit with one rank"
timeout 18 "${J[@]}" dev.jrnn.distributed.DataParallelBench overhead 64 100 512 30 3 2>&1 | grep -v incubator

echo "== $(el) two ranks on one GPU via bin/jrnn-launch"
if (( v >= 23000 )); then
  NCCL_MULTI_RANK_GPU_ENABLE=1 timeout 18 bin/jrnn-launch --nproc-per-node 2 --devices 0,0 --grace 5 \
    dev.jrnn.distributed.DataParallelBench ranks 32 100 512 20 2>&1 | grep -v incubator
  echo "launch exit: $?"
else
  echo "skipped: NCCL $v is older than 2.30 (23000) and refuses two ranks on one GPU (\"Duplicate GPU detected\");"
  echo "         with 2+ GPUs run: bin/jrnn-launch --nproc-per-node 2 dev.jrnn.distributed.DataParallelBench ranks 32 100 512 20"
fi
echo "== $(el) done"
