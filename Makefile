# gutbrain — hand-written Makefile (STYLE.md 12).
#   make            libgutbrain.a, bin/gutbrain and the zstd HDF5 plugin
#   make plugin     build/plugins/libh5zstd.so (HDF5_PLUGIN_PATH=build/plugins for h5dump, h5py)
#   make asan=1     AddressSanitizer + UBSan build (separate object dir)
#   make debug=1    -O0 -g
#   make deps       install the Debian packages the project needs
#   make test       unit + integration tests (short tier)
#   make demo       build a demo DB and classify a demo sample
#   make bench      the long benchmarks (benchmarks/*.sh)
CC      := mpicc
HDF5_CFLAGS := $(shell pkg-config --cflags hdf5-openmpi 2>/dev/null)
HDF5_LIBS   := $(shell pkg-config --libs hdf5-openmpi 2>/dev/null)
WARN    := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
CFLAGS  ?= -O3 -march=x86-64-v2 -g
CFLAGS  += -std=gnu11 -fopenmp $(WARN) -Ikernels -Ipipeline $(HDF5_CFLAGS) $(RMATH_CFLAGS) -MMD -MP -D_GNU_SOURCE
RMATH_CFLAGS := $(shell pkg-config --cflags libRmath 2>/dev/null)
LDLIBS  := $(HDF5_LIBS) -lisal -lzstd -lxxhash -lz -lRmath -llapacke -lopenblas -lm
LDFLAGS += -fopenmp
BUILD   := build/release
ifeq ($(debug),1)
  CFLAGS := $(filter-out -O3,$(CFLAGS)) -O0
  BUILD  := build/debug
endif
ifeq ($(asan),1)
  CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
  LDFLAGS += -fsanitize=address,undefined
  BUILD   := build/asan
endif

# bin/gutbrain is relinked whenever the flavour (release/debug/asan) changes
FLAVOR := $(notdir $(BUILD))
$(shell mkdir -p build; [ "$$(cat build/.flavor 2>/dev/null)" = "$(FLAVOR)" ] || echo $(FLAVOR) > build/.flavor)

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

.PHONY: all deps test unit integration demo bench clean plugin
all: $(BIN) libgutbrain.a plugin

libgutbrain.a: $(LIB) build/.flavor
	cp $(LIB) $@

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(BUILD)/pipeline/main.o $(LIB) build/.flavor
	@mkdir -p bin
	$(CC) $(LDFLAGS) -o $@ $(BUILD)/pipeline/main.o $(LIB) $(LDLIBS)

plugin: $(PLUGIN)

# The same filter source as a dynamic HDF5 plugin: linked to neither libhdf5 nor MPI, and
# never sanitized, so serial HDF5 programs (h5dump, h5py, R's rhdf5) can load it too.
$(PLUGIN): pipeline/h5zstd.c
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -fsanitize=% -fno-sanitize-recover=% -fopenmp,$(CFLAGS)) -fPIC -shared \
	  -DH5ZSTD_PLUGIN -Wl,--as-needed -o $@ $< -lzstd

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS) -lcmocka

deps:
	@bash tests/deps.sh

unit: $(UNIT_BIN)
	@bash tests/run_unit.sh $(UNIT_BIN)

integration: $(BIN) $(TEST_TOOLS) $(PLUGIN)
	@bash tests/integration/run.sh

test: deps
	@$(MAKE) --no-print-directory all $(UNIT_BIN) $(TEST_TOOLS)
	@bash tests/run_all.sh $(UNIT_BIN)

demo: deps
	@$(MAKE) --no-print-directory all
	@bash tests/demo.sh

bench: deps all
	@bash benchmarks/vs_kraken2.sh

clean:
	rm -rf build bin libgutbrain.a

-include $(shell find build -name '*.d' 2>/dev/null)
