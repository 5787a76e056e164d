#!/usr/bin/env bash
# Session 34's guard cost: predictOnBatch per call (GuardBench, B=1 and B=32) of two builds' classes, alternated, and the
# guard's own enter+exit pair (GuardCost, package dev.jrnn.model: it reaches the package-private guard).
#   benchmarks/guard/run.sh <before classes dir> <after classes dir> <runtime classpath file> [rounds]
set -euo pipefail
source "$(dirname "$0")/../../ci/jdk.sh"
here=$(cd "$(dirname "$0")" && pwd); before=$1; after=$2; cp=$(cat "$3"); out=$(mktemp -d)
javac -d "$out/b" -cp "$after" "$here/GuardBench.java"
javac -d "$out/c" -cp "$after" "$here/dev/jrnn/model/GuardCost.java"
run() { java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$@" 2>&1 | grep -E "B=|ns per"; }
for r in $(seq 1 "${4:-3}"); do
  for v in "$before" "$after"; do echo "== $v round $r load $(cut -d' ' -f1 /proc/loadavg)"; run "$out/b:$v:$cp" GuardBench 8 4000; done
done
run "$out/c:$after:$cp" dev.jrnn.model.GuardCost 2
