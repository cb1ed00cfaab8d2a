#!/usr/bin/env bash
# gutbrain bench --profiles next to OPAL's own code (CAMI-challenge/OPAL, not a Debian package,
# so never run by `make test`): a cohort simulated from the test data's genomes, profiled by
# `gutbrain run`, then for every sample the true profile (truth/S.cami) against two predictions,
# gutbrain's (run/samples/S.cami) and the next sample's true profile (large distances). Prints
# one table per sample and rank: L1 norm and Bray-Curtis, ours and OPAL's with -n (each rank
# rescaled to 100 %, as ours are); and one per sample: our weighted UniFrac, OPAL's "Weighted
# UniFrac (CAMI)" (unit branch lengths: what ours follows, docs/BENCH.md) and, for reference,
# OPAL's default "Weighted UniFrac error" (branch length 1/depth, another scale).
#
# usage: OPAL_DIR=~/src/OPAL benchmarks/opal_unifrac.sh [WORKDIR]
#   OPAL_DIR  an OPAL checkout (its cami_opal package is imported; needs python3-numpy and
#             python3-scipy only, not its plotting dependencies; PYTHON, default Debian's /usr/bin/python3)
#   DB        gutbrain database of the test data's refs (default: built into WORKDIR/db)
#   SAMPLES   cohort size (default 8); READS pairs per sample (default 20000); SEED (default 1)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/benchmarks/lib.bash"
die() { echo "opal_unifrac.sh: $*" >&2; exit 1; }
[ -n "${OPAL_DIR:-}" ] && [ -f "$OPAL_DIR/cami_opal/utils/EMDUnifrac.py" ] \
  || die "set OPAL_DIR to an OPAL checkout (github.com/CAMI-challenge/OPAL)"
GB=$ROOT/bin/gutbrain
[ -x "$GB" ] || die "no $GB (run make)"
WORK=${1:-$(mktemp -d "${TMPDIR:-/tmp}/opal_unifrac.XXXXXX")}
mkdir -p "$WORK"
DATA=$(bash "$ROOT/tests/data.sh")
SAMPLES=${SAMPLES:-8} READS=${READS:-20000} SEED=${SEED:-1}
RANKS=superkingdom,phylum,class,order,family,genus,species

if [ -z "${DB:-}" ]; then
  DB=$WORK/db
  [ -s "$DB/hash.k2d" ] || "$GB" build -q --taxonomy "$DATA/taxonomy" --seqid2taxid "$DATA/seqid2taxid.tsv" \
    --db "$DB" --threads 2 "$DATA"/refs/*.fna.gz
fi
rm -rf "$WORK/sim" "$WORK/run" "$WORK/other"
"$GB" simulate -q --refs "$DATA"/refs/*.fna.gz --seqid2taxid "$DATA/seqid2taxid.tsv" --taxonomy "$DATA/taxonomy" \
  --samples "$SAMPLES" --reads-per-sample "$READS" --paired --seed "$SEED" --out "$WORK/sim" --threads 2
"$GB" run -q --db "$DB" --samples "$WORK/sim/samplesheet.csv" --out "$WORK/run" --threads 2
# "other": sample i predicted by sample i + 1's true profile (the last by the first).
mkdir -p "$WORK/other"
mapfile -t ids < <(cd "$WORK/sim/truth" && ls ./*.cami | sed 's|^\./||; s|\.cami$||')
for i in "${!ids[@]}"; do
  next=${ids[$(((i + 1) % ${#ids[@]}))]}
  sed "s/^@SampleID:.*/@SampleID:${ids[$i]}/" "$WORK/sim/truth/$next.cami" > "$WORK/other/${ids[$i]}.cami"
done
"$GB" bench -q --truth "$WORK/sim" --taxonomy "$DATA/taxonomy" --ranks "$RANKS" --out "$WORK/b" \
  --profiles gutbrain="$WORK/run/samples" --profiles other="$WORK/other" > /dev/null

"${PYTHON:-/usr/bin/python3}" - "$OPAL_DIR" "$WORK" "$RANKS" gutbrain="$WORK/run/samples" other="$WORK/other" <<'PY'
import sys
opal_dir, work, ranks = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
sys.path.insert(0, opal_dir)
from cami_opal.utils import load_data
from cami_opal.utils import ProfilingTools as PF
from cami_opal.utils import ProfilingToolsCAMI as PFCAMI
from cami_opal import unifrac_distance as uf, l1norm, braycurtis

ours = {}
with open(work + "/b.profiles.tsv") as f:
    head = f.readline().rstrip("\n").split("\t")
    for line in f:
        row = dict(zip(head, line.rstrip("\n").split("\t")))
        ours[row["name"], row["sample"], row["rank"]] = row

def load(path, normalize):
    (sample_id, metadata, profile), = load_data.open_profile_from_tsv(path, normalize)
    return metadata, profile

def rank_table(profile):
    return load_data.get_rank_to_taxid_to_percentage(profile)

per_rank, per_sample, worst = [], [], {"L1": 0, "bray_curtis": 0, "unifrac": 0}
for arg in sys.argv[4:]:
    name, pred_dir = arg.split("=", 1)
    samples = sorted({s for n, s, r in ours if n == name})
    for s in samples:
        truth_path, pred_path = "%s/sim/truth/%s.cami" % (work, s), "%s/%s.cami" % (pred_dir, s)
        # L1 and Bray-Curtis as `opal.py -n` computes them (each rank rescaled to 100 %)
        gs_n, pred_n = rank_table(load(truth_path, True)[1]), rank_table(load(pred_path, True)[1])
        l1, bc = l1norm.compute_l1norm(gs_n, pred_n), braycurtis.braycurtis(gs_n, pred_n)
        for r in ranks:
            o = ours[name, s, r]
            ol1, obc = l1.get(r, float("nan")), bc.get(r, float("nan"))
            worst["L1"] = max(worst["L1"], abs(float(o["L1"]) - ol1))
            worst["bray_curtis"] = max(worst["bray_curtis"], abs(float(o["bray_curtis"]) - obc))
            per_rank.append("%s\t%s\t%s\t%s\t%.6f\t%s\t%.6f" % (name, s, r, o["L1"], ol1, o["bray_curtis"], obc))
        # UniFrac as opal.py computes it by default (profiles not normalized)
        (gm, gp), (pm, pp) = load(truth_path, False), load(pred_path, False)
        cami = uf.compute_unifrac(PFCAMI.ProfileCAMI(sample_metadata=gm, profile=gp),
                                  PFCAMI.ProfileCAMI(sample_metadata=pm, profile=pp))[0]
        error = uf.compute_unifrac(PF.Profile(sample_metadata=gm, profile=gp, branch_length_fun=lambda x: 1 / x),
                                   PF.Profile(sample_metadata=pm, profile=pp, branch_length_fun=lambda x: 1 / x))[0]
        wu = float(ours[name, s, ranks[0]]["weighted_unifrac"])
        worst["unifrac"] = max(worst["unifrac"], abs(wu - cami))
        per_sample.append("%s\t%s\t%.6f\t%.6f\t%.6f\t%.6f" % (name, s, wu, cami, wu - cami, error))

print("name\tsample\trank\tL1_ours\tL1_opal\tbray_curtis_ours\tbray_curtis_opal")
print("\n".join(per_rank))
print()
print("name\tsample\tweighted_unifrac_ours\topal_unifrac_cami\tdifference\topal_unifrac_error_1/depth")
print("\n".join(per_sample))
print()
print("largest |ours - OPAL|: L1 %.2g, Bray-Curtis %.2g, weighted UniFrac (CAMI) %.2g"
      % (worst["L1"], worst["bray_curtis"], worst["unifrac"]))
PY
