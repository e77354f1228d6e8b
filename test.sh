#!/usr/bin/env bash
# Runs every test: installs the emulators, the Bicep CLI, Chromium (for the dashboard's browser tests) and the
# OpenTelemetry JS clients (for the OTLP tests) if missing, builds the TypeScript SDK, then the whole test suite. The tests start
# the emulators and the app themselves on free loopback ports and stop them when done.
set -euo pipefail
cd "$(dirname "$0")"

scripts/install-emulators.sh
scripts/install-bicep.sh
scripts/install-chromium.sh
scripts/build-sdk.sh
scripts/install-otlp-clients.sh
mkdir -p artifacts
set +e
dotnet test Traceway.Functions.sln -c Release --nologo --logger "console;verbosity=normal" 2>&1 | tee artifacts/test-output.log
status=${PIPESTATUS[0]}
set -e
# One closing line a CI reader understands, summed over every test assembly.
awk '/^ +Passed: +[0-9]+$/{p+=$2} /^ +Failed: +[0-9]+$/{f+=$2} /^ +Skipped: +[0-9]+$/{s+=$2}
     END{printf "tests: %d passed, %d failed, %d skipped\n", p, f, s}' artifacts/test-output.log
exit "$status"
