# The README's two commands. Each does the whole set-up on a fresh Debian machine.
#   make test  - install missing packages, build, run the CTest suite, then the ThreadSanitizer,
#                ASan+UBSan and fuzz stages (see each target below)
#   make soak  - install missing packages, build vstress, run the default soak
#   make nightly - the checks too long for `make test` (CTest label nightly)
JOBS ?= $(shell nproc)
SOAK_ARGS ?=
# Seconds each fuzz target runs: 8 in `make test`, FUZZ_SECONDS (default 10 minutes) in `make fuzz`.
FUZZ_SECONDS ?= 600
# What the ASan+UBSan stage of `make test` builds: vstress (for the smoke runs) and the unit tests.
ASAN_TARGETS = vstress engine_unit_tests faults_unit_tests workloads_unit_tests \
  harness_unit_tests reports_unit_tests $(addprefix fuzz_replay_,$(FUZZ_TARGETS))
FUZZ_TARGETS = log_reader write_batch version_edit table fault_rule workload_toml run_files db_open

.PHONY: all deps configure build build-vstress test test-tsan test-asan test-asan-smoke \
  test-fuzz fuzz soak nightly bench format clean

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

# Each stage says how long it took (scripts/timed.sh); the list is printed again at the end.
test: deps
	@rm -f build/stage-times.txt
	@./scripts/timed.sh "release build" $(MAKE) --no-print-directory build
	@./scripts/timed.sh "release tests" ctest --preset release -j $(JOBS) -LE nightly --no-tests=error
	@./scripts/timed.sh "TSan build and tests" $(MAKE) --no-print-directory test-tsan
	@./scripts/timed.sh "ASan+UBSan build and tests" $(MAKE) --no-print-directory test-asan-smoke
	@./scripts/timed.sh "fuzz build and runs" $(MAKE) --no-print-directory test-fuzz
	@cat build/stage-times.txt

# ThreadSanitizer build of the concurrency tests only (label 'concurrency': the engine's and the
# oracle's).
test-tsan: deps
	cmake --preset tsan
	cmake --build --preset tsan -j $(JOBS) --target engine_concurrency_tests harness_unit_tests vstress
	ctest --preset tsan -L concurrency -j $(JOBS) --no-tests=error

# ASan+UBSan under harness load: every mutant and the correct engine through `vstress run`
# (label smoke) and the unit tests, fuzz corpora replays included. A use-after-free of a released
# Version may return plausible bytes that the checker alone would accept. The simulator's runs of
# the same mutants (smoke.sim.mutant.*) are left to the release stage: each bug is already caught
# here through `vstress run`, and the simulator runs under ASan in crash.cycles and the unit tests.
test-asan-smoke: deps
	cmake --preset asan
	cmake --build --preset asan -j $(JOBS) --target $(ASAN_TARGETS)
	ctest --preset asan -L 'unit|smoke' -E '^smoke[.]sim[.]mutant[.]' -j $(JOBS) --no-tests=error

# libFuzzer (clang) targets for every parser of untrusted bytes, 8 s each from their seed corpora
# and regression inputs (fuzz/).
test-fuzz: deps
	cmake --preset fuzz
	cmake --build --preset fuzz -j $(JOBS) --target fuzzers
	ctest --preset fuzz -L fuzz -j $(JOBS) --timeout 120 --no-tests=error

# The same targets for FUZZ_SECONDS each; a crash leaves its input in build/fuzz/fuzz/work/.
fuzz: deps
	cmake --preset fuzz
	cmake --build --preset fuzz -j $(JOBS) --target fuzzers
	VSTRESS_FUZZ_SECONDS=$(FUZZ_SECONDS) ctest --preset fuzz -L fuzz -j $(JOBS) \
	  --timeout $$(( $(FUZZ_SECONDS) + 120 )) --no-tests=error

# ASan+UBSan build of the whole suite.
test-asan: deps
	cmake --preset asan
	cmake --build --preset asan -j $(JOBS)
	ctest --preset asan -j $(JOBS) --no-tests=error

# STORE=leveldb or STORE=rocksdb soaks that engine instead of vstress's own (scripts/soak.sh).
STORE ?= vstress
soak: build-vstress
	STORE=$(STORE) ./scripts/soak.sh $(SOAK_ARGS)

# The checks too long for `make test` (label nightly): the 1,000-seed randomised simulation sweep,
# determinism over 20 seeds of every preset, every mutant measured over two seeds.
nightly: build
	ctest --preset release -j $(JOBS) -L nightly --no-tests=error

bench: build
	./build/release/bench/vstress_bench --benchmark_repetitions=5 \
	  --benchmark_report_aggregates_only=true

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf build
