#!/usr/bin/env bash
# Install Debian's Chromium for the headless-browser test of the HTML report (tests/test_html_browser.py).
# Idempotent: does nothing when chromium is already on PATH. Needs root (or passwordless sudo) and apt.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  echo "chromium already installed: $(command -v chromium)"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-browser.sh: apt-get not found; install Chromium with your package manager" \
       "so that 'chromium' is on PATH (the browser test is skipped without it)" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "install-browser.sh: root is needed to install Debian's chromium; run:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium" >&2
  echo "(the browser test is skipped until 'chromium' is on PATH)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "chromium installed: $(command -v chromium)"
