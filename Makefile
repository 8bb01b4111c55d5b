# Thin wrapper over CMake: the README's quick start is `make run` and `make test`.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all build run test sanitize fuzz clean deps-build deps-run deps-test

all: build

deps-build:
	@tools/install-deps build
deps-run:
	@tools/install-deps run
deps-test:
	@tools/install-deps test

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: deps-build $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# Serve the bundled lab on 127.0.0.1:5300 (Ctrl-C stops it).
run: deps-run $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS) --target glued
	$(BUILD)/glued $(ARGS)

# Build everything and run every test: unit, golden, fuzz replay, integration.
test: deps-test $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Unit and golden tests again under ASan+UBSan.
sanitize: deps-test
	cmake -S . -B $(BUILD)-asan -DCMAKE_BUILD_TYPE=Debug -DGLUED_SANITIZE=ON -DGLUED_WERROR=ON
	cmake --build $(BUILD)-asan -j $(JOBS)
	cd $(BUILD)-asan && ctest --output-on-failure -j $(JOBS) -L 'unit|golden|fuzz'

# The glue lab with a real resolver: the bundled hierarchy (zones/lab.yaml) on
# port 53 in a private network namespace, Unbound through every scenario, and
# a table of what came back (docs/glue-lab.md). As root, or as a user where
# unprivileged user namespaces work. ARGS=--shell opens a shell in the lab;
# ARGS='--resolver knot' or '--resolver bind' uses Knot Resolver or BIND.
.PHONY: lab
lab: $(BUILD)/CMakeCache.txt
	@tools/install-deps lab $(if $(findstring knot,$(ARGS)),knot) $(if $(findstring bind,$(ARGS)),bind)
	cmake --build $(BUILD) -j $(JOBS) --target glued
	tools/lab --glued $(BUILD)/glued $(ARGS)

clean:
	rm -rf $(BUILD) $(BUILD)-asan
