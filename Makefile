# The two commands of the README, plus developer conveniences.
#   make run   — install missing packages, build Release, start on :4000 with config/config.yaml
#   make test  — install missing packages, build, run unit + integration + e2e tests and the
#                ASan+UBSan build of unit + integration tests; ends with ctest's summary
JOBS ?= $(shell nproc)
CMAKE_COMMON = -DCMAKE_EXPORT_COMPILE_COMMANDS=ON

.PHONY: run test build deps test-deps clean format

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
	cmake -S . -B build/test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMESHGATE_TESTS=ON -DMESHGATE_SANITIZED_TESTS=ON $(CMAKE_COMMON) >/dev/null
	cmake --build build/test -j $(JOBS)
	cd build/test && ctest --output-on-failure --timeout 300 -j $(JOBS)

clean:
	rm -rf build
