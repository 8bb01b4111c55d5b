# Thin wrapper over CMake: the README's quick start is `make run` and `make test`.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all build run test sanitize fuzz clean deps-build deps-run deps-test deps-deb

all: build

deps-build:
	@tools/install-deps build
deps-run:
	@tools/install-deps run
deps-test:
	@tools/install-deps test
deps-deb:
	@tools/install-deps deb

# Configure $(BUILD) the first time, and afresh whenever CMAKE_FLAGS differ
# from the ones it was configured with (a flag left out is then gone too).
.PHONY: configure
configure:
	@mkdir -p $(BUILD)
	@if [ ! -f $(BUILD)/CMakeCache.txt ] || \
	    [ "$$(cat $(BUILD)/.cmake-flags 2>/dev/null)" != '$(CMAKE_FLAGS)' ]; then \
		rm -f $(BUILD)/CMakeCache.txt; \
		echo "cmake -S . -B $(BUILD) $(CMAKE_FLAGS)"; \
		cmake -S . -B $(BUILD) $(CMAKE_FLAGS) && printf '%s' '$(CMAKE_FLAGS)' >$(BUILD)/.cmake-flags; \
	fi

build: deps-build configure
	cmake --build $(BUILD) -j $(JOBS)

# Serve the bundled lab on 127.0.0.1:5300 (Ctrl-C stops it).
run: deps-run configure
	cmake --build $(BUILD) -j $(JOBS) --target glued
	$(BUILD)/glued $(ARGS)

# Build everything and run every test: unit, golden, fuzz replay, integration.
test: deps-test configure
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Unit and golden tests again under ASan+UBSan.
sanitize: deps-test
	cmake -S . -B $(BUILD)-asan -DCMAKE_BUILD_TYPE=Debug -DGLUED_SANITIZE=ON -DGLUED_WERROR=ON
	cmake --build $(BUILD)-asan -j $(JOBS)
	cd $(BUILD)-asan && ctest --output-on-failure -j $(JOBS) -L 'unit|golden|fuzz'

# libFuzzer under ASan+UBSan (clang): run each target for FUZZ_TIME seconds
# into a scratch corpus, then merge what it found into tests/fuzz/corpus/.
# `make -j2 fuzz` runs the targets side by side. A finding stops make; the
# crashing input is in $(FUZZ_BUILD)/artifacts/.
FUZZ_TIME ?= 60
FUZZ_BUILD ?= build-fuzz
FUZZ_TARGETS = $(basename $(notdir $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_RUNS = $(addprefix fuzz-run-,$(FUZZ_TARGETS))

.PHONY: fuzz-build $(FUZZ_RUNS)

fuzz: $(FUZZ_RUNS)

fuzz-build: deps-test
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DGLUED_FUZZ=ON \
		-DGLUED_SANITIZE=ON -DGLUED_TESTS=OFF
	cmake --build $(FUZZ_BUILD) -j $(JOBS)

$(FUZZ_RUNS): fuzz-run-%: fuzz-build
	rm -rf $(FUZZ_BUILD)/scratch/$*
	mkdir -p $(FUZZ_BUILD)/scratch/$* $(FUZZ_BUILD)/artifacts
	$(FUZZ_BUILD)/$* -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
		-artifact_prefix=$(FUZZ_BUILD)/artifacts/$*- \
		$(FUZZ_BUILD)/scratch/$* tests/fuzz/corpus/$*
	$(FUZZ_BUILD)/$* -merge=1 -artifact_prefix=$(FUZZ_BUILD)/artifacts/$*- \
		tests/fuzz/corpus/$* $(FUZZ_BUILD)/scratch/$*

# The glue lab with real resolvers: the bundled hierarchy (zones/lab.yaml,
# signed) on port 53 in a private network namespace; Unbound, Knot Resolver
# and BIND, validating with the lab root's trust anchor, through every
# scenario, and a table of what came back (docs/glue-lab.md). As root, or as
# a user where unprivileged user namespaces work. ARGS=--shell opens a shell
# in the lab (with Unbound); ARGS='--resolver knot' runs one resolver only.
LAB_ALL = $(if $(findstring --resolver,$(ARGS))$(findstring --shell,$(ARGS))$(findstring --exec,$(ARGS)),,yes)
.PHONY: lab
lab: configure
	@tools/install-deps lab $(if $(LAB_ALL),knot bind,$(if $(findstring knot,$(ARGS)),knot) $(if $(findstring bind,$(ARGS)),bind))
	cmake --build $(BUILD) -j $(JOBS) --target glued
	tools/lab --glued $(BUILD)/glued $(if $(LAB_ALL),--resolver unbound --resolver knot --resolver bind) $(ARGS)

clean:
	rm -rf $(BUILD) $(BUILD)-asan $(BUILD)-rel

# Install glued (sbin), gluecheck and gluectl (bin), the manual pages, the
# lab (share/glued/lab), the documentation (share/doc/glued),
# etc/glued/glued.yaml and glued.service under PREFIX, in DESTDIR if set.
# $(BUILD) is configured for PREFIX first: glued looks for its lab there.
# The list of installed files is kept ($(BUILD)/installed-files.txt) for
# `make uninstall`, which removes them all but the configuration.
PREFIX ?= /usr/local
DESTDIR ?=
.PHONY: install uninstall deb
install: deps-build configure
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	cmake --build $(BUILD) -j $(JOBS) --target glued gluecheck gluectl
	DESTDIR='$(DESTDIR)' cmake --install $(BUILD)
	sed 's|^|$(DESTDIR)|' $(BUILD)/install_manifest.txt >$(BUILD)/installed-files.txt

# installed-files.txt names the files with DESTDIR: no DESTDIR here.
uninstall:
	DESTDIR= cmake -DMANIFEST=$(BUILD)/installed-files.txt -P dist/uninstall.cmake

# The Debian package, built from this tree in $(BUILD)/deb (dist/build-deb:
# dpkg-buildpackage on a copy, then lintian): $(BUILD)/deb/glued_*.deb.
deb: deps-deb
	dist/build-deb $(BUILD)/deb

# glued vs NSD vs Knot vs a UDP echo ceiling on this machine (bench/run, about
# 12 minutes; installs nsd and knot first when run as root), on a Release
# build of its own (-O3, as measured in docs/performance.md). The tables go to
# $(BUILD)/bench/results.md; BENCH_ARGS passes options (bench/run --help).
.PHONY: bench
bench: deps-build
	cmake -S . -B $(BUILD)-rel -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)
	cmake --build $(BUILD)-rel -j $(JOBS) --target glued bench_engine
	bench/run --glued $(BUILD)-rel/glued --work $(BUILD)/bench $(BENCH_ARGS)
