#!/usr/bin/env bash
# A/B of the CPU train step between two built trees with one harness (AbStep.java), interleaved:
# for each round and each shape, A then B (order swapped every other round). Prints one line per run.
#   benchmarks/ab/ab.sh BEFORE_TREE BEFORE_CP AFTER_TREE AFTER_CP [rounds] [seconds]
# *_CP: a file holding the tree's runtime classpath (its java jar + dependencies).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../ci/jdk.sh"
A=$1; Acp=$2; B=$3; Bcp=$4; rounds=${5:-3}; secs=${6:-12}
shapes=${SHAPES:-"lstm:32:50:128:128 gru:32:50:128:128 rnn:32:50:128:128"}
work=$(mktemp -d)
for side in A B; do
  cpf=$([ $side = A ] && echo "$Acp" || echo "$Bcp")
  mkdir -p "$work/$side"
  "$JAVA_HOME/bin/javac" -nowarn -d "$work/$side" -cp "$(cat "$cpf")" "$here/AbStep.java"
done
run() {
  local side=$1 spec=$2 cpf
  cpf=$([ $side = A ] && echo "$Acp" || echo "$Bcp")
  IFS=: read -r c b t i h <<< "$spec"
  echo -n "$side round=$r load=$(cut -d' ' -f1 /proc/loadavg) "
  "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED ${JOPTS:-} \
    -cp "$work/$side:$(cat "$cpf")" AbStep "$c" "$b" "$t" "$i" "$h" "$secs" 2>/dev/null
}
for r in $(seq 1 "$rounds"); do
  for spec in $shapes; do
    if [ $((r % 2)) = 1 ]; then run A "$spec"; run B "$spec"; else run B "$spec"; run A "$spec"; fi
  done
done
