#!/usr/bin/env bash
# The project's test run (README's test command; .ci/run calls it). Extra args go to Maven.
# @Tag("gpu") tests run only where nvidia-smi sees a GPU (elsewhere they are left out, see java/pom.xml);
# the javadoc jar is skipped here to keep the run fast (mvn install builds it); JavadocTest runs javadoc's doclint
# over the sources in the test run (broken links, and members without a comment in the user-facing packages).
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/jdk.sh
extra=(-Dmaven.javadoc.skip=true)
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
  extra+=(-Djrnn.test.excludedGroups=none)
fi
exec mvn -B --no-transfer-progress -e verify "${extra[@]}" "$@"
