#!/usr/bin/env bash
# Runs every demo of dev.jrnn.examples (README's demo command). Builds first (mvn package: jrnn itself is not installed into ~/.m2).
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/jdk.sh
mvn -B -q -DskipTests -Dmaven.javadoc.skip=true -pl java -am package >/dev/null
# the runtime dependencies (jhdf for Keras files) beside the classes
mvn -B -q -pl java dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile=target/runtime.cp >/dev/null
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -cp "java/target/classes:$(cat java/target/runtime.cp)" dev.jrnn.examples.Demos "$@" 2> >(grep -v 'incubator\|SLF4J' >&2)
