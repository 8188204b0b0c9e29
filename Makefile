# The two commands of the README, plus developer conveniences.
#   make run   — install missing packages, build Release, start on :4000 with config/config.yaml
#   make test  — install missing packages, build, run the unit + integration tests (ASan+UBSan
#                build), the e2e tests (optimised binary) and each fuzz target for 5 s; ends with
#                ctest's summary
#   make bench — install wrk + nginx, build Release, measure meshgate against nginx and a direct
#                call (docs/performance.md); `make bench QUICK=1` is a few-second smoke run
#   make fuzz  — build the libFuzzer targets (clang) and run each for FUZZ_SECONDS (default 600)
#                on its corpus (tests/fuzz/README.md)
#   make soak  — SOAK_SECONDS (default 600) of mixed load against the Release binary and a fake
#                upstream; prints error counts and the gateway's RSS (scripts/soak.sh)
JOBS ?= $(shell nproc)
# Let ccache reuse objects across checkouts in different folders (CI clones elsewhere).
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1
CMAKE_COMMON = -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
FUZZ_SECONDS ?= 600
export FUZZ_SECONDS

.PHONY: run test build deps test-deps bench fuzz soak clean format

deps:
	@scripts/install-deps.sh build

test-deps:
	@scripts/install-deps.sh test

build: deps
	cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DMESHGATE_TESTS=OFF $(CMAKE_COMMON) >/dev/null
	cmake --build build/release --target meshgate -j $(JOBS)

run: build
	scripts/run.sh

test: test-deps
	cmake -S . -B build/test -DCMAKE_BUILD_TYPE=Release -DMESHGATE_TESTS=ON -DMESHGATE_SANITIZED_TESTS=ON -DMESHGATE_FUZZ_SMOKE=ON $(CMAKE_COMMON) >/dev/null
	cmake --build build/test -j $(JOBS)
	cd build/test && ctest --output-on-failure --timeout 300 -j $(JOBS)

bench: build
	@scripts/install-deps.sh bench
	BENCH_QUICK=$(or $(QUICK),$(BENCH_QUICK),0) bench/run.sh

fuzz:
	@scripts/install-deps.sh fuzz
	cmake -S tests/fuzz -B build/fuzz -DCMAKE_CXX_COMPILER=clang++-14 >/dev/null
	cmake --build build/fuzz -j $(JOBS)
	scripts/fuzz.sh

soak: test-deps
	scripts/soak.sh

clean:
	rm -rf build
