#!/usr/bin/env bash
# Issue 11's check: CPU train step before (28d0ac1) and after the redesign, interleaved, one JMH run each, twice.
#   BEFORE=<before tree> [ROUNDS=2] benchmarks/before-after.sh <after tree> <out dir>
# Each tree built, with its runtime classpath in cp.txt at its root, e.g. in the tree:
#   mvn -B -q -pl benchmarks -am -DskipTests package dependency:build-classpath -Dmdep.outputFile=$PWD/cp.txt -Dmdep.includeScope=runtime
set -euo pipefail
source "$(dirname "$0")/../ci/jdk.sh"
after=${1:?after worktree (with cp.txt: its runtime classpath)}; out=${2:?out dir}; mkdir -p "$out"
run() { # name dir cpfile
  local name=$1 dir=$2 cp=$3
  "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
    -cp "$dir/benchmarks/target/classes:$(cat "$cp")" org.openjdk.jmh.Main \
    'RnnBench.jrnn(Lstm|Gru|SimpleRnn)Train|ForkBench.trainOnBatch' -p shape=32x50x128x128,16x200x64x128 -p forks=false -p layout=bi \
    -wi 3 -w 2s -i 5 -r 2s -f 1 -rf json -rff "$out/$name.json" 2>&1 | grep -E '^(Benchmark|RnnBench|ForkBench)' > "$out/$name.txt"
}
for round in $(seq 1 ${ROUNDS:-2}); do
  echo "round $round $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
  run before-$round ${BEFORE:?a worktree of the before commit, built, with cp.txt} ${BEFORE:?a worktree of the before commit, built, with cp.txt}/cp.txt
  run after-$round "$after" "$after/cp.txt"
done
echo "done $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
