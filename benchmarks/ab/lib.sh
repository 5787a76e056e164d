# Sourced by ab.sh and cputime.sh: the trees to compare, from NAME=CLASSPATH_FILE arguments, and the harness
# compiled against each (into $work/NAME).
source "$(dirname "${BASH_SOURCE[0]}")/../../ci/jdk.sh"
names=(); cps=()
ab_trees() { # NAME=CPFILE ...
  for a in "$@"; do names+=("${a%%=*}"); cps+=("${a#*=}"); done
}
ab_compile() { # HARNESS.java: compiled against every tree but 'torch'
  work=$(mktemp -d)
  for i in "${!names[@]}"; do
    [ "${names[$i]}" = torch ] && continue
    mkdir -p "$work/${names[$i]}"
    "$JAVA_HOME/bin/javac" -nowarn -d "$work/${names[$i]}" -cp "$(cat "${cps[$i]}")" "$1"
  done
}
