#!/usr/bin/env bash
# Installs the local emulators (Cosmos DB and Azurite) from emulators/package-lock.json and applies
# the emulator patches. Skipped when the installed tree is newer than package.json, the lock file
# and every patch. The Cosmos extensions in emulators/cosmos/ and start.js are loaded from the
# repository at run time (the patch only hooks them in), so a change there needs no reinstall.
set -euo pipefail
cd "$(dirname "$0")/../emulators"
marker=node_modules/.traceway-installed
if [[ -f "$marker" && "$marker" -nt package-lock.json && "$marker" -nt package.json \
      && -d node_modules/@vercel/cosmosdb-server && -z "$(find patches -newer "$marker" -type f)" ]]; then
  exit 0
fi
echo "Installing the emulators (npm ci)..."
npm ci --no-audit --no-fund --loglevel=error
touch "$marker"
