#!/usr/bin/env bash
# gutbrain on a Kraken 2 database with 40-bit hash cells, built by the current Kraken 2 source
# (../shared/peers/kraken2, `k2 build --cht-cell-size 40`; Debian's 2.1.2 writes 32-bit cells
# only), against that same Kraken 2's classifier: per-read output byte for byte on 100 % of the
# reads and the kreport (all columns but the documented rank-code fix), paired, single-end,
# --confidence and --use-names. The peer is built once per source version into
# ${XDG_CACHE_HOME:-~/.cache}/gutbrain/ (about a minute on 2 cores), never into the repository.
set -uo pipefail
source "$(dirname "$0")/lib.bash"

require_peer kraken2 install_kraken2.sh

# ---- the peer, built once per source version
source "$ROOT/tests/kraken2_peer.bash"
kraken2_peer_build "$PEERS/kraken2" "$TMP/peer-build.log" \
  || { show "$TMP/peer-build.log" 20; die "building Kraken 2 from $PEERS/kraken2 failed"; }
PEER=${K2PEER%/inst}
ok "Kraken 2 $(cat "$PEERS/kraken2/VERSION") from $PEERS/kraken2 ($PEER/inst)"

# ---- a 40-bit database of the tiny references
prepare_tiny_refs
K2=$TMP/k40
mkdir -p "$K2/taxonomy" "$K2/library/added"
cp "$TINY_TAX/nodes.dmp" "$TINY_TAX/names.dmp" "$K2/taxonomy/"
for f in "${TINY_REFS[@]}"; do gzip -dcf "$f"; echo; done | grep -v '^$' > "$K2/library/added/refs.fna"
awk -F'\t' '!/^#/ { print "TAXID\t" $1 "\t" $2 }' "$TINY_MAP" > "$K2/library/added/prelim_map.txt"
"$PEER/inst/k2" build --db "$K2" --cht-cell-size 40 --threads 2 > "$TMP/k40-build.log" 2>&1 \
  || { show "$TMP/k40-build.log" 20; die "k2 build --cht-cell-size 40 failed"; }
capacity=$(od -An -t u8 -N 8 "$K2/hash.k2d" | tr -d ' ')
if [ "$(stat -c %s "$K2/hash.k2d")" -eq $((32 + capacity * 5)) ]; then
  ok "40-bit database built: $capacity cells of 5 bytes"
else
  fail "hash.k2d is not a 40-bit table ($(stat -c %s "$K2/hash.k2d") bytes for $capacity cells)"
fi

sim_pairs "$TMP/clean" 150 20 "${TINY_REFS[@]}"
perturb_pairs "$TMP/clean" "$TMP/mixed"
PAIR=("$TMP/mixed_R1.fastq" "$TMP/mixed_R2.fastq")
GB_DB=$K2
KRAKEN2=$PEER/inst/kraken2
run_both k40_paired --paired "${PAIR[@]}"
run_both k40_c01 --paired --confidence 0.1 "${PAIR[@]}"
run_both k40_single "$TMP/mixed_R1.fastq"
run_both k40_names --paired --use-names "${PAIR[@]}"
finish
