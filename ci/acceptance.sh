#!/usr/bin/env bash
# Issue 13's acceptance run: jrnn installed into the local Maven repository exactly as README's "Using jrnn from
# another project" says, then examples/keras-way (a separate Maven project, written the Keras way, whose pom.xml is
# README's) tested (Surefire with README's argLine) and run (mvn compile exec:exec). Prints the program's output and
# fails unless it ends with "keras-way: OK".
#
# A few minutes (the install compiles jrnn, its kernels when nvcc is there, and its javadoc jar), so it is not part
# of ci/test.sh: CI runs it as its own step, `ci/acceptance.sh`, after ci/test.sh.
#   JRNN_ACCEPTANCE_ONLINE=1   let Maven download what ~/.m2 lacks (default: offline, -o)
#   JRNN_ACCEPTANCE_M2=<dir>   install into a private local repository at <dir> that links to ~/.m2's other
#                              artifacts, so a shared ~/.m2 keeps its own jrnn (for machines where several checkouts build)
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/jdk.sh

args=(-B)
[ "${JRNN_ACCEPTANCE_ONLINE:-0}" = 1 ] || args+=(-o)
if [ -n "${JRNN_ACCEPTANCE_M2:-}" ]; then
  home="${HOME}/.m2/repository"
  repo="$(mkdir -p "$JRNN_ACCEPTANCE_M2" && cd "$JRNN_ACCEPTANCE_M2" && pwd)"
  for e in "$home"/*; do   # everything but dev/jrnn is a link into ~/.m2
    b=$(basename "$e")
    [ "$b" = dev ] && continue
    [ -e "$repo/$b" ] || ln -s "$e" "$repo/$b"
  done
  mkdir -p "$repo/dev"
  for e in "$home"/dev/*; do
    [ -e "$e" ] || continue
    b=$(basename "$e")
    [ "$b" = jrnn ] || [ -e "$repo/dev/$b" ] || ln -s "$e" "$repo/dev/$b"
  done
  args+=("-Dmaven.repo.local=$repo")
fi

echo "== mvn install of jrnn (README: source ci/jdk.sh && mvn -B -DskipTests -pl java -am install)"
mvn "${args[@]}" -q -DskipTests -pl java -am install

cd examples/keras-way
echo "== examples/keras-way: mvn test (Surefire with README's argLine)"
mvn "${args[@]}" -q test
echo "== examples/keras-way: mvn compile exec:exec"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
mvn "${args[@]}" -q compile exec:exec | tee "$out"
grep -qx "keras-way: OK" "$out" || { echo "acceptance: the program did not end with 'keras-way: OK'" >&2; exit 1; }
echo "== acceptance passed"
