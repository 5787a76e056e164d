#!/usr/bin/env bash
# Reproduces the CPU table of benchmarks/RESULTS.md in one run: jrnn's JMH benchmarks (RnnBench: SimpleRNN/
# LSTM/GRU forward + train step at (B,T,I=H) = (32,50,128), (8,100,256), (64,100,512); GemmBench) and the
# PyTorch CPU peer (peers/torch_cpu.py: the same train step from jrnn's own initial weights and batches,
# checked to give jrnn's parameter count and losses, its best of 1 and 2 threads), then one table with
# jrnn / PyTorch time ratios and the FMA-peak share (benchmarks/results/cpu.md, + cpu-jmh.json,
# torch_cpu.csv/.json/.log). About 15 minutes on 2 cores; --quick about 4.
#
#   benchmarks/run.sh                    # the full table
#   benchmarks/run.sh --quick            # 1 x 1 s warm-up, 2 x 1 s; PyTorch 5 steps: a smoke run, not for the record
#   benchmarks/run.sh --dl4j             # also the Deeplearning4j peer (-Pdl4j; first run downloads ~110 MB)
#   benchmarks/run.sh --no-torch         # without the PyTorch peer
#   benchmarks/run.sh --shapes 32x50x128x128   # only these shapes (comma-separated BxTxIxH or BxTxH), both sides
#   benchmarks/run.sh 'RnnBench.*Lstm'   # JMH include regexes select benchmarks
# Environment: TORCH_PYTHON (default /usr/bin/python3: Debian's python3-torch lives there, not in the python3
# first on PATH), TORCH_THREADS (default 1,2). PyTorch needs `apt-get install python3-torch libopenblas0-openmp`;
# without an OpenBLAS package Debian's torch runs on the reference BLAS (~15x slower) and the peer refuses to run.
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/jdk.sh
profile=
torch=1
quick=
shapes=
args=()
prev=
for a in "$@"; do
  # CpuBench writes the shapes as Shapes.key() ("4x10x8" -> "4x10x8x8") for JMH, as PeerFixture does for the peer
  if [ "$prev" = --shapes ]; then shapes=$a; prev=; args+=(--shapes "$a"); continue; fi
  prev=$a
  case "$a" in
    --shapes) ;;
    --dl4j) profile=-Pdl4j ;;
    --no-dl4j) profile= ;;
    --no-torch) torch= ;;
    --quick) quick=--quick; args+=("$a") ;;
    *) args+=("$a") ;;
  esac
done
py=${TORCH_PYTHON:-/usr/bin/python3}
if [ -n "$torch" ] && ! "$py" -c 'import torch' 2>/dev/null; then
  echo "benchmarks/run.sh: no PyTorch in $py. Install it: apt-get update && apt-get install -y python3-torch" \
       "libopenblas0-openmp (or set TORCH_PYTHON, or run with --no-torch)" >&2
  exit 2
fi
res=benchmarks/results
mkdir -p "$res"
cp="$PWD/benchmarks/target/classpath.txt"
# benchmarks is last in the reactor, so its classpath is the one left in the file.
mvn -B -q $profile -pl benchmarks -am -DskipTests package dependency:build-classpath \
    -Dmdep.outputFile="$cp" -Dmdep.includeScope=runtime
java_run() {
  "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
    -cp "benchmarks/target/classes:$(cat "$cp")" "$@" \
    2> >(grep -v -e 'Using incubator modules' -e 'sun.misc.Unsafe' -e 'terminally deprecated' >&2)
}
# DL4J's OpenMP may use both cores (RnnBench also runs it with 1 thread); jrnn's CPU backend uses them on its own.
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-$(nproc)}
echo "== $(date -u +%FT%TZ) :: benchmarks/run.sh $* :: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
bench_args=()
if [ -n "$torch" ]; then
  fx=benchmarks/target/peer-fixtures
  echo "== jrnn's initial weights, batches and losses for the peer ($fx)"
  rm -rf "$fx"
  java_run dev.jrnn.bench.PeerFixture --dir "$fx" ${shapes:+--shapes "$shapes"}
  echo "== PyTorch CPU peer ($py benchmarks/peers/torch_cpu.py)"
  # torch.set_num_threads decides; OMP_NUM_THREADS must not cap OpenBLAS/OpenMP below the largest count.
  OMP_NUM_THREADS=$(nproc) "$py" benchmarks/peers/torch_cpu.py --fixtures "$fx" --threads "${TORCH_THREADS:-1,2}" \
      --out "$res/torch_cpu.csv" $quick 2>&1 | tee "$res/torch_cpu.log"
  rc=${PIPESTATUS[0]}
  [ "$rc" = 0 ] || { echo "benchmarks/run.sh: the PyTorch peer failed (exit $rc; 3: reference BLAS, 4: not the same work)" >&2; exit "$rc"; }
  bench_args=(--torch-csv "$res/torch_cpu.csv" --torch-log "$res/torch_cpu.log")
fi
echo "== jrnn (JMH)"
java_run dev.jrnn.bench.CpuBench --out "$res/cpu.md" "${bench_args[@]}" "${args[@]}"
