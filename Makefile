# gutbrain — hand-written Makefile.
#   make            bin/gutbrain, libgutbrain.a and the zstd HDF5 plugin
#   make plugin     build/plugins/libh5zstd.so (HDF5_PLUGIN_PATH=build/plugins for h5dump, h5py)
#   make asan=1     AddressSanitizer + UBSan build (objects in build/asan); make test asan=1
#   make tsan       ThreadSanitizer (clang, libomp) over the OpenMP kernels and classify/run
#   make debug=1    -O0 -g (objects in build/debug)
#   make deps       install the Debian packages the project needs (tests/deps.sh)
#   make test       unit + integration tests (short tier); installs missing packages first
#   make demo       the whole chain on the demo data
#   make bench      the long benchmark (benchmarks/vs_kraken2.sh)
#   make format     clang-format every C file in place; make format-check: report only
#   make fuzz       build the libFuzzer harnesses (make fuzz_build) and run each for FUZZ_SECONDS
#                   (default 30), then replay tests/fuzz/regress (docs/FUZZING.md)
#
# Flags: CFLAGS, CPPFLAGS and LDFLAGS are the user's (`make CFLAGS="-O2 -g"` changes only the
# optimisation); what the build needs is added in GB_* variables that are always applied, in the
# way htslib keeps ALL_CPPFLAGS apart from CPPFLAGS.
#
# Layering is enforced here: kernels/ are compiled with the plain C compiler and -Ikernels only,
# so a kernel that includes a pipeline header, <mpi.h> or <hdf5.h> does not compile.
CC          := mpicc
KERNEL_CC   := cc
ifeq ($(fuzz),1)
  # the fuzz flavour (docs/FUZZING.md): clang for everything, mpicc's flags around it
  CFLAGS    ?= -O1 -g
  BUILD     := build/fuzz
  CC        := OMPI_CC=clang mpicc
  KERNEL_CC := clang
  GB_SANITIZE := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
  # clang ignores `#pragma GCC optimize` (kernels/diversity.c), which only matters for exact
  # floating-point agreement, not for the parsers fuzzed here
  GB_FUZZ_WARN := -Wno-unknown-pragmas
else ifeq ($(debug),1)
  CFLAGS    ?= -O0 -g
  BUILD     := build/debug
else
  CFLAGS    ?= -O3 -march=x86-64-v2 -g
  BUILD     := build/release
endif
ifeq ($(asan),1)
  GB_SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
  BUILD       := build/asan
endif
# ThreadSanitizer with clang and LLVM's libomp: GCC's libgomp is not instrumented, so TSan
# cannot see its barriers and reports every parallel region; libomp with its Archer tool
# (OMP_TOOL_LIBRARIES, tests/tsan.sh) tells TSan about them (docs/SANITIZERS.md).
ifeq ($(tsan),1)
  CC          := env OMPI_CC=clang mpicc
  KERNEL_CC   := clang
  # clang ignores `#pragma GCC optimize`: -ffp-contract=off says for every file what that
  # pragma says for some (no FMA contraction), so results match the gcc builds'.
  GB_SANITIZE := -fsanitize=thread -fno-omit-frame-pointer -ffp-contract=off -Wno-unknown-pragmas
  BUILD       := build/tsan
endif

HDF5_CFLAGS  := $(shell pkg-config --cflags hdf5-openmpi 2>/dev/null)
HDF5_LIBS    := $(shell pkg-config --libs hdf5-openmpi 2>/dev/null)
RMATH_CFLAGS := $(shell pkg-config --cflags libRmath 2>/dev/null)

GB_WARN          := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter $(GB_FUZZ_WARN)
GB_CFLAGS        := -std=gnu11 -fopenmp $(GB_WARN) $(GB_SANITIZE)
GB_DEPFLAGS      := -MMD -MP
GB_KERNEL_CPPFLAGS   := -D_GNU_SOURCE -Ikernels $(RMATH_CFLAGS)
GB_PIPELINE_CPPFLAGS := -D_GNU_SOURCE -Ikernels -Ipipeline $(HDF5_CFLAGS) $(RMATH_CFLAGS)
GB_LDFLAGS       := -fopenmp $(GB_SANITIZE)
# OpenBLAS: its OpenMP build when installed (Debian libopenblas0-openmp, tests/deps.sh). The
# default pthread build starts a pool of BLAS threads as the library loads, and they spin
# (sched_yield) for their first ~0.1 s of CPU in every gutbrain process: on a 2-core node, time
# taken from classification, which never calls BLAS (docs/HACKING.md, "BLAS"). The OpenMP build
# runs on the process's own OpenMP threads, only inside BLAS calls. The sonames LAPACKE loads
# (liblapack.so.3, libblas.so.3) are linked from the same directory, so the loader takes them
# from there (runpath) before the system's alternatives; without that directory, -lopenblas.
BLAS_OMP_DIR := $(firstword $(wildcard /usr/lib/*/openblas-openmp))
ifneq ($(BLAS_OMP_DIR),)
  BLAS_LIBS := -llapacke -L$(BLAS_OMP_DIR) -Wl,-rpath,$(BLAS_OMP_DIR) \
               -Wl,--push-state,--no-as-needed -l:libopenblas.so.0 -l:liblapack.so.3 -l:libblas.so.3 -Wl,--pop-state
else
  BLAS_LIBS := -llapacke -lopenblas
endif
LDLIBS           := $(HDF5_LIBS) -lisal -lzstd -lxxhash -lz -lRmath $(BLAS_LIBS) -lm

KERNEL_COMPILE   = $(KERNEL_CC) $(GB_KERNEL_CPPFLAGS) $(CPPFLAGS) $(GB_CFLAGS) $(CFLAGS) $(GB_DEPFLAGS)
PIPELINE_COMPILE = $(CC) $(GB_PIPELINE_CPPFLAGS) $(CPPFLAGS) $(GB_CFLAGS) $(CFLAGS) $(GB_DEPFLAGS)
LINK             = $(CC) $(GB_CFLAGS) $(CFLAGS) $(GB_LDFLAGS) $(LDFLAGS)

KERNEL_SRC   := $(wildcard kernels/*.c)
PIPELINE_SRC := $(filter-out pipeline/main.c,$(wildcard pipeline/*.c))
LIB_OBJ      := $(patsubst %.c,$(BUILD)/%.o,$(KERNEL_SRC) $(PIPELINE_SRC))
LIB          := $(BUILD)/libgutbrain.a
BIN          := bin/gutbrain
UNIT_SRC     := $(wildcard tests/unit/test_*.c)
UNIT_BIN     := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
# helper programs the integration tests run (not unit tests themselves)
TEST_TOOLS   := $(BUILD)/tests/cohort_mpi_driver
PLUGIN       := build/plugins/libh5zstd.so
FUZZ_SRC     := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN     := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
FUZZ_SECONDS ?= 30
C_FILES      := $(wildcard kernels/*.[ch] pipeline/*.[ch] tests/unit/*.[ch] tests/fuzz/*.[ch] benchmarks/*.c)

.PHONY: all deps test unit integration demo bench clean plugin format format-check fuzz fuzz_build tsan FORCE
all: $(BIN) libgutbrain.a plugin

$(BUILD)/kernels/%.o: kernels/%.c
	@mkdir -p $(dir $@)
	$(KERNEL_COMPILE) -c $< -o $@

$(BUILD)/pipeline/%.o: pipeline/%.c
	@mkdir -p $(dir $@)
	$(PIPELINE_COMPILE) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/gutbrain: $(BUILD)/pipeline/main.o $(LIB)
	$(LINK) -o $@ $^ $(LDLIBS)

# bin/gutbrain and libgutbrain.a are copies of the current flavour's (release/debug/asan):
# checked on every make, copied only when they differ, so switching flavour relinks nothing.
$(BIN): $(BUILD)/gutbrain FORCE
	@mkdir -p $(dir $@)
	@cmp -s $< $@ || { cp $< $@.tmp && mv $@.tmp $@ && echo "$@ <- $<"; }

libgutbrain.a: $(LIB) FORCE
	@cmp -s $< $@ || { cp $< $@.tmp && mv $@.tmp $@ && echo "$@ <- $<"; }

plugin: $(PLUGIN)

# The same filter source as a dynamic HDF5 plugin: linked to neither libhdf5 nor MPI, and
# never sanitized, so serial HDF5 programs (h5dump, h5py, R's rhdf5) can load it too.
# Only the two H5PL entry points are exported (-fvisibility=hidden).
$(PLUGIN): pipeline/h5zstd.c kernels/gb_array.c
	@mkdir -p $(dir $@)
	$(KERNEL_CC) $(GB_PIPELINE_CPPFLAGS) $(CPPFLAGS) -std=gnu11 $(GB_WARN) $(CFLAGS) -fPIC -shared -fvisibility=hidden \
	  -DH5ZSTD_PLUGIN -Wl,--as-needed -o $@ $^ -lzstd

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(PIPELINE_COMPILE) -o $@ $< $(LIB) $(GB_LDFLAGS) $(LDFLAGS) $(LDLIBS) -lcmocka

deps:
	@bash tests/deps.sh

# libFuzzer harnesses: the library rebuilt by clang with sanitizers into build/fuzz (fuzz=1),
# each harness linked against it with -fsanitize=fuzzer.
fuzz_build:
	@$(MAKE) --no-print-directory fuzz=1 fuzz_harnesses

fuzz_harnesses: $(FUZZ_BIN)

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_util.h $(LIB)
	$(PIPELINE_COMPILE) -fsanitize=fuzzer -Itests/fuzz -o $@ $< $(LIB) $(GB_LDFLAGS) $(LDFLAGS) $(LDLIBS)

fuzz: fuzz_build
	@bash tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

unit: $(UNIT_BIN)
	@bash tests/run_unit.sh $(UNIT_BIN)

integration: $(BIN) $(TEST_TOOLS) $(PLUGIN)
	@bash tests/integration/run.sh

# `make test` and `make demo` must work on a fresh machine (README), so they first run
# tests/deps.sh, which installs only what is missing (as root, or through sudo) and does
# nothing, without touching apt, when every package is present.
test:
	@bash tests/deps.sh
	@$(MAKE) --no-print-directory all $(UNIT_BIN) $(TEST_TOOLS)
	@bash tests/run_all.sh $(UNIT_BIN)

# The unit tests of the OpenMP kernels and of classification, then tests/tsan.sh (classify and
# run of a small cohort), all built with tsan=1 in build/tsan; bin/gutbrain is left alone.
TSAN_UNITS := test_diversity test_pcoa test_permanova test_rowblk test_classify test_kmer_sort test_db
tsan:
	@command -v clang > /dev/null || { echo "make tsan needs clang and libomp-dev (Debian: apt-get install clang libomp-dev)" >&2; exit 1; }
	@$(MAKE) --no-print-directory tsan=1 build/tsan/gutbrain $(addprefix build/tsan/tests/,$(TSAN_UNITS))
	@bash tests/tsan.sh build/tsan/gutbrain $(addprefix build/tsan/tests/,$(TSAN_UNITS))

demo:
	@bash tests/deps.sh
	@$(MAKE) --no-print-directory all
	@bash tests/demo.sh

bench: all
	@bash tests/deps.sh
	@bash benchmarks/vs_kraken2.sh

format:
	clang-format -i $(C_FILES)

format-check:
	@clang-format --dry-run --Werror $(C_FILES) && echo "format-check: $(words $(C_FILES)) files clean"

clean:
	rm -rf build bin libgutbrain.a

# header dependencies of the current flavour only
-include $(wildcard $(BUILD)/kernels/*.d $(BUILD)/pipeline/*.d $(BUILD)/tests/*.d)
