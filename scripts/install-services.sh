#!/usr/bin/env bash
# Install the Debian packages that the tuning and report tests use for real:
# a PostgreSQL server (several Optuna workers sharing one study) and Chromium with
# ChromeDriver (the HTML report rendered in a headless browser).
# Does nothing when they are already there; prints how long the install took.
set -euo pipefail

PACKAGES=(postgresql chromium chromium-driver)

present() {
    command -v pg_ctlcluster >/dev/null &&
        compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null &&
        command -v chromium >/dev/null &&
        command -v chromedriver >/dev/null
}

if present; then
    echo "services: postgresql, chromium and chromedriver already installed"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
else
    echo "services: need root to install ${PACKAGES[*]} with apt-get." >&2
    echo "Install them yourself, or run 'make test SERVICES=skip' to skip the tests that use them." >&2
    exit 1
fi

start=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq "${PACKAGES[@]}" >/dev/null
echo "services: installed ${PACKAGES[*]} in $(($(date +%s) - start)) s"
present || { echo "services: install finished but a tool is still missing" >&2; exit 1; }
