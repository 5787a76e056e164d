#!/usr/bin/env bash
# Per-core train-step cost, interleaved: PyTorch (1 thread, process CPU time) and each built jrnn tree
# (-Djrnn.cpu.threads=1, the calling thread's CPU time), every shape, ROUNDS rounds, the order rotated.
#   benchmarks/ab/cputime.sh NAME=TREE_CLASSPATH_FILE ...   (the file: the tree's jar, its benchmarks classes, deps)
# Environment: ROUNDS (2), STEPS (40), SHAPES ("cell:BxTxIxH ..."), TORCH_PYTHON (/usr/bin/python3).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
ab_trees torch=- "$@"
ab_compile "$here/CpuTimeStep.java"
shapes=${SHAPES:-"lstm:32x50x128x128 gru:32x50x128x128 simple_rnn:32x50x128x128"}
n=${#names[@]}
for r in $(seq 1 "${ROUNDS:-2}"); do
  for spec in $shapes; do
    c=${spec%%:*}; s=${spec#*:}
    for k in $(seq 0 $((n - 1))); do
      j=$(( (k + r) % n ))
      echo -n "round=$r load=$(cut -d' ' -f1 /proc/loadavg) ${names[$j]}: "
      if [ "${names[$j]}" = torch ]; then
        OMP_NUM_THREADS=1 "${TORCH_PYTHON:-/usr/bin/python3}" "$here/torch_cputime.py" "$c" "$s" "${STEPS:-40}"
      else
        "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Djrnn.cpu.threads=1 \
          -cp "$work/${names[$j]}:$(cat "${cps[$j]}")" CpuTimeStep "$c" "$s" "${STEPS:-40}" 2>/dev/null
      fi
    done
  done
done
