#!/usr/bin/env python3
"""A small seeded depression cohort for `make demo` (tests/demo.sh): read pairs simulated from
reference genomes, with a planted fold change in a few genera for the depressed samples.

usage: demo_cohort.py OUTDIR N_SAMPLES PAIRS SEED GENOME=FOLD...

GENOME is a FASTA (.gz or plain); FOLD multiplies its abundance in the
depressed samples (1 = no effect). Half the samples (odd numbers) are depressed. Each sample's
abundances are the genome's base weight times a log-normal factor (sigma 0.5, the
between-person spread of common gut genera is of that order on the log scale), times FOLD in
cases; pairs are drawn multinomially from them plus 3 % random sequence (unclassifiable).
Pairs: 150 bp reads from 300 +- 30 bp fragments of either strand, 0.1 % substitutions,
quality 'I'. Writes OUTDIR/reads/<id>_R{1,2}.fastq.gz, OUTDIR/samples.csv (gutbrain run's sheet)
and OUTDIR/metadata.tsv (sample, depression, age, sex). Same seed, same files.
"""
import gzip
import os
import random
import sys

READ_LEN, FRAG_MEAN, FRAG_SD, ERR = 150, 300, 30, 0.001
RANDOM_SHARE = 0.03
COMP = str.maketrans("ACGT", "TGCA")


def read_fasta(path):
    op = gzip.open if path.endswith(".gz") else open
    with op(path, "rt") as f:
        return "".join(l.strip() for l in f if not l.startswith(">")).upper()


def mutate(rng, read):
    # 0.1 % per base: at most one error per 150 bp read is a fine approximation (P(2+) < 1 %).
    if rng.random() >= ERR * len(read):
        return read
    i = rng.randrange(len(read))
    return read[:i] + rng.choice([b for b in "ACGT" if b != read[i]]) + read[i + 1:]


def pair(rng, genome):
    flen = max(READ_LEN, int(rng.gauss(FRAG_MEAN, FRAG_SD)))
    start = rng.randrange(len(genome) - flen)
    frag = genome[start:start + flen]
    if rng.random() < 0.5:
        frag = frag.translate(COMP)[::-1]
    return mutate(rng, frag[:READ_LEN]), mutate(rng, frag[-READ_LEN:].translate(COMP)[::-1])


def main():
    out, n_samples, pairs, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    specs = [a.rsplit("=", 1) for a in sys.argv[5:]]
    genomes = [read_fasta(path) for path, _ in specs]
    folds = [float(f) for _, f in specs]
    rng = random.Random(seed)
    base = [rng.uniform(0.5, 2.0) for _ in genomes]
    qual = "I" * READ_LEN
    os.makedirs(os.path.join(out, "reads"), exist_ok=True)
    sheet = ["sample,fastq_1,fastq_2"]
    meta = ["sample\tdepression\tage\tsex"]
    for s in range(1, n_samples + 1):
        sid = "S%02d" % s
        case = s % 2 == 1
        w = [b * rng.lognormvariate(0, 0.5) * (f if case else 1) for b, f in zip(base, folds)]
        total = sum(w)
        probs = [x / total * (1 - RANDOM_SHARE) for x in w]
        n = int(pairs * rng.uniform(0.8, 1.2))
        paths = [os.path.join(out, "reads", "%s_R%d.fastq.gz" % (sid, m)) for m in (1, 2)]
        with gzip.open(paths[0], "wt", compresslevel=1) as r1, \
                gzip.open(paths[1], "wt", compresslevel=1) as r2:
            for k in range(n):
                x, g = rng.random(), 0
                while g < len(probs) and x >= probs[g]:
                    x -= probs[g]
                    g += 1
                if g < len(probs):
                    a, b = pair(rng, genomes[g])
                else:
                    a = "".join(rng.choice("ACGT") for _ in range(READ_LEN))
                    b = "".join(rng.choice("ACGT") for _ in range(READ_LEN))
                r1.write("@%s_%d/1\n%s\n+\n%s\n" % (sid, k, a, qual))
                r2.write("@%s_%d/2\n%s\n+\n%s\n" % (sid, k, b, qual))
        sheet.append("%s,%s,%s" % (sid, os.path.abspath(paths[0]), os.path.abspath(paths[1])))
        meta.append("%s\t%s\t%d\t%s" % (sid, "depressed" if case else "control",
                                        rng.randint(20, 65), rng.choice("FM")))
    for name, lines in (("samples.csv", sheet), ("metadata.tsv", meta)):
        with open(os.path.join(out, name), "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
