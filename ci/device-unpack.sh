#!/usr/bin/env bash
# Staged as .device/unpack.sh: the Java runtime travels to the GPU machine as .device/jre.tar.xz (about 12 MB, where
# the unpacked runtime is 56 MB of the device tool's 64 MiB carry limit), and is unpacked beside it on first use.
# .device/java.sh, ci/gpu-all.sh and bin/jrnn-launch call it; it returns at once when jre/ is already there.
set -o pipefail   # xz's integrity check must fail the unpack, not only tar's read of what xz gave it
d=$(cd "$(dirname "$0")" && pwd)
[ -x "$d/jre/bin/java" ] && exit 0
[ -f "$d/jre.tar.xz" ] || { echo "$d: no jre/ and no jre.tar.xz to unpack (stage with ci/stage-gpu.sh)" >&2; exit 2; }
tmp=$(mktemp -d "$d/.jre-unpack.XXXXXX") || exit 2
# xz where the machine has it, else Python's lzma (the GPU machine's Python has it)
if command -v xz > /dev/null; then xz -dc "$d/jre.tar.xz" | tar -xf - -C "$tmp"
else python3 -c 'import io, lzma, sys, tarfile
data = lzma.open(sys.argv[1]).read()   # the whole stream, so its checks run (tarfile stops at the end of the tar)
t = tarfile.open(fileobj=io.BytesIO(data))
t.extractall(sys.argv[2], **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))' "$d/jre.tar.xz" "$tmp"; fi
ok=$?
# into place in one rename, so a caller beside this one never sees half a runtime (-T: never into a jre/ another made)
[ $ok -eq 0 ] && [ -x "$tmp/jre/bin/java" ] && { mv -T "$tmp/jre" "$d/jre" 2> /dev/null || [ -x "$d/jre/bin/java" ]; } ; ok=$?
rm -rf "$tmp"
[ $ok -eq 0 ] || { echo "$d: unpacking jre.tar.xz failed" >&2; exit 2; }
