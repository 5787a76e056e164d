#!/usr/bin/env bash
# Writes a synthetic variable-length sequence data set as .npy files (values, offsets, y) for
# Dataset.fromRaggedNpy; constant memory, no Python needed. Default: 4 GB into ./synthetic-sequences.
#
#   benchmarks/synthetic.sh --out /data/seq --gb 4 --features 8 --min 10 --max 200 --seed 1
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/jdk.sh
cp="$PWD/benchmarks/target/classpath.txt"
mvn -B -q -pl benchmarks -am -DskipTests package dependency:build-classpath \
    -Dmdep.outputFile="$cp" -Dmdep.includeScope=runtime
exec "$JAVA_HOME/bin/java" -Xmx64m -cp "benchmarks/target/classes:$(cat "$cp")" dev.jrnn.bench.SyntheticSequences "$@"
