#!/usr/bin/env bash
# Runs the benchmarks against the local emulators and prints the table (also artifacts/benchmark.json).
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-emulators.sh
dotnet build src/Traceway.Functions/Traceway.Functions.csproj -c Release --nologo -v quiet -clp:ErrorsOnly
dotnet run -c Release --project bench/Traceway.Benchmarks -- --root "$PWD" "$@"
