/* gutbrain: one binary, one command per subcommand. main() alone turns errors into exit codes. */
#include "gb_exit.h"
#include "cmd.h"
#include "fileio.h"
#include "gb_status.h"
#include "log.h"
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void usage(FILE *f)
{
    fprintf(f,
            "gutbrain %s: gut metagenome classification for HPC clusters\n\n"
            "Usage: gutbrain <command> [options]\n\n"
            "Commands:\n"
            "  build          reference FASTA + NCBI taxdump -> k-mer database\n"
            "  classify       reads (FASTQ/FASTA, plain/gz/zst) -> Kraken 2 per-read output and report\n"
            "  run            sample sheet -> every sample classified across MPI ranks -> BIOM 2.1 cohort\n"
            "  stats          cohort + metadata -> associations, diversity, PERMANOVA, ordination\n"
            "  bench          per-read outputs + truth -> classifiers scored side by side per rank\n"
            "  bracken        Kraken report + .kmer_distrib -> Bracken's re-estimated abundances\n"
            "  bracken-build  database + its library -> Bracken's database{L}mers.kmer_distrib\n"
            "  simulate       reference genomes -> truth-labelled cohort (reads, metadata, true profiles)\n\n"
            "Run 'gutbrain <command> --help' for a command's options.\n",
            GB_VERSION);
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? GB_EXIT_USAGE : 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("gutbrain %s\n", GB_VERSION);
        return 0;
    }
    /* Outputs carry cohort (health) data: keep the user's umask but never create anything
     * world-writable, whatever it is (docs/SECURITY.md). One call covers every file and folder
     * of every command, HDF5's and MPI's included. */
    mode_t mask = umask(0);
    umask(mask | S_IWOTH);
    fileio_remember_umask(); /* the mode temporaries get when published (pipeline/fileio.h) */
    /* past a file size limit (ulimit -f) writes fail with EFBIG and are reported like a full
     * disk, instead of the signal killing the process with its temporaries left behind */
    signal(SIGXFSZ, SIG_IGN);
    int rc;
    if (!strcmp(argv[1], "build")) rc = cmd_build(argc - 1, argv + 1);
    else if (!strcmp(argv[1], "classify")) rc = cmd_classify(argc - 1, argv + 1);
    else if (!strcmp(argv[1], "run")) rc = cmd_run(argc - 1, argv + 1);
    else if (!strcmp(argv[1], "stats")) rc = cmd_stats(argc - 1, argv + 1);
    else if (!strcmp(argv[1], "bench")) rc = cmd_bench(argc - 1, argv + 1);
    else if (!strcmp(argv[1], "bracken")) rc = cmd_bracken(argc - 1, argv + 1);
    else if (!strcmp(argv[1], "bracken-build")) rc = cmd_bracken_build(argc - 1, argv + 1);
    else if (!strcmp(argv[1], "simulate")) rc = cmd_simulate(argc - 1, argv + 1);
    else {
        gb_error("unknown command '%s' (see gutbrain --help)", argv[1]);
        return GB_EXIT_USAGE;
    }
    return gb_exit_code(rc);
}
