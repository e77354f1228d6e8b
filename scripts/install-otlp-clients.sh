#!/usr/bin/env bash
# Installs the OpenTelemetry JS SDK and its OTLP exporters pinned in tests/otlp-js/package-lock.json (skipped when
# already installed): the OTLP acceptance tests run tests/otlp-js/send-spans.mjs with them.
set -euo pipefail
cd "$(dirname "$0")/../tests/otlp-js"
marker=node_modules/.traceway-installed
if [[ ! -f "$marker" || package-lock.json -nt "$marker" || package.json -nt "$marker" ]]; then
  echo "Installing the OpenTelemetry JS clients (npm ci)..."
  npm ci --prefer-offline --no-audit --no-fund --loglevel=error
  touch "$marker"
fi
