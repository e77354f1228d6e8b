#!/usr/bin/env bash
# Installs the TypeScript SDK's pinned build tools (sdk/typescript/package-lock.json; skipped when
# already installed) and builds it into sdk/typescript/dist, which the .NET tests run against.
set -euo pipefail
cd "$(dirname "$0")/../sdk/typescript"
marker=node_modules/.traceway-installed
if [[ ! -f "$marker" || package-lock.json -nt "$marker" || package.json -nt "$marker" ]]; then
  echo "Installing the TypeScript SDK's build tools (npm ci)..."
  npm ci --prefer-offline --no-audit --no-fund --loglevel=error
  touch "$marker"
fi
npm run --silent build
