#!/usr/bin/env bash
# The project's test run (README's test command; .ci/run calls it). Extra args go to Maven.
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/jdk.sh
exec mvn -B --no-transfer-progress -e verify "$@"
