# The two entry points of the README: `make demo` runs the main job, `make test` runs every test.
# Both install what they need first (scripts/bootstrap is idempotent).
JOBS ?= 2
CMAKE_GEN := -G Ninja

.PHONY: demo test bootstrap build test-release test-e2e test-py test-js test-asan test-tsan test-bindings-sanitizers bench clean

bootstrap:
	@scripts/bootstrap

build: bootstrap
	cmake -S . -B build/release $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release -DZCACHE_BUILD_BENCH=ON >/dev/null
	cmake --build build/release -j$(JOBS)

# A local cluster (brain + three workers) and both SDKs working against it; Ctrl-C stops it.
# `make demo DEMO_ARGS=--once` exits after the walkthrough.
demo: build
	npm install --no-audit --no-fund
	scripts/py-install
	scripts/demo $(DEMO_ARGS)

test: bootstrap test-release test-py test-js test-e2e test-asan test-tsan test-bindings-sanitizers
	@echo "all test suites passed"

test-release: build
	ctest --test-dir build/release --output-on-failure -j$(JOBS)

# A real brain and three workers (the zcache executable) on loopback, driven by pytest.
test-e2e: build
	scripts/py-install
	.venv/bin/python -m pytest tests/e2e

# The Python package, built into .venv from this tree, and its pytest suite.
test-py: bootstrap
	scripts/py-test

# The Node package: `npm install` builds the addon from this tree (cmake-js), then Jest (the
# client's tests start the zcache executable that `build` makes).
test-js: build
	npm install --no-audit --no-fund
	npm test

# The core tests again under AddressSanitizer+UBSan and under ThreadSanitizer.
test-asan: bootstrap
	cmake -S . -B build/asan $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DZCACHE_SANITIZE=address >/dev/null
	cmake --build build/asan -j$(JOBS)
	ctest --test-dir build/asan --output-on-failure -j$(JOBS)

test-tsan: bootstrap
	cmake -S . -B build/tsan $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DZCACHE_SANITIZE=thread >/dev/null
	cmake --build build/tsan -j$(JOBS)
	TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" scripts/no-aslr ctest --test-dir build/tsan --output-on-failure -j$(JOBS)

# Jest and pytest again against ASan+UBSan builds of both bindings, and pytest under TSan.
test-bindings-sanitizers: build
	npm install --no-audit --no-fund
	scripts/py-install
	JOBS=$(JOBS) scripts/bindings-sanitizers

bench: bootstrap
	bench/run all

clean:
	rm -rf build
