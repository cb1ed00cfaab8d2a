/* Command entry points: parse, validate, call, report. Each returns 0 or a GB_E_* code;
 * only main() turns that into an exit code. */
#ifndef GB_CMD_H
#define GB_CMD_H

#include "version.h"

int cmd_bench(int argc, char **argv);
int cmd_bracken(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_classify(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_stats(int argc, char **argv); /* MPI: initialises and finalises MPI itself */
int cmd_simulate(int argc, char **argv);

int cmd_bracken_build(int argc, char **argv);

#endif
