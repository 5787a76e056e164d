#!/usr/bin/env bash
# Runs every demo of dev.jrnn.examples (README's demo command). Builds first if needed.
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/jdk.sh
mvn -B -q -DskipTests -Dmaven.javadoc.skip=true -pl java -am install >/dev/null
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -cp java/target/classes dev.jrnn.examples.Demos "$@" 2> >(grep -v 'incubator' >&2)
