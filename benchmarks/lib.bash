# Shared by the benchmarks/*.sh scripts (sourced, never run): the Open MPI environment.
# bin/gutbrain links Open MPI, which refuses to run as root and looks for ssh without these;
# harmless elsewhere.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_plm_rsh_agent=false

# evict DB_DIR: drop every file of the database from the page cache, and check it left
# (posix_fadvise(DONTNEED) needs no root and leaves other processes' cached files alone; pages
# another process has mapped stay resident, hence the fincore check). Needs a die function.
evict() {
  local f files=()
  for f in "$1"/*; do [ -f "$f" ] && files+=("$(readlink -f "$f")"); done
  python3 - "${files[@]}" <<'PY'
import os, sys
for path in sys.argv[1:]:
    fd = os.open(path, os.O_RDONLY)
    os.fdatasync(fd)  # dirty pages (a file just copied) cannot be dropped
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(fd)
PY
  if command -v fincore > /dev/null; then
    local resident
    resident=$(fincore -b -n -o RES "${files[@]}" | awk '{ s += $1 } END { print s + 0 }')
    [ "$resident" -lt 1048576 ] || die "$resident bytes of $1 stay in the page cache (mapped by another process?)"
  fi
}

# gbdb_full GB DATA DIR: the gutbrain database of all of DATA's genomes in DIR, built when a
# one-read probe does not classify with it (kept between runs). Needs a die function.
gbdb_full() {
  local gb=$1 data=$2 dir=$3 probe
  probe=$(mktemp)
  printf '@probe\nACGTACGTACGTACGTACGTACGTACGTACGTACGTACGTACGT\n+\nIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIII\n' > "$probe"
  if ! "$gb" classify --db "$dir" --threads 1 --output /dev/null "$probe" 2> /dev/null; then
    rm -rf "$dir"
    mkdir -p "$dir.tmp"
    awk -F'\t' '!/^#/ && NF >= 2 { print $1 "\t" $2 }' "$data/seqid2taxid.tsv" > "$dir.tmp/seqid2taxid.map"
    "$gb" build --taxonomy "$data/taxonomy" --seqid2taxid "$dir.tmp/seqid2taxid.map" --db "$dir" --threads 2 \
      "$data"/refs/*.fna.gz > "$dir.tmp/build.log" 2>&1 || { tail "$dir.tmp/build.log" >&2; die "gutbrain build failed"; }
    rm -rf "$dir.tmp"
  fi
  rm -f "$probe"
}
