#!/usr/bin/env bash
# Builds the deployable zip of the Function App: host.json, every function folder (<Name>/function.json),
# and app/ = the app published self-contained for linux-x64 with ReadyToRun, so the host starts
# app/Traceway.Functions (host.json's defaultExecutablePath) with no .NET runtime installed and a fast
# cold start. Unix modes are kept in the zip: the executable must stay executable.
#
# Usage: scripts/package.sh [output.zip]   (default: artifacts/traceway-functions.zip)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
output=$(realpath -m "${1:-artifacts/traceway-functions.zip}")

work=artifacts/package
stage=$work/stage
rm -rf "$stage"
mkdir -p "$stage" "$(dirname "$output")"

echo "Publishing the app (self-contained linux-x64, ReadyToRun)..."
# A build folder of its own, so packaging never disturbs the obj/ and bin/ of a build or test run.
dotnet publish src/Traceway.Functions/Traceway.Functions.csproj -c Release -r linux-x64 --self-contained \
  -p:PublishReadyToRun=true --artifacts-path "$work/build" -o "$stage/app" --nologo -v quiet -clp:ErrorsOnly

cp host.json "$stage/"
functions=()
for definition in */function.json; do
  name=$(dirname "$definition")
  cp -r "$name" "$stage/"
  functions+=("$name")
done

python3 - "$root/$stage" "$output" <<'PY'
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

echo "Packaged ${#functions[@]} functions (${functions[*]}) and the app: $output ($(du -h "$output" | cut -f1))"
