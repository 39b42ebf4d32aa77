# Argus: `make demo` runs the main job on the embedded default, `make test`
# passes the tests. Both install the Debian packages they need first.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
BUILD ?= build
TEST_BUILD ?= build-test
VTEST := /usr/share/doc/opencv-doc/examples/data/vtest.avi

# Build and run-time dependencies (DESIGN.md names them).
PACKAGES := build-essential cmake ninja-build pkg-config git time python3 \
  libopencv-dev opencv-doc libavformat-dev libavcodec-dev libswscale-dev libavutil-dev \
  libyaml-cpp-dev nlohmann-json3-dev libspdlog-dev libcli11-dev libsqlite3-dev \
  libcpp-httplib-dev libeigen3-dev libgtest-dev libgmock-dev libbenchmark-dev \
  libmosquitto-dev libsodium-dev libpq-dev libsystemd-dev libssl-dev
# Test peers: a real MQTT broker, a real RTSP server (GStreamer) and its codecs,
# PostgreSQL, and a headless Chromium driven from node for the dashboard.
TEST_PACKAGES := mosquitto postgresql openssl chromium fonts-dejavu-core nodejs libgstrtspserver-1.0-dev libgstreamer1.0-dev gstreamer1.0-plugins-base \
  gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly gstreamer1.0-plugins-bad gstreamer1.0-libav

# `make fuzz`: libFuzzer comes with clang (Debian's clang and libclang-rt-dev).
FUZZ_PACKAGES := clang libclang-rt-dev

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

install-npm:
	$(call install_missing,npm)

.PHONY: install-npm setup setup-test build test demo bench soak fuzz format tidy clean deb test-deb

# Installs only what is missing, so a second run is fast and offline.
define install_missing
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

setup:
	$(call install_missing,$(PACKAGES))

setup-test: setup
	$(call install_missing,$(TEST_PACKAGES))
	@# Debian ships npm apart from nodejs; other nodejs builds (NodeSource) bundle it
	@# and conflict with Debian's npm package.
	@command -v npm >/dev/null || $(MAKE) --no-print-directory install-npm
	@# playwright-core (pinned by tests/e2e/package-lock.json) drives Debian's chromium.
	@[ -d tests/e2e/node_modules/playwright-core ] || \
	  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)

build: setup
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DARGUS_BUILD_TESTS=OFF
	cmake --build $(BUILD) -j $(JOBS)

# Unit and integration tests run on an optimised build with AddressSanitizer
# and UBSan, warnings as errors. -O1 and line tables only (-g1) are what ASan's
# own documentation recommends, and they compile in about half the time of
# -O2 -g (measured per file: kalman_filter.cc 54.6 s -> 18.1 s, calibration.cc
# 78.5 s -> 37.1 s of CPU); stack traces keep file and line.
TEST_OPT_FLAGS := -O1 -g1 -DNDEBUG
test: setup-test
	cmake -S . -B $(TEST_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$(TEST_OPT_FLAGS)" \
	  -DARGUS_SANITIZE=ON -DARGUS_WERROR=ON -DARGUS_BUILD_BENCH=OFF
	cmake --build $(TEST_BUILD) -j $(JOBS)
	cd $(TEST_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS) --timeout 600

# The Debian package: $(DEB_BUILD)/argus_<version>_<arch>.deb (CPack, cmake/Install.cmake),
# from a Release build of the binary alone (its own directory: `build` keeps the benchmarks).
# Debian's hardening flags (fortify, stack protector, relro, bind now), without -g -O2.
DEB_BUILD ?= build-deb
DEB_FILE = argus_$$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' $(DEB_BUILD)/CMakeCache.txt)_$$(dpkg --print-architecture).deb
DEB_FLAGS = DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get
# What test-deb uses beyond the build: systemd-analyze and lintian.
DEB_TEST_PACKAGES := systemd lintian
deb: setup
	cmake -S . -B $(DEB_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DARGUS_BUILD_TESTS=OFF \
	  -DARGUS_BUILD_BENCH=OFF -DCMAKE_INSTALL_PREFIX=/usr \
	  -DCMAKE_CXX_FLAGS="$$($(DEB_FLAGS) CPPFLAGS) $$($(DEB_FLAGS) CXXFLAGS | sed 's/-g -O2 //')" \
	  -DCMAKE_EXE_LINKER_FLAGS="$$($(DEB_FLAGS) LDFLAGS)"
	cmake --build $(DEB_BUILD) -j $(JOBS)
	cd $(DEB_BUILD) && cpack -G DEB
	@ls -l $(DEB_BUILD)/$(DEB_FILE)

# Installs that package into this machine's real system paths (root), runs it,
# removes and purges it: packaging/test-deb.sh. CI runs it after `make test`.
test-deb: deb
	$(call install_missing,$(DEB_TEST_PACKAGES))
	$(SUDO) bash packaging/test-deb.sh $(DEB_BUILD)/$(DEB_FILE)

demo: build
	@mkdir -p out/demo
	$(BUILD)/bin/argus analyze $(VTEST) --config config/demo.yaml \
	  --tracks out/demo/tracks.txt --events out/demo/events.jsonl --annotate out/demo/annotated.mp4

# The Python benchmarks read and write video (bench/object_clips.py, node_scale.py's idle run).
BENCH_PACKAGES := python3-opencv
bench: setup-test build
	$(call install_missing,$(BENCH_PACKAGES))
	bash bench/run.sh

# 30 minutes of `argus serve` with 12 cameras, a broker killed and restarted, a slow-client
# attack and (as root) a data disk that fills: alerts raised = stored = sent over MQTT.
SOAK_MINUTES ?= 30
SOAK_PACKAGES := mosquitto-clients
soak: setup-test build
	$(call install_missing,$(SOAK_PACKAGES))
	python3 bench/soak.py --argus $(BUILD)/bin/argus --minutes $(SOAK_MINUTES) --cameras 12 --tmpfs

# libFuzzer on every fuzz target (fuzz/*_fuzz.cc) for FUZZ_SECONDS each, in a clang
# build of its own. The corpus grows in $(FUZZ_BUILD)/corpus/<target> (seeded from
# fuzz/corpus/<target>; copy new finds back by hand); a crash is written to
# $(FUZZ_BUILD)/crashes/<target>/ and fails the target. `make test` replays the corpus.
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 300
FUZZ_TARGETS := config site mot sensor http
fuzz: setup
	$(call install_missing,$(FUZZ_PACKAGES))
	cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_COMPILER=clang++ -DARGUS_FUZZ=ON \
	  -DARGUS_BUILD_TESTS=OFF -DARGUS_BUILD_BENCH=OFF
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS))
	@set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t $(FUZZ_BUILD)/crashes/$$t; \
	  echo "== fuzz_$$t for $(FUZZ_SECONDS) s"; \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 $(FUZZ_BUILD)/bin/fuzz_$$t \
	    -max_total_time=$(FUZZ_SECONDS) -timeout=20 -rss_limit_mb=3072 -max_len=65536 \
	    -print_final_stats=1 -artifact_prefix=$(FUZZ_BUILD)/crashes/$$t/ \
	    $(FUZZ_BUILD)/corpus/$$t fuzz/corpus/$$t; \
	done

format:
	clang-format -i $$(git ls-files '*.h' '*.cc')

tidy: build
	clang-tidy -p $(BUILD) $$(git ls-files 'src/*.cc')

clean:
	rm -rf $(BUILD) $(TEST_BUILD) $(DEB_BUILD) $(FUZZ_BUILD)
