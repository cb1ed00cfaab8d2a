# Sanitizer run-time options for the test harness (sourced by tests/run_unit.sh and
# tests/integration/lib.bash). They take effect only in a sanitized build (make asan=1);
# other binaries ignore these variables. Options already in the environment come last, so
# they win. The policy and each option are explained in docs/SANITIZERS.md.
_gb_sanitizer_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# fast_unwind_on_malloc=0: Debian's libraries have no frame pointers, so the fast unwinder
# stops at the first library frame and a leak inside Open MPI shows no library to match.
export ASAN_OPTIONS="fast_unwind_on_malloc=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$_gb_sanitizer_root/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
unset _gb_sanitizer_root
