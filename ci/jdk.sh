#!/usr/bin/env bash
# Sourced by the project's scripts: finds a JDK 25+ and exports JAVA_HOME so Maven compiles and runs with it.
# Order: JAVA_HOME if it is 25 or newer, then the usual install places; otherwise a clear message.
jrnn_java_major() { "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1; }
jrnn_find_jdk() {
  local d v
  for d in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25* /usr/lib/jvm/*2[6-9]* /opt/java/*; do
    [ -n "$d" ] && [ -x "$d/bin/javac" ] || continue
    v=$(jrnn_java_major "$d")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then echo "$d"; return 0; fi
  done
  return 1
}
if ! JAVA_HOME=$(jrnn_find_jdk); then
  echo "jrnn needs JDK 25 or newer: set JAVA_HOME to one (looked at \$JAVA_HOME, /usr/lib/jvm and /opt/java)." >&2
  # return when sourced (exit would close the caller's shell), exit when run as a script
  return 2 2>/dev/null || exit 2
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
# Maven 3.8 on JDK 25 warns about sun.misc.Unsafe in its own libraries; that noise is not ours.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
