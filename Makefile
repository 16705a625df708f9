# The README's two commands. Each does the whole set-up on a fresh Debian machine.
#   make test  - install missing packages, build, run the CTest suite and the TSan concurrency tests
#   make soak  - install missing packages, build, run the default soak
JOBS ?= $(shell nproc)
SOAK_ARGS ?=

.PHONY: all deps build test test-tsan test-asan soak bench format clean

all: build

deps:
	@./scripts/install-deps.sh

build: deps
	cmake --preset release
	cmake --build --preset release -j $(JOBS)

test: build
	ctest --preset release -j $(JOBS) --no-tests=error
	$(MAKE) test-tsan

# ThreadSanitizer build of the concurrency tests only (label 'concurrency': the engine's and the
# oracle's).
test-tsan: deps
	cmake --preset tsan
	cmake --build --preset tsan -j $(JOBS) --target engine_concurrency_tests harness_unit_tests
	ctest --preset tsan -L concurrency -j $(JOBS) --no-tests=error

# ASan+UBSan build of the whole suite.
test-asan: deps
	cmake --preset asan
	cmake --build --preset asan -j $(JOBS)
	ctest --preset asan -j $(JOBS) --no-tests=error

soak: build
	./scripts/soak.sh $(SOAK_ARGS)

bench: build
	./build/release/bench/vstress_bench --benchmark_repetitions=5 \
	  --benchmark_report_aggregates_only=true

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf build
