# ClassroomRelay. Two commands: `make run` and `make test` (see README.md).
SWIFT ?= swift
CONFIG ?= configs/relayd.yaml

.PHONY: bootstrap build release run demo test format format-check bench bench-check fuzz soak clean

bootstrap:
	@bash scripts/bootstrap.sh

build: bootstrap
	$(SWIFT) build

release: bootstrap
	$(SWIFT) build -c release --product relayd

## Builds release and starts relayd on the embedded defaults (SQLite under ./var/).
run: release
	./.build/release/relayd --config $(CONFIG)

## A demo timetable and a live test lesson on a running relayd (release classctl, as make run built relayd).
demo: bootstrap
	$(SWIFT) build -c release --product classctl
	./.build/release/classctl demo

## Installs what is missing, checks the formatting, builds, runs the whole test suite.
test: bootstrap format-check
	$(SWIFT) build --build-tests
	@# Line-buffered, so a log cut short (a time-out) still shows the test that was running.
	stdbuf -oL -eL $(SWIFT) test --skip-build --no-parallel

## swift-format (the toolchain's) with .swift-format: `make format` rewrites, `make format-check` fails on any difference.
FORMATTED = Sources Tests Benchmarks Package.swift
format:
	$(SWIFT) format format -i -r --parallel $(FORMATTED)
format-check:
	$(SWIFT) format lint --strict -r --parallel $(FORMATTED)

## Benchmarks (package-benchmark, separate package under Benchmarks/).
bench: bootstrap
	cd Benchmarks && $(SWIFT) package --disable-sandbox benchmark
	$(MAKE) bench-check

## Fails when a benchmark's p90 malloc count rose above Benchmarks/Thresholds (a fresh run).
## CI runs it after `make test` (.ci/run): about 5 minutes on a fresh clone, 1 once built.
bench-check: bootstrap
	SWIFT=$(SWIFT) bash Benchmarks/bench-check.sh

## libFuzzer targets (separate package Tests/Fuzz), FUZZ_SECONDS (default 60) each.
FUZZ_SECONDS ?= 60
fuzz: bootstrap
	FUZZ_SECONDS=$(FUZZ_SECONDS) SWIFT=$(SWIFT) bash scripts/fuzz.sh

## Soak: 200 players, a reconnecting publisher, API writes; SOAK_MINUTES (default 10).
SOAK_MINUTES ?= 10
soak: bootstrap
	SOAK_MINUTES=$(SOAK_MINUTES) bash Benchmarks/soak.sh

clean:
	rm -rf .build Benchmarks/.build Tests/Fuzz/.build
