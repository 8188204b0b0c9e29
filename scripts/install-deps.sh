#!/usr/bin/env bash
# Installs what building and testing meshgate needs on Debian 12, and nothing already present.
#   scripts/install-deps.sh build   — compiler, CMake, libraries
#   scripts/install-deps.sh test    — the above, plus the PostgreSQL server (the [postgres]
#                                     integration tests start a throwaway one), Node.js/npm and
#                                     the e2e SDK packages
set -euo pipefail
what="${1:-build}"
cd "$(dirname "$0")/.."

packages=(g++ cmake make pkg-config ccache openssl ca-certificates
  libboost1.81-dev libboost-url1.81-dev nlohmann-json3-dev libyaml-cpp-dev libspdlog-dev
  libssl-dev libsqlite3-dev libpq-dev catch2)
if [ "$what" = test ]; then
  packages+=(postgresql)
  command -v node >/dev/null 2>&1 || packages+=(nodejs)
  command -v npm >/dev/null 2>&1 || packages+=(npm)
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
