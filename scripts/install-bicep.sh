#!/usr/bin/env bash
# Installs the Bicep CLI pinned in tools/bicep/bicep.proj (the NuGet package Azure.Bicep.CommandLine.linux-x64,
# a self-contained binary) as .tools/bicep/bicep, where the tests look for it. Skipped when that version is there.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's:.*<BicepVersion>\(.*\)</BicepVersion>.*:\1:p' tools/bicep/bicep.proj)
target=.tools/bicep/bicep
if [[ -x "$target" && "$("$target" --version 2>/dev/null)" == *" $version "* ]]; then
  exit 0
fi
echo "Installing the Bicep CLI $version (NuGet)..."
dotnet restore tools/bicep/bicep.proj --packages .tools/packages --nologo -v quiet
mkdir -p .tools/bicep
binary=".tools/packages/azure.bicep.commandline.linux-x64/$version/tools/bicep"
chmod 755 "$binary"
ln -sfn "../packages/azure.bicep.commandline.linux-x64/$version/tools/bicep" "$target"
"$target" --version
