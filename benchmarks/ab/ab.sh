#!/usr/bin/env bash
# A/B(/C...) of the CPU train step between built trees with one harness (AbStep.java, compiled against each),
# interleaved: every round runs each shape on every side, the order of the sides rotated each round.
#   benchmarks/ab/ab.sh NAME=CPFILE NAME=CPFILE [...]      (CPFILE: a file holding that tree's runtime classpath)
# Environment: ROUNDS (3), SECS (12, per run: a third warm-up, at least ab.warm steps), SHAPES
# ("cell:B:T:I:H ..."), JOPTS (extra JVM flags, e.g. -Djrnn.cpu.threads=1). One output line per run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
ab_trees "$@"
ab_compile "$here/AbStep.java"
shapes=${SHAPES:-"lstm:32:50:128:128 gru:32:50:128:128 rnn:32:50:128:128"}
n=${#names[@]}
for r in $(seq 1 "${ROUNDS:-3}"); do
  for spec in $shapes; do
    IFS=: read -r c b t i h <<< "$spec"
    for k in $(seq 0 $((n - 1))); do
      j=$(( (k + r) % n ))
      echo -n "${names[$j]} round=$r load=$(cut -d' ' -f1 /proc/loadavg) "
      "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED ${JOPTS:-} \
        -cp "$work/${names[$j]}:$(cat "${cps[$j]}")" AbStep "$c" "$b" "$t" "$i" "$h" "${SECS:-12}" 2>/dev/null
    done
  done
done
