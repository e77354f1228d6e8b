#!/usr/bin/env bash
# Installs the local emulators (Cosmos DB and Azurite) from emulators/package-lock.json and applies
# the emulator patches. Skipped when the installed tree is newer than the lock file and every patch.
set -euo pipefail
cd "$(dirname "$0")/../emulators"
marker=node_modules/.traceway-installed
if [[ -f "$marker" && "$marker" -nt package-lock.json && -d node_modules/@vercel/cosmosdb-server \
      && -z "$(find patches -newer "$marker" -type f)" ]]; then
  exit 0
fi
echo "Installing the emulators (npm ci)..."
npm ci --no-audit --no-fund --loglevel=error
touch "$marker"
