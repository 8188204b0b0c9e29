#!/usr/bin/env bash
# `make run`: starts the Release binary with the shipped config on port 4000.
# meshgate refuses to start without a master key; when none is set, one is generated and
# printed once so the gateway is usable straight away.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${LITELLM_MASTER_KEY:-}" ]; then
  LITELLM_MASTER_KEY="sk-$(openssl rand -hex 24)"
  export LITELLM_MASTER_KEY
  echo "LITELLM_MASTER_KEY was not set; generated one for this run:"
  echo "  $LITELLM_MASTER_KEY"
fi
if [ -z "${TENSORMESH_INFERENCE_API_KEY:-}" ]; then
  echo "note: TENSORMESH_INFERENCE_API_KEY is not set; upstream calls will fail until it is."
fi
exec build/release/meshgate --config "${MESHGATE_CONFIG:-config/config.yaml}" \
  --host "${HOST:-0.0.0.0}" --port "${PORT:-4000}" "$@"
