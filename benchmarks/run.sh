#!/usr/bin/env bash
# Reproduces the CPU table of benchmarks/RESULTS.md: builds jrnn and the benchmarks with the DL4J peer
# (-Pdl4j; the first run downloads ~110 MB of DL4J/ND4J/OpenBLAS jars from Maven Central), runs
# RnnBench (SimpleRNN/LSTM/GRU forward + train step, DL4J LSTM) and GemmBench in one JMH run
# (about 10 minutes on 2 cores) and writes benchmarks/results/cpu.md (+ cpu-jmh.json).
#
#   benchmarks/run.sh                 # the full table
#   benchmarks/run.sh --quick         # 1 x 1 s warm-up, 2 x 1 s: a smoke run, not for the record
#   benchmarks/run.sh --no-dl4j       # without the peer (no download)
#   benchmarks/run.sh 'RnnBench.*Lstm'   # JMH include regexes select benchmarks
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/jdk.sh
profile=-Pdl4j
args=()
for a in "$@"; do
  case "$a" in
    --no-dl4j) profile= ;;
    *) args+=("$a") ;;
  esac
done
cp="$PWD/benchmarks/target/classpath.txt"
# benchmarks is last in the reactor, so its classpath is the one left in the file.
mvn -B -q $profile -pl benchmarks -am -DskipTests package dependency:build-classpath \
    -Dmdep.outputFile="$cp" -Dmdep.includeScope=runtime
# DL4J's OpenMP may use both cores (RnnBench also runs it with 1 thread); jrnn's CPU backend uses them on its own.
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-$(nproc)}
echo "== $(date -u +%FT%TZ) :: benchmarks/run.sh $* :: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
    -cp "benchmarks/target/classes:$(cat "$cp")" dev.jrnn.bench.CpuBench --out benchmarks/results/cpu.md "${args[@]}" \
    2> >(grep -v -e 'Using incubator modules' -e 'sun.misc.Unsafe' -e 'terminally deprecated' >&2)
