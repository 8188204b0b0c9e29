# The two commands of the README, plus developer conveniences.
#   make run   — install missing packages, build Release, start on :4000 with config/config.yaml
#   make test  — install missing packages, build, run the unit + integration tests (ASan+UBSan
#                build) and the e2e tests (optimised binary); ends with ctest's summary
#   make soak  — SOAK_SECONDS (default 600) of mixed load against the Release binary and a fake
#                upstream; prints error counts and the gateway's RSS (scripts/soak.sh)
JOBS ?= $(shell nproc)
# Let ccache reuse objects across checkouts in different folders (CI clones elsewhere).
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1
CMAKE_COMMON = -DCMAKE_EXPORT_COMPILE_COMMANDS=ON

.PHONY: run test build soak deps test-deps clean format

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
	cmake -S . -B build/test -DCMAKE_BUILD_TYPE=Release -DMESHGATE_TESTS=ON -DMESHGATE_SANITIZED_TESTS=ON $(CMAKE_COMMON) >/dev/null
	cmake --build build/test -j $(JOBS)
	cd build/test && ctest --output-on-failure --timeout 300 -j $(JOBS)

soak: test-deps
	scripts/soak.sh

clean:
	rm -rf build
