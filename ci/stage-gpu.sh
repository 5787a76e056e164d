#!/usr/bin/env bash
# Builds and stages .device/ for ONE device call of ci/gpu-all.sh: the java, benchmarks and jcuda modules,
# trimmed to fit the 64 MiB carry limit (the runtime as one .tar.xz that .device/java.sh unpacks there, compressed
# fatbin, stripped libjvm, no CPU-only io or Torch reference tests, Commons jars cut to the classes reached, JCuda's natives cut to its driver and runtime bindings).
# Then two device calls (ci/gpu-all.sh's header): run(command="OUT=$OUT ci/gpu-all.sh", carry=[".device"], timeout_s=600),
# the GPU tests in tiers and the memcheck of the new kernels; then, as the next GPU session's first call (call 1 and a
# machine start leave a 15-minute session too little), "OUT=$OUT BUDGET=<s> TIERS='<what it did not finish>'
# ci/gpu-all.sh --second" for the rest and the benchmarks. ci/gpu-all-dry-check.sh checks that plan here, without a GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/jdk.sh
# stage.sh is in the project workspace's shared folder beside the checkout, not in the repository (docs/GUIDE.md,
# "Running the GPU tests and benchmarks", says what to do without it): say so before building anything
[ -x ../shared/gpu/stage.sh ] || { echo "ci/stage-gpu.sh: no ../shared/gpu/stage.sh: it is in the project workspace's shared" \
  "folder, not in the repository; without it see docs/GUIDE.md, 'Running the GPU tests and benchmarks'" >&2; exit 2; }
mvn -B -q -o -DskipTests -Dmaven.javadoc.skip=true install
rm -rf .device
# the runtime without java.xml (4.3 MB of the carry limit), which only JUnit's XML report writers use: gpu-all.sh writes
# no reports (the shared stage.sh keeps a runtime already there). Its modules image uncompressed: the runtime travels as
# one .tar.xz (below), and xz packs the plain class files to 12 MB where jlink's zip-9 image and xz gave 19 MB
mkdir -p .device
"$JAVA_HOME/bin/jlink" --add-modules java.base,jdk.incubator.vector,java.logging,java.management,jdk.management,jdk.unsupported \
  --strip-debug --no-header-files --no-man-pages --compress=zip-0 --output .device/jre 2>&1 | grep -v incubator || true
STAGE_MODULES=java,benchmarks,jcuda ../shared/gpu/stage.sh > /dev/null
# java.sh unpacks the runtime on first use (ci/device-unpack.sh, staged as unpack.sh)
cp ci/device-unpack.sh .device/unpack.sh
cat > .device/java.sh <<'EOS'
#!/usr/bin/env bash
d=$(cd "$(dirname "$0")" && pwd)
"$d/unpack.sh" || exit 2
exec "$d/jre/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED "$@"
EOS
strip --strip-unneeded .device/jre/lib/server/libjvm.so
# the console launcher without JUnit 4, Hamcrest and the vintage engine (~0.5 MB): every test here is JUnit 5's; nor the
# suite engine and the Open Test Reporting XML listener (~0.1 MB): ci/gpu-all.sh selects classes and writes no reports
# (the Keras file check below runs through this launcher)
cs=$(ls .device/lib/junit-platform-console-standalone-*.jar)
tmp=$(mktemp -d); (cd "$tmp" && unzip -q "$OLDPWD/$cs" && rm -rf junit org/hamcrest org/junit/vintage org/junit/*.class \
  org/junit/experimental org/junit/function org/junit/internal org/junit/matchers org/junit/rules org/junit/runner \
  org/junit/runners org/junit/validator org/junit/platform/suite org/junit/platform/reporting/open \
  && sed -i '/vintage/d; /suite/d' META-INF/services/org.junit.platform.engine.TestEngine \
  && sed -i '/OpenTestReport/d' META-INF/services/org.junit.platform.launcher.TestExecutionListener \
  && rm -f "$OLDPWD/$cs" && zip -q -r -9 "$OLDPWD/$cs" .); rm -rf "$tmp"
# what no test reads on a machine without network: the licence texts, TLS trust and cookie data, the jrt filesystem for other JDKs' tools
rm -rf .device/jre/legal .device/jre/lib/security/cacerts .device/jre/lib/security/public_suffix_list.dat .device/jre/lib/security/blocked.certs \
  .device/jre/lib/jrt-fs.jar
# Intel's SVML (871 KB): the JIT's stubs for the Vector API's transcendental lanewise ops, which jrnn does not use (VMath
# has its own polynomials); without it the JVM starts and the CPU backend runs as before
rm -f .device/jre/lib/libjsvml.so
# the AVX-512 / AVX2 sort kernels of Arrays.sort (270 KB): without them the JVM sorts with its Java code (checked on an
# AVX-512 host: it starts and sorts)
rm -f .device/jre/lib/libsimdsort.so
# jhdf's compression jars stay (1 MB): its FilterManager loads every filter, LZF's too, on the first filtered (gzip)
# dataset, and fails without them (session 30: the gzip fixtures of Hdf5ArraysTest)
rm -rf .device/cp/java/test-classes/dev/jrnn/io
# the PyTorch state_dict reader (89 KB): no GPU path, loaded only by Models.loadTorchWeights
rm -rf .device/cp/java/classes/dev/jrnn/io/torch
# the PyTorch golden values and their CPU-only tests (1.4 MB), the data package's tests and files (no GPU test there)
rm -rf .device/cp/java/test-classes/torchref .device/cp/java/test-classes/dev/jrnn/data .device/cp/java/test-classes/dev/jrnn/*/Torch*.class \
  .device/cp/java/test-classes/dev/jrnn/*/*/Torch*.class
# Keras 3's summary tables (28 KB of text): read by Keras3SummaryTest only, no GPU path
rm -rf .device/cp/java/test-classes/dev/jrnn/model/keras3_summary
# only the test classes a @Tag("gpu") test reaches (jdeps' class graph from them; ~2 MB): the rest run on CPUs in CI
tc=.device/cp/java/test-classes
grep -rl '@Tag("gpu")' java/src/test/java | sed 's|java/src/test/java/||; s|\.java$||; s|/|.|g' > /tmp/jrnn-gpu-roots.txt
"$JAVA_HOME/bin/jdeps" -verbose:class -filter:none -cp .device/cp/java/classes "$tc" 2>/dev/null \
  | awk '$2 == "->" && $1 ~ /^dev\.jrnn\./ && $3 ~ /^dev\.jrnn\./ {print $1, $3}' > /tmp/jrnn-test-deps.txt
python3 ci/gpu-test-closure.py "$tc" /tmp/jrnn-gpu-roots.txt /tmp/jrnn-test-deps.txt
# the Apache Commons jars (2.7 MB) cut to the classes the staged code reaches: KerasFile's zip reading, jhdf's use of lang3
# (the base classes' graph: jar-closure.py drops META-INF/versions, so the base classes are what loads)
libdeps=$(mktemp)
"$JAVA_HOME/bin/jdeps" --multi-release base -verbose:class -filter:none -cp ".device/lib/*" .device/cp/*/classes "$tc" .device/lib/*.jar 2>/dev/null \
  | awk '$2 == "->" {print $1, $3}' > "$libdeps"
python3 ci/jar-closure.py .device/lib "$libdeps" commons-compress commons-io commons-codec commons-lang3
rm -f "$libdeps"
fatbin=.device/cp/java/classes/dev/jrnn/backend/cuda/jrnn_kernels.fatbin   # the same kernels, compressed (5 MB less),
rm -f "$fatbin"; FATBIN_COMPRESS=1 FATBIN_SM90_ONLY=1 native/build.sh "$fatbin" /tmp/jrnn-stage-native > /dev/null   # for sm_90 only
[ -s "$fatbin" ] || { echo "no kernels staged (nvcc missing or failed): the GPU run would find none" >&2; exit 1; }
nat=$(ls .device/lib/jcuda-natives-*.jar 2>/dev/null | head -1 || true)
if [ -n "$nat" ]; then   # JCudaTensors needs only libJCudaDriver/libJCudaRuntime (JCuda's loader reads lib/ in the jar)
  tmp=$(mktemp -d); (cd "$tmp" && unzip -q "$OLDPWD/$nat" && rm -f lib/libJNvPTXCompiler-* lib/libJNvrtc-* \
    && rm -f "$OLDPWD/$nat" && zip -q -r -9 "$OLDPWD/$nat" .); rm -rf "$tmp"
fi
# each module's classes as one zip-9 archive (2.4 MB less): the same path, now a file, which the JVM's class path reads
# as a jar whatever its name (jrnn reads its one resource, the fatbin, as a stream); test-classes stay a folder, as
# some tests read their files by path
for m in .device/cp/*/; do
  [ -d "$m/classes" ] || continue
  (cd "$m/classes" && zip -q -r -9 -X ../classes.zip .) && rm -rf "$m/classes" && mv "$m/classes.zip" "$m/classes"
done
# the runtime as one xz archive (56 MB -> 12 MB of the carry; ~2 s to unpack there)
tar -C .device -cf - jre | xz -9e -T2 > .device/jre.tar.xz
rm -rf .device/jre
# jdeps does not see reflection: the Keras file tests (zip, HDF5, both ways) must pass on the staged runtime, jars and
# archived classes, through the trimmed launcher printing as gpu-all.sh has it print
libs=$(ls .device/lib/*.jar | grep -v console-standalone | tr '\n' ':')
.device/java.sh -jar .device/lib/junit-platform-console-standalone-*.jar \
  execute -cp ".device/cp/java/classes:java/target/test-classes:$libs" --select-package dev.jrnn.io.keras --select-class dev.jrnn.model.ModelFilesTest \
  --disable-banner --details=verbose --fail-if-no-tests > /tmp/jrnn-stage-libcheck.log 2>&1 \
  || { echo "the pruned jars fail the Keras file tests: see /tmp/jrnn-stage-libcheck.log" >&2; exit 1; }
# that ran on the runtime java.sh unpacked from the archive: only the archive travels
rm -rf .device/jre
# what travels: the tracked files and the untracked ones git does not ignore, summed by one du (xargs would split the
# list, and tail -1 would take only the last batch's total)
tree=$(git ls-files -z -co --exclude-standard | du -cb --files0-from=- | tail -1 | cut -f1) \
  || { echo "stage-gpu: du over the tree failed (a tracked file missing from the work tree?)" >&2; exit 1; }
total=$(( $(du -sb .device | cut -f1) + tree ))
limit=$(( 64 * 1048576 ))
echo "staged: .device $(du -sh .device | cut -f1), with the tree $total bytes of $limit ($(( limit - total )) to spare)"
[ "$total" -lt "$limit" ] || { echo "over the device tool's 64 MiB carry limit: shrink the tree or .device" >&2; exit 1; }
