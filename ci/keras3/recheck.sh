#!/usr/bin/env bash
# Re-checks the generated Keras fixtures of java/src/test/resources/dev/jrnn/io/keras in a real Keras 3 (3.15.1, jax):
# not part of the test run (CI has no Keras). Venv as in ci/keras3/run.sh; writes under /tmp/jrnn-keras3/recheck.
# Usage: ci/keras3/recheck.sh   (prints one line per fixture: agrees, DIFFERS, or REFUSED with Keras' reason)
set -euo pipefail
cd "$(dirname "$0")/../.."
source ci/jdk.sh
source ci/keras3/venv.sh
out=/tmp/jrnn-keras3/recheck
mkdir -p "$out/classes"
mvn -B -q -o -Dmaven.javadoc.skip=true test-compile -pl java >/dev/null
(cd java && mvn -q -o dependency:build-classpath -Dmdep.outputFile="$out/cp.txt" >/dev/null)
cp="java/target/classes:java/target/test-classes:$(cat "$out/cp.txt")"
"$JAVA_HOME/bin/javac" -d "$out/classes" -cp "$cp" ci/keras3/PredictFixtures.java
res=java/src/test/resources/dev/jrnn/io/keras
# jrnn's predictions where the tests hold a file to the float64 KerasReference rather than to a *_y.npy
"$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$out/classes:$cp" dev.jrnn.io.keras.PredictFixtures "$res" "$out/pred" \
  tfkeras_gru.h5 functional_multi.h5 functional_merge.h5 sequential_embedding.h5 keras3_functional.h5 keras3_sequential.h5 \
  keras3_gru_reset_before.h5 keras22_gru_reset_before.h5 hdf5_named.keras 2>&1 | grep -E "^skipped" || true
# one line per fixture; Keras' warnings are dropped, a traceback of the script itself is shown whole
KERAS_BACKEND=jax "$venv/bin/python" ci/keras3/recheck_fixtures.py "$res" "$out/pred" > "$out/recheck.log" 2>&1 \
  || { cat "$out/recheck.log" >&2; exit 1; }
grep -E "^[a-z0-9_.]+( \([a-z0-9 ]+\))?: " "$out/recheck.log"
