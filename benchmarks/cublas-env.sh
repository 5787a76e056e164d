# Sourced by the GPU scripts (benchmarks/gpu.sh, benchmarks/gpu-issue16.sh, ci/gpu-all.sh): on the GPU machine
# cuBLAS ships inside the Python install, not on the loader path; export JRNN_CUBLAS pointing at it unless the
# caller already did. Uses ${PY:-python3}.
if [ -z "${JRNN_CUBLAS:-}" ]; then
  JRNN_CUBLAS=$("${PY:-python3}" - <<'PY' 2>/dev/null
import glob, os, site
roots = site.getsitepackages() + [site.getusersitepackages()]
for r in roots:
    for pat in ("nvidia/cu13/lib/libcublas.so.13", "nvidia/cublas/lib/libcublas.so.13", "nvidia/cublas/lib/libcublas.so.12",
                "nvidia/cu13/lib/libcublas.so*", "nvidia/cublas/lib/libcublas.so*", "torch/lib/libcublas.so*"):
        hits = sorted(glob.glob(os.path.join(r, pat)))
        hits = [h for h in hits if "Lt" not in os.path.basename(h)]
        if hits:
            print(hits[0]); raise SystemExit
PY
)
fi
if [ -n "${JRNN_CUBLAS:-}" ]; then export JRNN_CUBLAS; fi
