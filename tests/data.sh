#!/usr/bin/env bash
# Print (one line on stdout) the path of a gutbrain test-data directory:
#   refs/*.fna.gz              reference genomes (FASTA, gzip)
#   seqid2taxid.tsv            "#seqid taxid accession length_bp file" (header line starts with #)
#   taxonomy/nodes.dmp, names.dmp   NCBI taxdump
#   reads/...                  optional real reads
# Order: $GUTBRAIN_DATA if valid; else ../shared/data next to the repo; else a fallback
# directory built once from Debian packages (tests/fallback_genomes.tsv says which files),
# cached in $GUTBRAIN_CACHE or ${XDG_CACHE_HOME:-$HOME/.cache}/gutbrain/data.
# Progress and problems go to stderr; exit 1 if no usable directory can be produced.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TABLE="$ROOT/tests/fallback_genomes.tsv"
CACHE=${GUTBRAIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gutbrain/data}
TAXONOMY_PKG=microbegps
TAXONOMY_PATH=/usr/share/microbegps/data/taxonomy
# Real honey-bee virus reads matching the DWV/VDV-1 genomes (same subset as shared data).
READS_PKG=gasic-examples
READS_PATH=/usr/share/doc/gasic/examples/reads/SRR059298_subset.fastq.gz
READS_OUT=reads/virus/SRR059298_honeybee_first25k.fastq.gz
READS_LINES=100000

say() { echo "data.sh: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# A data directory is usable when every part the tests read is present.
is_data_dir() {
  local d=$1
  [ -d "$d/refs" ] && compgen -G "$d/refs/*.fna.gz" >/dev/null &&
    [ -s "$d/seqid2taxid.tsv" ] && [ -s "$d/taxonomy/nodes.dmp" ] && [ -s "$d/taxonomy/names.dmp" ]
}

print_dir() { (cd "$1" && pwd); }

# ---------------------------------------------------------------- package files
# Root (or password-less sudo) may install packages; others can only download and unpack.
can_install() { [ "$(id -u)" -eq 0 ] || sudo -n true 2>/dev/null; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }

APT_UPDATED=0
apt_update_once() {
  [ "$APT_UPDATED" -eq 1 ] && return 0
  APT_UPDATED=1
  can_install || return 1
  say "apt-get update"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
}

install_pkg() {
  local pkg=$1
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" && return 0
  can_install || return 1
  say "installing Debian package $pkg"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null ||
    { apt_update_once &&
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null; }
}

# Unpack one path of a package's .deb under $CACHE/.pkgroot without installing it
# (works without root, pulls no dependencies).
extract_pkg_path() {
  local pkg=$1 path=$2 debdir="$CACHE/.debs" deb
  mkdir -p "$debdir" "$CACHE/.pkgroot"
  deb=$(ls "$debdir/${pkg}"_*.deb 2>/dev/null | head -n1 || true)
  if [ -z "$deb" ]; then
    say "downloading Debian package $pkg (apt-get download)"
    (cd "$debdir" && apt-get download -qq "$pkg" >&2) ||
      { apt_update_once && (cd "$debdir" && apt-get download -qq "$pkg" >&2); } || return 1
    deb=$(ls "$debdir/${pkg}"_*.deb 2>/dev/null | head -n1 || true)
    [ -n "$deb" ] || return 1
  fi
  say "unpacking $path from $(basename "$deb")"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$CACHE/.pkgroot" ".$path" 2>/dev/null || return 1
  [ -e "$CACHE/.pkgroot$path" ]
}

# Print where a file of a Debian package can be read, getting the package if needed.
# $3 = "install" (apt-get install allowed) or "extract" (never install: heavy dependencies).
pkg_file() {
  local pkg=$1 path=$2 mode=$3
  if [ -r "$path" ]; then echo "$path"; return 0; fi
  if [ -e "$CACHE/.pkgroot$path" ]; then echo "$CACHE/.pkgroot$path"; return 0; fi
  if [ "$mode" = install ] && install_pkg "$pkg" && [ -r "$path" ]; then echo "$path"; return 0; fi
  if extract_pkg_path "$pkg" "$path"; then echo "$CACHE/.pkgroot$path"; return 0; fi
  say "cannot get $path: Debian package $pkg is not installed and could not be installed or downloaded"
  say "  (check: apt-cache policy $pkg)"
  return 1
}

decompress() {
  case $1 in
    *.gz) gzip -dc -- "$1" ;;
    *.xz) xz -dc -- "$1" ;;
    *.bz2) bzip2 -dc -- "$1" ;;
    *.zst) zstd -dcq -- "$1" ;;
    *) cat -- "$1" ;;
  esac
}

# ---------------------------------------------------------------- fallback build
# FASTA stream on stdin -> seqid2taxid rows; sequence id = first word of the header.
# Accession: the 4th field of NCBI "gi|N|db|ACC|" ids, else the id itself.
fasta_to_map() {
  awk -v taxid="$1" -v file="$2" '
    function flush() { if (id != "") printf "%s\t%s\t%s\t%d\t%s\n", id, taxid, acc, len, file }
    /^>/ { flush(); id = substr($1, 2); len = 0; n = split(id, p, "|")
           acc = (n >= 4 && p[1] == "gi") ? p[4] : id; next }
    { gsub(/[ \t\r]/, ""); len += length($0) }
    END { flush() }'
}

# Copy one genome into refs/ and append its sequence ids to seqid2taxid.tsv.
add_genome() {
  local out=$1 file=$2 pkg=$3 path=$4 taxid=$5 nseq=$6 bp=$7 src last rows got_n got_bp
  src=$(pkg_file "$pkg" "$path" install) || return 1
  # Copy gzip files as they are; recompress other formats, and files whose last line lacks
  # its newline (as ../shared/data did), so that `zcat a b` cannot glue two records together.
  last=$(decompress "$src" | tail -c1 | od -An -tx1 | tr -d ' ') || { say "cannot read $src"; return 1; }
  if [[ $src == *.gz ]] && [ "$last" = 0a ]; then
    cp -- "$src" "$out/refs/$file" || return 1
  else
    { decompress "$src"; [ "$last" = 0a ] || echo; } | gzip -9 -n > "$out/refs/$file" ||
      { say "cannot recompress $src"; return 1; }
  fi
  rows=$(gzip -dc "$out/refs/$file" | fasta_to_map "$taxid" "refs/$file") || return 1
  [ -n "$rows" ] || { say "no FASTA records in $src"; rm -f "$out/refs/$file"; return 1; }
  printf '%s\n' "$rows" >> "$out/seqid2taxid.tsv"
  got_n=$(printf '%s\n' "$rows" | wc -l)
  got_bp=$(printf '%s\n' "$rows" | awk -F'\t' '{s += $4} END {print s}')
  if [ "$got_n" != "$nseq" ] || [ "$got_bp" != "$bp" ]; then
    say "WARNING: $file has $got_n sequences / $got_bp bp, table says $nseq / $bp (other package version?)"
  fi
  say "  refs/$file  taxid $taxid  $got_n seq  $got_bp bp  <- $pkg"
}

add_taxonomy() {
  local out=$1 nodes dir
  nodes=$(pkg_file "$TAXONOMY_PKG" "$TAXONOMY_PATH/nodes.dmp" extract) || return 1
  dir=$(dirname "$nodes")
  [ -s "$dir/names.dmp" ] || pkg_file "$TAXONOMY_PKG" "$TAXONOMY_PATH/names.dmp" extract >/dev/null || return 1
  rm -rf "$out/taxonomy"
  ln -s "$dir" "$out/taxonomy"
  say "  taxonomy -> $dir (full NCBI taxdump of 2014)"
}

# Every taxid of seqid2taxid.tsv must be a node of the taxonomy, or tests would mislead.
check_taxids() {
  local out=$1 missing
  missing=$(awk -F'\t' 'NR == FNR { if ($0 !~ /^#/) want[$2] = 1; next }
                        { split($0, f, "\t"); if (f[1] in want) delete want[f[1]] }
                        END { for (t in want) printf "%s ", t }' "$out/seqid2taxid.tsv" "$out/taxonomy/nodes.dmp")
  [ -z "$missing" ] || { say "taxids not in $out/taxonomy/nodes.dmp: $missing"; return 1; }
}

add_reads() {
  local out=$1 src
  src=$(pkg_file "$READS_PKG" "$READS_PATH" install) || return 1
  mkdir -p "$out/$(dirname "$READS_OUT")"
  # head closes the pipe early on purpose; ignore gzip's SIGPIPE.
  { gzip -dc -- "$src" || true; } | head -n "$READS_LINES" | gzip -9 -n > "$out/$READS_OUT"
  say "  $READS_OUT ($((READS_LINES / 4)) real reads) <- $READS_PKG"
}

# The stamp ties a finished cache to the table and this script, so edits trigger a rebuild.
stamp_of() { cat "$TABLE" "${BASH_SOURCE[0]}" | md5sum | cut -d' ' -f1; }

build_fallback() {
  local out=$1 failed=() file pkg path taxid nseq bp _organism
  say "building fallback test data in $out from Debian packages (tests/fallback_genomes.tsv)"
  rm -rf "$out/refs" "$out/reads" "$out/taxonomy" "$out/seqid2taxid.tsv" "$out/.complete"
  mkdir -p "$out/refs"
  printf '#seqid\ttaxid\taccession\tlength_bp\tfile\n' > "$out/seqid2taxid.tsv"
  while IFS=$'\t' read -r file pkg path taxid nseq bp _organism; do
    [[ -z $file || $file == \#* ]] && continue
    add_genome "$out" "$file" "$pkg" "$path" "$taxid" "$nseq" "$bp" || failed+=("$file")
  done < "$TABLE"
  add_taxonomy "$out" || die "no taxonomy: the fallback needs package $TAXONOMY_PKG ($TAXONOMY_PATH)"
  check_taxids "$out" || die "taxonomy does not cover the fallback genomes"
  add_reads "$out" || failed+=("$READS_OUT")
  if [ ${#failed[@]} -gt 0 ]; then
    say "WARNING: missing from the fallback (will retry next run): ${failed[*]}"
    echo partial > "$out/.complete"
  else
    stamp_of > "$out/.complete"
  fi
}

fallback_dir() {
  [ -r "$TABLE" ] || die "missing $TABLE"
  # A finished cache needs no lock (it may even be read-only for us).
  if [ "$(cat "$CACHE/.complete" 2>/dev/null || true)" != "$(stamp_of)" ]; then
    mkdir -p "$CACHE" || die "cannot create cache directory $CACHE"
    # One builder at a time: parallel test runs wait here instead of racing.
    exec 9> "$CACHE/.lock" || die "cannot write $CACHE/.lock"
    flock 9
    [ "$(cat "$CACHE/.complete" 2>/dev/null || true)" = "$(stamp_of)" ] || build_fallback "$CACHE"
  fi
  is_data_dir "$CACHE" || die "fallback directory $CACHE is incomplete"
  print_dir "$CACHE"
}

main() {
  if [ -n "${GUTBRAIN_DATA:-}" ]; then
    if is_data_dir "$GUTBRAIN_DATA"; then print_dir "$GUTBRAIN_DATA"; return 0; fi
    say "GUTBRAIN_DATA=$GUTBRAIN_DATA is not a data directory (needs refs/*.fna.gz, seqid2taxid.tsv, taxonomy/{nodes,names}.dmp); looking elsewhere"
  fi
  if is_data_dir "$ROOT/../shared/data"; then print_dir "$ROOT/../shared/data"; return 0; fi
  say "$ROOT/../shared/data not found; using the Debian-package fallback"
  fallback_dir
}

main "$@"
