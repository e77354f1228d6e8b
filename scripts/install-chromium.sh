#!/usr/bin/env bash
# Installs Debian's Chromium for the dashboard's browser tests when no Chromium is found (the tests drive it
# through Playwright with its executable path; Playwright's own browser download is never used). Skipped when
# `chromium` (or TRACEWAY_CHROMIUM) is already there. Uses sudo only when not root.
set -euo pipefail
if [[ -n "${TRACEWAY_CHROMIUM:-}" && -x "${TRACEWAY_CHROMIUM}" ]] || command -v chromium >/dev/null 2>&1; then
  exit 0
fi
echo "Installing Chromium (Debian package) for the browser tests..."
sudo=()
[[ "$(id -u)" == 0 ]] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
chromium --version
