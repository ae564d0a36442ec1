#!/usr/bin/env bash
# Debian packages the tests need beyond Python: chromium + chromedriver (widget and console tests)
# and nginx (the production profile's load balancer). PostgreSQL and Redis come with this kind of
# machine; the tests start them when they are down. Installs only what is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bash "$here/install-browser.sh"
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends nginx-light
fi
echo "nginx: $(nginx -v 2>&1 || /usr/sbin/nginx -v 2>&1)"
