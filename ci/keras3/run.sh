#!/usr/bin/env bash
# Checks jrnn's .keras files in a real Keras 3 (not part of the test run: CI has no Keras). Keras 3.15.1, jax and jaxlib
# install offline from the project machines' wheel folder (/opt/pypi/files) into a venv of a Python 3.11.
# Usage: ci/keras3/run.sh   (builds jrnn first; writes under /tmp/jrnn-keras3)
set -euo pipefail
cd "$(dirname "$0")/../.."
source ci/jdk.sh
source ci/keras3/venv.sh
mvn -B -q -o -DskipTests -Dmaven.javadoc.skip=true install -pl java
(cd java && mvn -q -o dependency:build-classpath -Dmdep.outputFile=/tmp/jrnn-keras3/cp.txt)
cp="java/target/classes:$(cat /tmp/jrnn-keras3/cp.txt)"
mkdir -p /tmp/jrnn-keras3/classes /tmp/jrnn-keras3/models /tmp/jrnn-keras3/trained
"$JAVA_HOME/bin/javac" -d /tmp/jrnn-keras3/classes -cp "$cp" ci/keras3/SaveModels.java ci/keras3/SaveTrained.java
run() { "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$cp:/tmp/jrnn-keras3/classes" "$@" 2>&1 | grep -v incubator || true; }
run -Dout=/tmp/jrnn-keras3/models SaveModels
run -Dout=/tmp/jrnn-keras3/trained SaveTrained
KERAS_BACKEND=jax "$venv/bin/python" ci/keras3/load_in_keras.py /tmp/jrnn-keras3/models 2>&1 | grep -E "^[a-z0-9_]+: "
# initmask has masked calls with initial states and leading masked steps, where Keras 3's jax backend outputs the initial
# state and its tensorflow backend (as tf.keras 2 and jrnn) 0: it is checked with tensorflow where a venv has it
tf=/tmp/tfdata-venv/bin/python
if [ -x "$tf" ] && "$tf" -c "import tensorflow, keras" 2>/dev/null; then
  KERAS_BACKEND=tensorflow "$tf" ci/keras3/load_in_keras.py /tmp/jrnn-keras3/models initmask 2>&1 | grep -E "^[a-z0-9_]+: " | sed 's/^/tensorflow: /'
fi
KERAS_BACKEND=jax "$venv/bin/python" ci/keras3/resume_in_keras.py /tmp/jrnn-keras3/trained 2>&1 | grep -E "^[a-z0-9_]+: "
