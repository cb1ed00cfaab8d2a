#!/usr/bin/env bash
# Calibrate the community model of `gutbrain simulate` (kernels/simcomm.h) against a real cohort,
# and compare real and simulated distributions (docs/SIMULATE.md "Calibration").
#
# usage: benchmarks/sim_calibration.sh [SEEDS]     (default 10 simulated cohorts, seeds 1..SEEDS)
#
# Real side: $GUTBRAIN_DATA/cohorts/vasileva2024_schizophrenia/profiles_taxa_relabu.tsv.gz
# (1,431 GTDB species x 97 stool metagenomes; $GUTBRAIN_DATA defaults to ../shared/data next to
# the repository, as for the tests). Each sample is renormalised over its classified taxa.
#
# Estimator (maximum likelihood of the model's pieces; python3 standard library only):
#   sample_sd  pooled within-taxon sd of ln(relative abundance) over the samples where the taxon
#              is present, minus the variance the simulator's age/BMI effects add (0.062, from
#              docs/SIMULATE.md: Normal(0, 0.15) per 10 years x sd 14 years, per 5 BMI x sd 4.5).
#   mu_sd, prev_logit, prev_slope, prev_sd   joint maximum likelihood over taxa of (k, ybar) =
#              (samples present, mean ln abundance when present) under the model
#                z ~ N(0,1), mu = c + mu_sd z, ybar | mu ~ N(mu, sample_sd^2 / k),
#                k ~ Binomial(97, logistic(prev_logit + prev_slope z + N(0, prev_sd))),
#              conditioned on k >= 1 because the table lists only taxa seen at least once.
#              z is integrated exactly given ybar (Gaussian), the logit noise by the trapezoidal rule.
# Simulated side: `gutbrain simulate` (the built bin/gutbrain, i.e. the compiled defaults) with 97
# samples x 20,000 single 75 bp reads, --null, seeds 1..SEEDS, with --species-pool 0 (compared with
# random subsamples of the real taxa) and the default pool (compared with the most prevalent real
# taxa); truth/abundance.tsv cell_fraction.
# Per-taxon summaries are scale-free and use all real taxa; per-sample ones (richness, taxa making
# 50 %/90 %, Taylor intercept) depend on how many taxa there are, so the real side is cut to as
# many real taxa as the simulated cohorts have detected genomes (random or most prevalent, as
# above), renormalised.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/benchmarks/lib.bash"
SEEDS=${1:-10}
DATA=${GUTBRAIN_DATA:-$ROOT/../shared/data}
TABLE=$DATA/cohorts/vasileva2024_schizophrenia/profiles_taxa_relabu.tsv.gz
GB=$ROOT/bin/gutbrain
die() { echo "sim_calibration.sh: $*" >&2; exit 1; }
[ -r "$TABLE" ] || die "no cohort table $TABLE (set GUTBRAIN_DATA)"
[ -x "$GB" ] || die "no $GB (make all)"
[[ $SEEDS =~ ^[1-9][0-9]*$ ]] || die "SEEDS must be a positive number"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
for seed in $(seq 1 "$SEEDS"); do
  for pool in 0 default; do # the genomes as random members of the cohort, and as its most prevalent
    opt=(); [ $pool = 0 ] && opt=(--species-pool 0)
    "$GB" simulate --refs "$DATA"/refs/*.fna.gz --seqid2taxid "$DATA/seqid2taxid.tsv" --taxonomy "$DATA/taxonomy" \
      --samples 97 --reads-per-sample 20000 --read-length 75 --null --seed "$seed" --threads 2 "${opt[@]}" \
      --out "$TMP/sim$pool.$seed" 2>/dev/null || die "gutbrain simulate failed (seed $seed)"
  done
done

python3 - "$TABLE" "$ROOT/kernels/simcomm.c" "$TMP" "$SEEDS" <<'EOF'
import gzip, math, random, re, statistics as st, sys

table, simcomm_c, tmp, nseeds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
COVAR_VAR = 0.062  # variance of ln abundance added by the simulator's age and BMI effects


def read_real(path):
    """taxa x samples relative abundances, each sample renormalised to sum 1"""
    with gzip.open(path, "rt") as f:
        rows = [line.rstrip("\n").split("\t") for line in f]
    x = [[float(v) for v in r[2:]] for r in rows[1:]]
    tot = [sum(r[j] for r in x) for j in range(len(rows[0]) - 2)]
    return [[v / tot[j] for j, v in enumerate(r)] for r in x]


def read_sim(path):
    """the same from truth/abundance.tsv (cell_fraction), taxa never seen left out"""
    cells, samples = {}, []
    with open(path) as f:
        next(f)
        for line in f:
            s, taxid, _, cf, _ = line.split("\t")
            if not samples or samples[-1] != s:
                samples.append(s)
            cells.setdefault(taxid, {})[s] = float(cf)
    return [[d.get(s, 0.0) for s in samples] for d in cells.values()]


# ---------------------------------------------------------------- fit
# E[f(Z)], Z ~ N(0,1), by the trapezoidal rule on [-6, 6] (the integrands are smooth in Z)
GRID_X = [i * 0.4 for i in range(-15, 16)]
GRID_W = [math.exp(-z * z / 2) for z in GRID_X]
GRID_W = [w / sum(GRID_W) for w in GRID_W]



def fit(x):
    n = len(x[0])
    logs = [[math.log(v) for v in r if v > 0] for r in x]
    num = sum(sum((y - st.fmean(l)) ** 2 for y in l) for l in logs if len(l) > 1)
    den = sum(len(l) - 1 for l in logs if len(l) > 1)
    sample_sd = math.sqrt(num / den - COVAR_VAR)
    ks = [len(l) for l in logs]
    ybars = [st.fmean(l) for l in logs]
    logc = [math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) for k in range(n + 1)]

    def binom_mean(k, m, sd):
        """E Binomial(k; n, logistic(m + sd Z)), Z ~ N(0,1)"""
        tot = 0.0
        for xz, w in zip(GRID_X, GRID_W):
            t = m + sd * xz
            lp = -math.log1p(math.exp(-t)) if t > -30 else t
            lq = -math.log1p(math.exp(t)) if t < 30 else -t
            tot += w * math.exp(logc[k] + k * lp + (n - k) * lq)
        return tot

    def nll(par):
        c, lmu, a, b, lps = par
        mu_sd, prev_sd = math.exp(lmu), math.exp(lps)
        # P(k >= 1): z and the logit noise are both Gaussian, so the logit is N(a, b^2 + prev_sd^2)
        p0 = binom_mean(0, a, math.hypot(b, prev_sd))
        ll = -len(ks) * math.log(max(1e-300, 1 - p0))
        for k, yb in zip(ks, ybars):
            v = sample_sd**2 / k
            tv = mu_sd**2 + v
            ll += -0.5 * math.log(2 * math.pi * tv) - (yb - c) ** 2 / (2 * tv)
            # z | ybar ~ N(mz, vz); the logit's z part is then b*mz + N(0, b^2 vz)
            mz, vz = mu_sd * (yb - c) / tv, v / tv
            ll += math.log(max(1e-300, binom_mean(k, a + b * mz, math.hypot(b * math.sqrt(vz), prev_sd))))
        return -ll

    start = [st.fmean(ybars), math.log(st.stdev(ybars)), -3.0, 0.5, 0.0]
    best = nelder_mead(nll, start, [0.5, 0.3, 1.0, 0.5, 0.3])
    c, lmu, a, b, lps = best
    return dict(mu_sd=math.exp(lmu), prev_logit=a, prev_slope=b, prev_sd=math.exp(lps), sample_sd=sample_sd)


def nelder_mead(f, x0, step, iters=600, tol=1e-7):
    pts = [list(x0)] + [[x0[j] + (step[j] if j == i else 0) for j in range(len(x0))] for i in range(len(x0))]
    val = [f(p) for p in pts]
    for _ in range(iters):
        order = sorted(range(len(pts)), key=lambda i: val[i])
        pts, val = [pts[i] for i in order], [val[i] for i in order]
        if abs(val[-1] - val[0]) < tol * (1 + abs(val[0])):
            break
        cen = [sum(p[j] for p in pts[:-1]) / (len(pts) - 1) for j in range(len(x0))]
        move = lambda t: [cen[j] + t * (pts[-1][j] - cen[j]) for j in range(len(x0))]
        xr = move(-1)
        fr = f(xr)
        if fr < val[0]:
            xe = move(-2)
            fe = f(xe)
            pts[-1], val[-1] = (xe, fe) if fe < fr else (xr, fr)
        elif fr < val[-2]:
            pts[-1], val[-1] = xr, fr
        else:
            xc = move(0.5)
            fc = f(xc)
            if fc < val[-1]:
                pts[-1], val[-1] = xc, fc
            else:
                pts = [pts[0]] + [[pts[0][j] + 0.5 * (p[j] - pts[0][j]) for j in range(len(x0))] for p in pts[1:]]
                val = [val[0]] + [f(p) for p in pts[1:]]
    return pts[min(range(len(pts)), key=lambda i: val[i])]


# ---------------------------------------------------------------- summaries
def quantile(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(q * len(v)))]


def ols(xs, ys):
    mx, my = st.fmean(xs), st.fmean(ys)
    b = sum((a - mx) * (c - my) for a, c in zip(xs, ys)) / sum((a - mx) ** 2 for a in xs)
    return b, my - b * mx


def per_taxon(x):
    n = len(x[0])
    prev = [sum(v > 0 for v in r) / n for r in x]
    logs = [[math.log(v) for v in r if v > 0] for r in x]
    m = [st.fmean(l) for l in logs]
    z = [(a - st.fmean(m)) / st.pstdev(m) for a in m]
    k = [len(l) for l in logs]
    logit = [math.log((ki + 0.5) / (n - ki + 0.5)) for ki in k]
    tl = [(math.log10(st.fmean(r)), math.log10(st.pvariance(r))) for r in x if sum(v > 0 for v in r) >= 2]
    return {
        "prevalence, 25th percentile": quantile(prev, 0.25),
        "prevalence, median": quantile(prev, 0.5),
        "prevalence, 75th percentile": quantile(prev, 0.75),
        "prevalence, 90th percentile": quantile(prev, 0.9),
        "taxa seen in one sample only": sum(ki == 1 for ki in k) / len(k),
        "taxa in >= 50 % of samples": sum(p >= 0.5 for p in prev) / len(prev),
        "sd of ln abundance when present, median (k >= 5)": st.median(st.stdev(l) for l in logs if len(l) >= 5),
        "sd across taxa of mean ln abundance when present": st.pstdev(m),
        "skewness across taxa of mean ln abundance when present": st.fmean(((a - st.fmean(m)) / st.pstdev(m)) ** 3 for a in m),
        "slope of logit prevalence on standardised mean ln abundance": ols(z, logit)[0],
        "Taylor's law slope (log10 var on log10 mean, k >= 2)": ols(*zip(*tl))[0],
    }


def per_sample(x):
    n = len(x[0])
    cols = [[r[j] for r in x] for j in range(n)]
    cols = [[v / sum(c) for v in c] for c in cols if sum(c) > 0]

    def taxa_for(c, share):
        acc = 0.0
        for i, v in enumerate(sorted(c, reverse=True)):
            acc += v
            if acc >= share - 1e-12:
                return i + 1
        return len(c)

    rows = [[c[i] for c in cols] for i in range(len(x))]
    tl = [(math.log10(st.fmean(r)), math.log10(st.pvariance(r))) for r in rows if sum(v > 0 for v in r) >= 2]
    return {
        "taxa present per sample, median": st.median(sum(v > 0 for v in c) for c in cols),
        "taxa making 50 % of a sample, median": st.median(taxa_for(c, 0.5) for c in cols),
        "taxa making 90 % of a sample, median": st.median(taxa_for(c, 0.9) for c in cols),
        "Taylor's law intercept": ols(*zip(*tl))[1] if len(tl) > 2 else float("nan"),
    }


real = read_real(table)
par = fit(real)
compiled = dict(re.findall(r"\.(\w+)\s*=\s*(-?[0-9.]+)", open(simcomm_c).read().split("simcomm_defaults", 1)[1].split("}", 1)[0]))
print(f"Fitted to {len(real)} taxa x {len(real[0])} samples ({table.split('/')[-2]}):")
print("| parameter | fitted | kernels/simcomm.c default |")
print("|---|---|---|")
for name in ["mu_sd", "prev_logit", "prev_slope", "prev_sd", "sample_sd"]:
    print(f"| {name} | {par[name]:.3f} | {compiled.get(name, '?')} |")

def median_range(v):
    return f"{st.median(v):.3g} ({min(v):.3g} - {max(v):.3g})"


def summaries(x):
    """every summary of a taxa x samples table, each sample renormalised over these taxa"""
    tot = [sum(col) for col in zip(*x)]
    x = [[v / t if t > 0 else 0.0 for v, t in zip(r, tot)] for r in x]
    return {**per_taxon(x), **per_sample(x)}


full = summaries(real)
rng = random.Random(1)
for pool, label in (("0", "--species-pool 0: the genomes are random members of the cohort"),
                    ("default", "default --species-pool: the genomes are the cohort's most prevalent species")):
    sims = [read_sim(f"{tmp}/sim{pool}.{s}/truth/abundance.tsv") for s in range(1, nseeds + 1)]
    ntaxa = round(st.median(len(x) for x in sims))
    sim = [summaries(x) for x in sims]
    if pool == "0":
        ref = [summaries(rng.sample(real, ntaxa)) for _ in range(100)]
        what = f"the median of 100 random subsamples of {ntaxa} real taxa"
        col = f"real, {ntaxa} random taxa"
    else:
        top = sorted(real, key=lambda r: sum(v > 0 for v in r), reverse=True)[:ntaxa]
        ref = [summaries(top)]
        what = f"the {ntaxa} most prevalent real taxa"
        col = f"real, {ntaxa} most prevalent"
    print()
    print(f"{label}.")
    print(f"Real: all {len(real)} taxa, and {what}, renormalised per sample ({ntaxa} = median number")
    print(f"of genomes detected in the simulated cohorts). Simulated: {nseeds} cohorts (seeds 1-{nseeds}) of 97 samples, median (range).")
    print(f"| summary | real, {len(real)} taxa | {col} | simulated |")
    print("|---|---|---|---|")
    for key in full:
        print(f"| {key} | {full[key]:.3g} | {st.median(r[key] for r in ref):.3g} | {median_range([s[key] for s in sim])} |")
EOF
