# Berth: `make demo` builds everything and runs a container; `make test` runs all tests.
SHELL := /bin/bash
TOOLCHAIN := $(CURDIR)/.toolchain/bin
export PATH := $(TOOLCHAIN):$(PATH)

.PHONY: all build system-deps toolchain deps demo test bench install clean rootfs

all: build

system-deps:
	@bash scripts/install-system-deps.sh

toolchain: system-deps
	@bash scripts/toolchain.sh >/dev/null

deps: toolchain
	@pnpm install --frozen-lockfile --reporter=silent

build: deps
	@pnpm -r --workspace-concurrency=1 run build
	@bash scripts/make-launchers.sh

# A busybox root filesystem built from Debian's busybox-static, used by the demo,
# the tests and the benchmarks (no image can be downloaded here).
rootfs:
	@bash scripts/make-busybox-rootfs.sh images/busybox/rootfs

demo: build rootfs
	@bash scripts/demo.sh

test: build rootfs
	@./node_modules/.bin/tsc -p test
	@bash scripts/test.sh

bench: build rootfs
	@bash bench/runtime/run.sh
	@bash bench/shim/run.sh
	@bash bench/containerd/run.sh
	@bash bench/dockerd/run.sh

install: build
	@for b in bin/*; do ln -sf "$(CURDIR)/$$b" /usr/local/bin/$$(basename $$b); done

clean:
	rm -rf node_modules packages/*/node_modules packages/*/dist packages/*/native/build images test-results
