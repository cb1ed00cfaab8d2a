#!/usr/bin/env bash
# Install every Debian package gutbrain needs to build, test, demo and benchmark.
# Idempotent and non-interactive: does nothing when all are present.
set -euo pipefail
pkgs=(build-essential pkg-config clang libomp-dev llvm openmpi-bin libopenmpi-dev libhdf5-openmpi-dev hdf5-tools
      libzstd-dev zstd zlib1g-dev libisal-dev isal libxxhash-dev libcmocka-dev openssh-client
      kraken2 centrifuge art-nextgen-simulation-tools time python3 gzip
      python3-biom-format python3-h5py r-base-core r-bioc-biomformat r-bioc-rhdf5 r-bioc-phyloseq
      r-mathlib liblapacke-dev libopenblas-dev libopenblas0-openmp r-cran-vegan slurm-wlm munge
      chromium)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}" >&2
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
