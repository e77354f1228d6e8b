#!/usr/bin/env bash
# Builds the deployable zip of the Function App: the `dotnet publish` output of the isolated worker
# (host.json, functions.metadata, worker.config.json, .azurefunctions/ and the app), framework-dependent
# for linux-x64 with ReadyToRun so start-up does not wait for the JIT. Flex Consumption runs it on its
# dotnet-isolated 10.0 runtime. Needs the .NET SDK and python3 (for a zip that keeps Unix modes).
#
# Usage: scripts/package.sh [output.zip]   (default: artifacts/traceway-functions.zip)
set -euo pipefail
cd "$(dirname "$0")/.."
output=$(realpath -m "${1:-artifacts/traceway-functions.zip}")

work=artifacts/package
stage=$work/stage
rm -rf "$stage"
mkdir -p "$stage" "$(dirname "$output")"

echo "Publishing the app (linux-x64, framework-dependent, ReadyToRun)..."
# A build folder of its own, so packaging never disturbs the obj/ and bin/ of a build or test run.
dotnet publish src/Traceway.Functions/Traceway.Functions.csproj -c Release -r linux-x64 --self-contained false \
  -p:PublishReadyToRun=true --artifacts-path "$work/build" -o "$stage" --nologo -v quiet -clp:ErrorsOnly

python3 - "$stage" "$output" <<'PY'
import os, sys, zipfile

stage, output = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(output + ".tmp", "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
    for directory, folders, files in os.walk(stage):
        folders.sort()
        for name in sorted(files):
            path = os.path.join(directory, name)
            entry = zipfile.ZipInfo.from_file(path, os.path.relpath(path, stage))
            entry.create_system = 3  # Unix: readers then apply the mode in the high bits of external_attr.
            entry.compress_type = zipfile.ZIP_DEFLATED
            with open(path, "rb") as source:
                archive.writestr(entry, source.read())
os.replace(output + ".tmp", output)
PY

functions=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$stage/functions.metadata")
echo "Packaged the app with ${functions} functions: $output ($(du -h "$output" | cut -f1))"
