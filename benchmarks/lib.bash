# Shared by the benchmarks/*.sh scripts (sourced, never run): the Open MPI environment.
# bin/gutbrain links Open MPI, which refuses to run as root and looks for ssh without these;
# harmless elsewhere.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_plm_rsh_agent=false
