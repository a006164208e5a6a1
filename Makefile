# fhnk - kinetic FitzHugh-Nagumo solver on PETSc.
# Follows PETSc conventions: honours PETSC_DIR / PETSC_ARCH; defaults to Debian's /usr/lib/petsc.
PETSC_DIR ?= /usr/lib/petsc
PETSC_ARCH ?=

BIN      := bin/fhnk
SRC      := $(wildcard src/*.c)
OBJ      := $(patsubst src/%.c,build/%.o,$(SRC))
DEP      := $(OBJ:.o=.d)
NP       ?= 2
T        ?=

ifneq ($(wildcard $(PETSC_DIR)/lib/petsc/conf/variables),)
include $(PETSC_DIR)/lib/petsc/conf/variables
endif

# The kernels are compute-heavy line sweeps: -O3, the host's vector units and fused multiply-adds
# (-std=c11 would otherwise turn contraction off). For a cluster whose
# compute nodes differ from the build node, set FHNK_ARCH (e.g. FHNK_ARCH=-march=x86-64-v3).
FHNK_ARCH ?= -march=native
# Extra compiler flags, appended last (e.g. make FHNK_EXTRA_CFLAGS=-Werror; tools/check-petsc-release uses that).
FHNK_EXTRA_CFLAGS ?=
CFLAGS_FHNK := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O3 -ffp-contract=fast -fopenmp-simd $(FHNK_ARCH) -g -Wall -Wextra -Wno-unused-parameter -Iinclude $(PETSC_CC_INCLUDES) \
               -DFHNK_GIT_VERSION=\"$(shell git describe --always --dirty 2>/dev/null || echo unknown)\" $(FHNK_EXTRA_CFLAGS)
CC_FHNK := $(if $(PCC),$(PCC),mpicc)

.PHONY: all run test bench clean deps help

all: $(BIN)

$(BIN): $(OBJ)
	@mkdir -p bin
	$(CC_FHNK) -o $@ $(OBJ) $(PETSC_WITH_EXTERNAL_LIB) -lm

build/%.o: src/%.c
	@mkdir -p build
	$(CC_FHNK) $(CFLAGS_FHNK) -MMD -MP -c $< -o $@

# the normal random numbers vectorize (glibc's vector log/sin/cos) only with -ffast-math: that
# file alone (src/rng.c; its numbers are the same on every rank and run of a build)
build/rng.o: CFLAGS_FHNK += -ffast-math

-include $(DEP)

deps:
	tools/install-deps

# 'make run': install what is missing, build, run the default scenario on $(NP) ranks.
run:
	tools/install-deps
	$(MAKE) all
	tools/run-default $(NP)

test: all
	tests/run-tests $(T)

bench: all
	tools/bench

clean:
	rm -rf build bin

help:
	@echo "make [all|run|test|bench|clean|deps]   NP=<ranks for run>  T=<test filter>"
