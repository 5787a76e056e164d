#!/usr/bin/env bash
# Reproduces the CPU table of benchmarks/RESULTS.md in one run: jrnn's JMH benchmarks (RnnBench: SimpleRNN/
# LSTM/GRU forward + train step at (B,T,I=H) = (32,50,128), (8,100,256), (64,100,512); GemmBench) and the
# PyTorch CPU peer (peers/torch_cpu.py: the same train step from jrnn's own initial weights and batches,
# checked to give jrnn's parameter count, losses and gradients, its best of 1 and 2 threads), then one table with
# jrnn / PyTorch time ratios and the FMA-peak share. About 15 minutes on 2 cores; --quick about 4. The first
# build on a machine with nvcc also compiles jrnn's CUDA kernels (about 7 minutes on 2 cores) before any of that.
#
#   benchmarks/run.sh                    # the full table
#   benchmarks/run.sh --quick            # 1 x 1 s warm-up, 2 x 1 s; PyTorch 5 steps: a smoke run, not for the
#                                        #   record (jrnn's JIT needs longer: its goal lines carry no verdict)
#   benchmarks/run.sh --dl4j             # also the Deeplearning4j peer (-Pdl4j; first run downloads ~110 MB)
#   benchmarks/run.sh --no-torch         # without the PyTorch peer
#   benchmarks/run.sh --shapes 32x50x128x128   # only these shapes (comma-separated BxTxIxH or BxTxH), both sides;
#                                        #   --shapes=LIST works too
#   benchmarks/run.sh 'RnnBench.*Lstm'   # JMH include regexes select benchmarks; the PyTorch peer times the cells
#                                        #   of the train steps they select (none: it is not run)
#   benchmarks/run.sh --help             # this text
# Other arguments go to JMH as they are (e.g. -i 10, -p mnk=512x512x512, -e Forward); run.sh's own options are
# checked before anything is built, JMH's right after the build, before the PyTorch peer runs.
# Output: benchmarks/results/latest/ (git-ignored; RESULTS_DIR=... to change): cpu.md (the table), cpu-jmh.json,
# torch_cpu.csv/.json/.log; copy it to a dated folder beside it to keep a run.
# Environment: TORCH_PYTHON (default /usr/bin/python3: Debian's python3-torch lives there, not in the python3
# first on PATH), TORCH_THREADS (default 1,2). PyTorch needs `apt-get install python3-torch libopenblas0-openmp`;
# without an OpenBLAS package Debian's torch runs on the reference BLAS (~15x slower) and the peer refuses to run.
# Exit status: 0 done; 2 bad options; 3 the peer found the reference BLAS; 4 the peer found other work than jrnn's;
# 5 a train row without its PyTorch partner (or the reverse).
set -euo pipefail
cd "$(dirname "$0")/.."
usage() { sed -n '2,/^set -euo pipefail$/p' benchmarks/run.sh | sed '$d; s/^# \{0,1\}//'; }
die() { echo "benchmarks/run.sh: $*" >&2; echo "benchmarks/run.sh --help lists the options" >&2; exit 2; }
invocation="$*"
profile=
torch=1
quick=
shapes=
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --help|-h) usage; exit 0 ;;
    --shapes)
      [ $# -ge 2 ] && [ -n "$2" ] && [[ "$2" != -* ]] || die "--shapes needs a value, e.g. --shapes 32x50x128x128,4x10x8"
      shapes=$2; shift ;;
    --shapes=*) shapes=${1#--shapes=}; [ -n "$shapes" ] || die "--shapes= needs a value, e.g. --shapes=32x50x128x128" ;;
    --dl4j) profile=-Pdl4j ;;
    --no-dl4j) profile= ;;
    --no-torch) torch= ;;
    --quick) quick=--quick ;;
    --*) die "unknown option '$1'" ;;
    *) args+=("$1") ;;
  esac
  shift
done
if [ -n "$shapes" ]; then
  # a first check only: CpuBench and PeerFixture parse the list with Shapes, which writes each shape as BxTxIxH
  one='[1-9][0-9]*x[1-9][0-9]*x[1-9][0-9]*(x[1-9][0-9]*)?'
  [[ "$shapes" =~ ^$one(,$one)*$ ]] || die "--shapes '$shapes': expected comma-separated BxTxIxH or BxTxH, e.g. 32x50x128x128,4x10x8"
  args=(--shapes "$shapes" "${args[@]}")
fi
args=($quick "${args[@]}")
py=${TORCH_PYTHON:-/usr/bin/python3}
if [ -n "$torch" ] && ! "$py" -c 'import torch' 2>/dev/null; then
  echo "benchmarks/run.sh: no PyTorch in $py. Install it: apt-get update && apt-get install -y python3-torch" \
       "libopenblas0-openmp (or set TORCH_PYTHON, or run with --no-torch)" >&2
  exit 2
fi
source ci/jdk.sh
res=${RESULTS_DIR:-benchmarks/results/latest}
mkdir -p "$res"
export PYTHONDONTWRITEBYTECODE=1   # no __pycache__ in benchmarks/peers
cp="$PWD/benchmarks/target/classpath.txt"
# benchmarks is last in the reactor, so its classpath is the one left in the file.
mvn -B -q $profile -pl benchmarks -am -DskipTests package dependency:build-classpath \
    -Dmdep.outputFile="$cp" -Dmdep.includeScope=runtime
# JMH 1.37 calls sun.misc.Unsafe: allowed here, and CpuBench passes the flag to the JMH forks, whose output (a fork's
# stderr too) JMH prints on stdout, where the incubator notice of each fork is dropped as the parent's is on stderr.
java_run() {
  "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
    --sun-misc-unsafe-memory-access=allow -cp "benchmarks/target/classes:$(cat "$cp")" "$@" \
    2> >(grep -v -e 'Using incubator modules' -e 'sun.misc.Unsafe' -e 'terminally deprecated' >&2) \
    | { grep --line-buffered -v -e '^WARNING: Using incubator modules' || true; }   # the status is java's
}
# DL4J's OpenMP may use both cores (RnnBench also runs it with 1 thread); jrnn's CPU backend uses them on its own.
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-$(nproc)}
echo "== $(date -u +%FT%TZ) :: benchmarks/run.sh $invocation :: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
bench_args=()
if [ -n "$torch" ]; then
  # which cells and shapes JMH will run (its own include/exclude matching); this also checks JMH's options
  plan=$(java_run dev.jrnn.bench.CpuBench --peer-plan "${args[@]}" | tail -1)
  read -r cells peer_shapes <<< "$plan"
  if [ "$cells" = - ]; then
    echo "== no jrnn train step among the selected benchmarks: the PyTorch peer is not run"
  else
    fx=benchmarks/target/peer-fixtures
    echo "== jrnn's initial weights, batches, gradients and losses for the peer ($fx: $cells at $peer_shapes)"
    rm -rf "$fx"
    java_run dev.jrnn.bench.PeerFixture --dir "$fx" --cells "$cells" --shapes "$peer_shapes"
    echo "== PyTorch CPU peer ($py benchmarks/peers/torch_cpu.py)"
    # torch.set_num_threads decides; OMP_NUM_THREADS must not cap OpenBLAS/OpenMP below the largest count.
    rc=0
    OMP_NUM_THREADS=$(nproc) "$py" benchmarks/peers/torch_cpu.py --fixtures "$fx" --cells "$cells" \
        --threads "${TORCH_THREADS:-1,2}" --out "$res/torch_cpu.csv" $quick 2>&1 | tee "$res/torch_cpu.log" \
      || rc=${PIPESTATUS[0]}
    [ "$rc" = 0 ] || { echo "benchmarks/run.sh: the PyTorch peer failed (exit $rc; 3: reference BLAS, 4: not the same work)" >&2; exit "$rc"; }
    bench_args=(--torch-csv "$res/torch_cpu.csv" --torch-log "$res/torch_cpu.log")
  fi
fi
echo "== jrnn (JMH)"
java_run dev.jrnn.bench.CpuBench --out "$res/cpu.md" "${bench_args[@]}" "${args[@]}"
