#!/usr/bin/env bash
# Install Debian's headless-capable Chromium and its matching chromedriver for the widget tests
# (tests/channels/test_widget_browser.py). Debian packages only: never a downloaded browser build.
# Does nothing when /usr/bin/chromium is already there. Needs root (or sudo) for apt-get.
set -euo pipefail

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "error: run as root (or install sudo) to apt-get install chromium chromium-driver" >&2; exit 1; fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
# fonts-noto-cjk: so the Chinese UI renders (and screenshots show text, not boxes)
$SUDO apt-get install -y --no-install-recommends chromium chromium-driver fonts-noto-cjk
/usr/bin/chromium --version
