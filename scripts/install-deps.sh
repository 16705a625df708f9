#!/usr/bin/env bash
# Installs every Debian package vstress builds, tests or runs with, and only those that are missing.
# Idempotent: a second run with everything present touches nothing and needs no network.
# Runs apt-get as root, or through sudo; says clearly what to do when neither works.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build make pkg-config clang-format
  # the fuzz stage: clang with libFuzzer and its sanitizer runtimes
  clang libclang-rt-dev
  # libraries (see shared/DESIGN.md "Dependencies")
  libgtest-dev libgmock-dev librapidcheck-dev libfiu-dev fiu-utils prometheus-cpp-dev
  libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libfmt-dev libxxhash-dev
  # `vstress merge --push-gateway` (reports/sweep_push.cc)
  libcurl4-openssl-dev
  # comparisons and benchmarks
  libleveldb-dev librocksdb-dev libbenchmark-dev
  # integration tests: metrics, reports
  prometheus prometheus-pushgateway chromium libxml2-utils curl python3
  # sweeps: a one-node Slurm cluster and GNU parallel
  slurm-wlm munge parallel python3-junitparser
  # every thread's stack of a stuck or dying run (harness/drivers/watchdog.h, harness/process/process_signals.h)
  gdb
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${#missing[@]} missing packages: ${missing[*]}"
if [[ $(id -u) -eq 0 ]]; then
  sudo_cmd=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo_cmd=(sudo -n)
else
  echo "install-deps: cannot install packages: not root and passwordless sudo is unavailable." >&2
  echo "install-deps: run as root:  apt-get install -y ${missing[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
