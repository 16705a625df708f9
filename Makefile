# The README's two commands. Each does the whole set-up on a fresh Debian machine.
#   make test  - install missing packages, build, run the CTest suite and the TSan concurrency tests
#   make soak  - install missing packages, build, run the default soak
JOBS ?= $(shell nproc)
SOAK_ARGS ?=

.PHONY: all deps configure build build-vstress test test-tsan test-asan soak bench format clean

all: build

deps:
	@./scripts/install-deps.sh

configure: deps
	cmake --preset release

build: configure
	cmake --build --preset release -j $(JOBS)

# Only the vstress binary: what `make soak` needs, so the soak starts without building every test.
build-vstress: configure
	cmake --build --preset release -j $(JOBS) --target vstress

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

soak: build-vstress
	./scripts/soak.sh $(SOAK_ARGS)

bench: build
	./build/release/bench/vstress_bench --benchmark_repetitions=5 \
	  --benchmark_report_aggregates_only=true

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf build
