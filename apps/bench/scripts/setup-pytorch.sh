#!/usr/bin/env bash
# The PyTorch peer of `pnpm bench`: Debian's python3-torch on OpenBLAS. Installs what is missing when
# run as root (apt-get), otherwise says what to install and fails; then reports which BLAS PyTorch
# resolves. Without OpenBLAS, Debian's PyTorch runs on netlib's reference BLAS (libblas3), 10-30x
# slower at matmul, and `pnpm bench` withholds PyTorch's figures.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
python=/usr/bin/python3
want=()
if ! "$python" -c "import torch" 2>/dev/null; then want+=(python3-torch); fi
if ! dpkg -s libopenblas0-pthread >/dev/null 2>&1; then want+=(libopenblas0-pthread); fi

if [ ${#want[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bench setup: PyTorch's peer needs ${want[*]}; as root run:" >&2
    echo "  apt-get update && apt-get install -y ${want[*]}" >&2
    exit 1
  fi
  echo "bench setup: installing ${want[*]}" >&2
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${want[@]}"
fi

# OpenBLAS registers itself as libblas.so.3 with a higher priority than netlib's; an alternative
# pinned by hand (manual mode) would still win.
alt=libblas.so.3-$(uname -m)-linux-gnu
if command -v update-alternatives >/dev/null && update-alternatives --query "$alt" 2>/dev/null | grep -q '^Status: manual'; then
  echo "bench setup: $alt is pinned by hand to $(update-alternatives --query "$alt" | sed -n 's/^Value: //p');" >&2
  echo "  'update-alternatives --auto $alt' (as root) lets OpenBLAS take it" >&2
fi

# The same check `pnpm bench` makes: which BLAS the process loaded, its core kernel, and whether
# its sgemm computes right with OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset (see apps/bench/README.md).
report=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
  "$python" "$here/python/bench.py" 1 --probe)
"$python" - "$report" <<'PY'
import json, sys
blas = json.loads(sys.argv[1])["blas"]
ob = blas["openblas"]
print(f"PyTorch {blas['torch']} loads: {', '.join(blas['libraries']) or 'no BLAS library'}")
if ob:
    print(f"OpenBLAS: {ob['config']}; core kernel {ob['core']}")
print(f"float32 matmul check: max relative error {blas['sgemmError']:.1e} (limit 1e-5)")
if not ob:
    sys.exit("bench setup: PyTorch did not resolve OpenBLAS; pnpm bench will print no PyTorch figures")
if blas["sgemmError"] > 1e-5:
    sys.exit("bench setup: OpenBLAS computes wrong products here without OPENBLAS_CORETYPE; pnpm bench retries with it")
PY
