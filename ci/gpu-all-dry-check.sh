#!/usr/bin/env bash
# Checks ci/gpu-all.sh's plan without a GPU (GPU_DRY=1, sleeps for the test runs): every class its tiers and sanitizer
# name is a @Tag("gpu") test here; each kernel name of the memcheck filter is a kernel in kernels/; a run that fits does
# every tier, the unfiltered control and the memcheck; a tier that outruns the budget is reported with the second call
# that finishes it (twice its cap); the memcheck is left out when too little time is left; --second needs BUDGET, runs
# the tiers it is given, and a SIGKILL leaves the finished ones in call2.tgz. bash -n and shellcheck (where installed)
# over the GPU scripts. Exit 0 when all hold (~30 s).
set -uo pipefail
cd "$(dirname "$0")/.."
fail=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1" >&2; fail=1; }
for f in ci/gpu-all.sh ci/gpu-tests.sh ci/stage-gpu.sh ci/gpu-all-dry-check.sh ci/device-unpack.sh; do bash -n "$f" || bad "bash -n $f"; done
if command -v shellcheck > /dev/null; then shellcheck -S warning ci/gpu-all.sh ci/gpu-tests.sh ci/gpu-all-dry-check.sh ci/device-unpack.sh || bad shellcheck
else echo "(shellcheck not installed: skipped)"; fi
# every class named in the tiers, the soak run and the sanitizer's tests exists and is tagged gpu
names=$(grep -oE '(CudaNonFiniteLossGpuTest|SoakTest|[A-Z][A-Za-z0-9]*(GpuTest|ParityTest|ReplayTest|ContractTest|EdgesTest|FaultsTest))' \
  <(sed -n '/^TIER1=/p; /^TIER2=/p; /^SOAK=/p; /^SAN_TESTS=/p' ci/gpu-all.sh) | sort -u)
for n in $names; do
  f=$(find java/src/test/java jcuda/src/test/java -name "$n.java" 2>/dev/null | head -1)
  if [ -z "$f" ]; then bad "$n named in ci/gpu-all.sh: no such test class"; elif ! grep -q '@Tag("gpu")' "$f"; then bad "$n: not @Tag(\"gpu\")"; fi
done
echo "$names" | grep -qx SoakTest || bad "SoakTest (SOAK=) not among the names checked"
[ "$(echo "$names" | wc -w)" -ge 25 ] && ok "the $(echo "$names" | wc -w) classes named exist and are tagged gpu" || bad "too few class names found: $names"
# the memcheck's kernel filter (kre=, matched on a device against the kernels' names, extern "C" so unmangled) names
# kernels there are: each alternative of SAN_KERNELS matches some __global__ in kernels/
san=$(sed -n "s/^SAN_KERNELS=\${SAN_KERNELS:-'\(.*\)'}$/\1/p" ci/gpu-all.sh)
globals=$(grep -ho '__global__ void [A-Za-z0-9_]*' kernels/*.cu | awk '{print $3}' | sort -u)
alts=${san#jrnn_(}; alts=${alts%)}; nomatch=""
for a in ${alts//|/ }; do echo "$globals" | grep -qE "^jrnn_$a" || nomatch="$nomatch $a"; done
[ -n "$san" ] && [ -z "$nomatch" ] && ok "each of the memcheck filter's $(echo "${alts//|/ }" | wc -w) kernel names matches a kernel in kernels/" \
  || bad "SAN_KERNELS '$san': no kernel for:$nomatch"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
run() { local o=$tmp/$1; shift; mkdir -p "$o"; env GPU_DRY=1 OUT="$o" "$@" ci/gpu-all.sh "${ARGS[@]}" > "$o/stdout" 2>&1; cat "$o/stdout"; }
ARGS=()
out=$(run fits BUDGET=100); echo "$out" | grep -q "every tier and the sanitizer finished" && ok "a run that fits does it all" || bad "fits: $out"
grep -q "CudaNonFiniteLossGpuTest" "$tmp/fits/gpu-tests-1.log" && grep -q "GraphReplayTest" "$tmp/fits/gpu-tests-2.log" \
  && grep -q -- "--exclude-classname" "$tmp/fits/gpu-tests-3.log" && grep -q "kre=jrnn_(loss" "$tmp/fits/sanitizer.log" \
  && grep -q "(every kernel) --select-class dev.jrnn.backend.cuda.CudaNonFiniteLossGpuTest" "$tmp/fits/sanitizer-control.log" \
  && ok "tier 1 selects the NaN loss test, tier 2 GraphReplayTest, tier 3 the rest, the memcheck the new kernels after an unfiltered control" || bad "selections"
out=$(run slow BUDGET=64 DRY_T1=12 T1=8 DRY_T2=2)   # ~10 s of tiers: ~54 s left, under T_SAN_MIN (60) however fast the machine
echo "$out" | grep -q "1: TIMED OUT" && echo "$out" | grep -q "NOT FINISHED: 1 sanitizer" \
  && echo "$out" | grep -q "BUDGET=<s> T1=16 TIERS='1 sanitizer' ci/gpu-all.sh --second" && ok "a tier cut off at its cap is named, with the call that finishes it at twice the cap" \
  || bad "slow: $out"
out=$(run short BUDGET=12 DRY_T1=30)
echo "$out" | grep -q "NOT FINISHED: 1 2 3 soak sanitizer" && grep -q "NOT STARTED" "$tmp/short/gpu-tests-2.log" \
  && ok "a budget spent in tier 1 leaves the later tiers unstarted and says so" || bad "short: $out"
ARGS=(--second)
out=$(run second BUDGET=100 TIERS='3 sanitizer')
echo "$out" | grep -q "GPU tests, tier 3" && echo "$out" | grep -q "ERROR SUMMARY: 0 errors" && echo "$out" | grep -q "benchmarks would follow" \
  && [ -s "$tmp/second/call2.tgz" ] && ok "--second runs the tiers it is given, then the benchmarks, in one call2.tgz" || bad "second: $out"
out=$(run nobudget TIERS=3); echo "$out" | grep -q "set BUDGET" && ok "--second without BUDGET is refused" || bad "nobudget: $out"
# a call killed (SIGKILL: no EXIT trap) after its first tier still leaves that tier's log in call2.tgz
mkdir -p "$tmp/kill"; (setsid env GPU_DRY=1 OUT="$tmp/kill" BUDGET=100 TIERS='1 2' DRY_T2=30 ci/gpu-all.sh --second > "$tmp/kill/stdout" 2>&1 & echo $! > "$tmp/kill/pid"; wait) 2>/dev/null &
for _ in $(seq 50); do grep -q "tier 2" "$tmp/kill/stdout" 2>/dev/null && break; sleep 0.1; done; sleep 0.5
kill -9 -- -"$(cat "$tmp/kill/pid")" 2>/dev/null; wait
tar tzf "$tmp/kill/call2.tgz" 2>/dev/null | grep -q gpu-tests-1.log && ok "a killed --second keeps the finished tiers in call2.tgz" || bad "killed: no gpu-tests-1.log in call2.tgz"
# the packed runtime (ci/device-unpack.sh, staged as .device/unpack.sh): a stand-in jre packed as stage-gpu.sh packs it
# unpacks with xz, and with Python's lzma on a PATH without xz; a second call finds it there; no archive is refused
u=$tmp/unpack; mkdir -p "$u/src/jre/bin" "$u/bin"; printf '#!/bin/sh\necho staged-java\n' > "$u/src/jre/bin/java"; chmod +x "$u/src/jre/bin/java"
for t in bash dirname mktemp mv rm tar cat; do ln -s "$(command -v $t)" "$u/bin/$t"; done
ln -s "$(PATH=/usr/bin:/bin command -v python3)" "$u/bin/python3"   # a system Python (a pyenv shim needs its PATH)
for way in xz python; do
  d=$u/$way; mkdir -p "$d"; tar -C "$u/src" -cf - jre | xz > "$d/jre.tar.xz"; cp ci/device-unpack.sh "$d/unpack.sh"
  if [ $way = xz ]; then "$d/unpack.sh"; else PATH=$u/bin "$d/unpack.sh"; fi
  cp "$d/jre.tar.xz" "$u/good.tar.xz"; rm "$d/jre.tar.xz"   # the second call must find jre/, not unpack again
  [ "$("$d/jre/bin/java")" = staged-java ] && [ -z "$(ls -A "$d" | grep jre-unpack)" ] && "$d/unpack.sh" && [ ! -e "$d/jre/jre" ] \
    && ok "the packed runtime unpacks ($way) and is found the second time" || bad "unpack ($way)"
  # a damaged archive (a byte flipped near its end, where tar has already read all it needs) is refused, leaving no jre/
  c=$u/corrupt-$way; mkdir -p "$c"; cp ci/device-unpack.sh "$c/unpack.sh"; cp "$u/good.tar.xz" "$c/jre.tar.xz"
  n=$(( $(stat -c %s "$c/jre.tar.xz") - 20 )); b=$(od -An -tu1 -j $n -N1 "$c/jre.tar.xz" | tr -d ' ')
  printf "$(printf '\\%03o' $(( b ^ 1 )))" | dd of="$c/jre.tar.xz" bs=1 seek=$n conv=notrunc status=none
  if [ $way = xz ]; then "$c/unpack.sh" 2> /dev/null; else PATH=$u/bin "$c/unpack.sh" 2> /dev/null; fi
  [ $? -eq 2 ] && [ ! -e "$c/jre" ] && ok "a damaged archive is refused ($way), no jre/ left" || bad "damaged archive ($way)"
done
command -v xz > /dev/null || echo "(no xz here: the xz way ran Python's lzma too)"
mkdir -p "$u/none"; cp ci/device-unpack.sh "$u/none/unpack.sh"
"$u/none/unpack.sh" 2> "$u/none/err"; [ $? -eq 2 ] && grep -q "no jre/ and no jre.tar.xz" "$u/none/err" && ok "no runtime staged: refused, saying so" || bad "unpack without an archive"
ARGS=(--bogus)
run bogus >/dev/null; grep -q "unknown mode" "$tmp/bogus/stdout" && ok "an unknown mode is refused" || bad "bogus mode"
[ $fail -eq 0 ] && echo "gpu-all-dry-check: PASS" || echo "gpu-all-dry-check: FAIL"
exit $fail
