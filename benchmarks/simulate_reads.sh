#!/usr/bin/env bash
# Simulate labelled Illumina reads from reference genomes with ART, deterministically.
#
# usage: simulate_reads.sh OUT_PREFIX READS_PER_GENOME MODE SEED GENOME.fna[.gz]... SEQID2TAXID
#   MODE  paired150  ART HS25, 2x150 bp, fragments 400 +- 30  -> OUT_PREFIX_R1.fq, OUT_PREFIX_R2.fq
#         single100  ART HS25, 100 bp single-end               -> OUT_PREFIX.fq
#   SEQID2TAXID  TSV whose first two columns are sequence id and taxid ('#' lines ignored)
#
# Why per ACGT-only stretch: ART silently drops reads that would touch an N (or any other
# non-ACGT code) and its -c counts reads per input sequence, not per genome.  So each genome
# is cut at non-ACGT runs, stretches that cannot hold one fragment are skipped, and the
# genome's read count is shared among the remaining stretches in proportion to their length
# (largest-remainder rounding, so every genome gets exactly READS_PER_GENOME unless it has no
# usable stretch).  Each read id becomes r<7 digits>|taxid|<taxid of its own sequence>, with
# ART's /1 and /2 kept after the label; records are shuffled with the same seed, mates
# together.  Same inputs + same seed -> byte-identical output.
set -euo pipefail

die() { echo "simulate_reads.sh: $*" >&2; exit 1; }
[ $# -ge 6 ] || die "usage: $0 OUT_PREFIX READS_PER_GENOME paired150|single100 SEED GENOME... SEQID2TAXID"
command -v art_illumina >/dev/null || die "art_illumina not found (Debian: art-nextgen-simulation-tools)"

out_prefix=$1 reads=$2 mode=$3 seed=$4
shift 4
map_file=${!#}
genomes=("${@:1:$#-1}")
case "$mode" in paired150|single100) ;; *) die "mode must be paired150 or single100, not '$mode'";; esac
[[ "$reads" =~ ^[0-9]+$ ]] || die "READS_PER_GENOME must be a number"
[[ "$seed" =~ ^[0-9]+$ ]] || die "SEED must be a number"
[ -f "$map_file" ] || die "no seqid2taxid file '$map_file'"
for g in "${genomes[@]}"; do [ -f "$g" ] || die "no genome file '$g'"; done

mkdir -p "$(dirname "$out_prefix")"
tmp=$(mktemp -d "${out_prefix}.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

/usr/bin/python3 - "$out_prefix" "$reads" "$mode" "$seed" "$map_file" "$tmp" \
  "$(nproc 2>/dev/null || echo 1)" "${genomes[@]}" <<'PYTHON'
import concurrent.futures, gzip, os, random, re, subprocess, sys

out_prefix, reads, mode, seed, map_file, tmp, jobs = sys.argv[1:8]
genomes = sys.argv[8:]
reads, seed, jobs = int(reads), int(seed), max(1, int(jobs))
paired = mode == "paired150"
READ_LEN = 150 if paired else 100
FRAG_MEAN, FRAG_SD = 400, 30
# ART needs the whole fragment inside the sequence; keep a margin of 3 sd.
MIN_STRETCH = FRAG_MEAN + 3 * FRAG_SD if paired else READ_LEN


def load_map(path):
    taxid = {}
    with open(path) as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            taxid[cols[0]] = cols[1]
    return taxid


def read_fasta(path):
    """Yield (id, sequence) where id is the header up to the first whitespace."""
    opener = gzip.open if path.endswith(".gz") else open
    name, parts = None, []
    with opener(path, "rt") as fh:
        for line in fh:
            if line.startswith(">"):
                if name is not None:
                    yield name, "".join(parts)
                words = line[1:].split(None, 1)
                name, parts = (words[0] if words else ""), []
            else:
                parts.append(line.strip())
    if name is not None:
        yield name, "".join(parts)


def share(total, lengths):
    """Split total reads over stretches proportionally to length, summing exactly to total."""
    whole = sum(lengths)
    exact = [total * n / whole for n in lengths]
    counts = [int(x) for x in exact]
    order = sorted(range(len(lengths)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def plan_stretches(taxids):
    """Write each usable ACGT stretch to its own FASTA; return (fasta, count, taxid) jobs."""
    plan, n = [], 0
    for g in genomes:
        stretches = []
        for seqid, seq in read_fasta(g):
            if seqid not in taxids:
                sys.exit("simulate_reads: sequence %s of %s is not in the seqid2taxid file" % (seqid, g))
            for m in re.finditer(r"[ACGT]+", seq.upper()):
                if len(m.group()) >= MIN_STRETCH:
                    stretches.append((m.group(), taxids[seqid]))
        if not stretches:
            print("simulate_reads: warning: %s has no stretch long enough, skipped" % g, file=sys.stderr)
            continue
        for (seq, taxid), count in zip(stretches, share(reads, [len(s) for s, _ in stretches])):
            if count == 0:
                continue
            path = os.path.join(tmp, "s%06d.fa" % n)
            with open(path, "w") as fh:
                fh.write(">s%06d\n%s\n" % (n, seq))
            plan.append((path, count, taxid, n))
            n += 1
    return plan


def run_art(job):
    path, count, taxid, n = job
    prefix = path[:-3] + "_"
    # A distinct but reproducible seed per stretch, so stretches do not share error patterns.
    art_seed = (seed * 1000003 + n) % 2147483647
    cmd = ["art_illumina", "-q", "-na", "-ss", "HS25", "-i", path, "-l", str(READ_LEN),
           "-c", str(count), "-rs", str(art_seed), "-o", prefix]
    if paired:
        cmd += ["-p", "-m", str(FRAG_MEAN), "-s", str(FRAG_SD)]
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if res.returncode != 0:
        raise RuntimeError("art_illumina failed on %s:\n%s" % (path, res.stdout.decode(errors="replace")))
    files = [prefix + "1.fq", prefix + "2.fq"] if paired else [prefix + ".fq"]
    mates = [read_fastq(f) for f in files]
    for f in files + [path]:
        os.remove(f)
    if len(set(len(m) for m in mates)) != 1:
        raise RuntimeError("mate files of %s differ in length" % path)
    return [(taxid, recs) for recs in zip(*mates)]


def read_fastq(path):
    """Return [(sequence, quality)] of a 4-line FASTQ file."""
    with open(path) as fh:
        lines = fh.read().split("\n")
    return [(lines[i + 1], lines[i + 3]) for i in range(0, len(lines) - 3, 4)]


def main():
    plan = plan_stretches(load_map(map_file))
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        per_stretch = list(pool.map(run_art, plan))  # map keeps plan order: deterministic
    fragments = [frag for chunk in per_stretch for frag in chunk]
    random.Random(seed).shuffle(fragments)
    names = [out_prefix + "_R1.fq", out_prefix + "_R2.fq"] if paired else [out_prefix + ".fq"]
    outs = [open(n + ".part", "w") for n in names]
    for i, (taxid, mates) in enumerate(fragments, 1):
        label = "r%07d|taxid|%s" % (i, taxid)
        for mate, (fh, (seq, qual)) in enumerate(zip(outs, mates), 1):
            suffix = "/%d" % mate if paired else ""
            fh.write("@%s%s\n%s\n+\n%s\n" % (label, suffix, seq, qual))
    for fh, n in zip(outs, names):
        fh.close()
        os.replace(n + ".part", n)
    print("simulate_reads: %d %s from %d genomes -> %s" %
          (len(fragments), "pairs" if paired else "reads", len(genomes), ", ".join(names)), file=sys.stderr)


main()
PYTHON
