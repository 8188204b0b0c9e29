#!/usr/bin/env bash
# Installs what building and testing meshgate needs on Debian 12, and nothing already present.
#   scripts/install-deps.sh build   — compiler, CMake, libraries
#   scripts/install-deps.sh bench   — build, plus wrk, nginx (mock upstream and baseline proxy),
#                                     its echo module (paced SSE) and Node.js (the SSE client)
#   scripts/install-deps.sh test    — build, plus the PostgreSQL server (the [postgres] integration
#                                     tests start a throwaway one), Node.js/npm, the e2e SDK packages
#                                     and clang with libFuzzer (the fuzz targets' smoke run)
#   scripts/install-deps.sh fuzz    — build, plus clang with libFuzzer (`make fuzz`)
set -euo pipefail
what="${1:-build}"
cd "$(dirname "$0")/.."

packages=(g++ cmake make pkg-config ccache openssl ca-certificates
  libboost1.81-dev libboost-url1.81-dev nlohmann-json3-dev libyaml-cpp-dev libspdlog-dev
  libssl-dev libsqlite3-dev libpq-dev catch2)
if [ "$what" = test ] || [ "$what" = fuzz ]; then
  # clang-14 compiles the fuzz targets; libclang-rt-14-dev holds libFuzzer and the sanitizer runtimes.
  packages+=(clang-14 libclang-rt-14-dev)
fi
if [ "$what" = test ]; then
  packages+=(postgresql)
  command -v node >/dev/null 2>&1 || packages+=(nodejs)
  command -v npm >/dev/null 2>&1 || packages+=(npm)
fi
if [ "$what" = bench ]; then
  packages+=(wrk nginx libnginx-mod-http-echo curl)
  command -v node >/dev/null 2>&1 || packages+=(nodejs)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "$what" = test ]; then
  # The SDK versions are pinned by tests/e2e/package-lock.json.
  if [ ! -d tests/e2e/node_modules ] || [ tests/e2e/package-lock.json -nt tests/e2e/node_modules ]; then
    (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
