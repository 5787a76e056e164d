#!/usr/bin/env bash
# Issue 15's example, measured: writes a synthetic variable-length sequence set of --gb GB as .npy
# (benchmarks/synthetic.sh: values, offsets, y), trains an LSTM on it on the CPU under -Xmx512m
# (dev.jrnn.examples.TrainFromNpy: shuffled over the whole set, bucketed by length), samples the process'
# resident set (VmRSS = RssAnon + RssFile, from /proc) every second, prints the samples' summary and removes
# the data (unless --keep). The CSV of samples goes to $OUT/train-from-npy-rss.csv.
#
#   benchmarks/train-from-npy.sh [--gb 4] [--epochs 2] [--take 20000] [--dir /tmp/jrnn-seq] [--keep]
set -euo pipefail
cd "$(dirname "$0")/.."
gb=4 epochs=2 take=20000 dir=/tmp/jrnn-seq keep=
while [ $# -gt 0 ]; do
  case "$1" in
    --gb) gb=$2; shift 2 ;; --epochs) epochs=$2; shift 2 ;; --take) take=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;; --keep) keep=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
OUT=${OUT:-$PWD/benchmarks/results}
mkdir -p "$OUT"
source ci/jdk.sh
[ -n "$keep" ] || trap 'rm -rf "$dir"' EXIT
if [ ! -f "$dir/values.npy" ]; then
  t0=$(date +%s)
  benchmarks/synthetic.sh --out "$dir" --gb "$gb" --features 8 --min 10 --max 200 --seed 1
  echo "written in $(( $(date +%s) - t0 )) s: $(du -sh "$dir" | cut -f1)"
fi
[ -d java/target/classes/dev/jrnn/examples ] || mvn -B -q -pl java -DskipTests package
csv="$OUT/train-from-npy-rss.csv"
echo "seconds,vmrss_mb,rss_anon_mb,rss_file_mb" > "$csv"
"$JAVA_HOME/bin/java" -Xmx512m --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -cp java/target/classes dev.jrnn.examples.TrainFromNpy "$dir" "$epochs" "$take" 2>&1 | grep -v 'incubator modules' &
sleep 0.5
pid=$(pgrep -n -f "dev.jrnn.examples.TrainFromNpy $dir") || { echo "the demo did not start" >&2; exit 1; }
t0=$(date +%s)
while kill -0 "$pid" 2>/dev/null; do
  awk -v t=$(( $(date +%s) - t0 )) '/^VmRSS/{v=$2} /^RssAnon/{a=$2} /^RssFile/{f=$2}
    END {if (v) printf "%d,%.0f,%.0f,%.0f\n", t, v/1024, a/1024, f/1024}' "/proc/$pid/status" >> "$csv" 2>/dev/null || true
  sleep 1
done
wait || true
python3 - "$csv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
if not rows: sys.exit("no samples")
later = rows[len(rows) // 10:]   # past the start-up (JIT, first batches)
for k in ("vmrss_mb", "rss_anon_mb", "rss_file_mb"):
    v = [float(r[k]) for r in later]
    print(f"{k}: min {min(v):.0f}  median {statistics.median(v):.0f}  max {max(v):.0f} MB  ({len(v)} samples after the first 10%)")
PY
