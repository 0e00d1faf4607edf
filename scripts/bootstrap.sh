# Shared set-up for serve.sh and test.sh: system packages where missing, then a virtualenv.
# Usage: source scripts/bootstrap.sh REQUIREMENTS_FILE
set -euo pipefail

PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_DIR="${SIEM_VENV:-$PROJECT_DIR/.venv}"
export AWS_EC2_METADATA_DISABLED=true

missing_packages=()
command -v pkg-config >/dev/null 2>&1 || missing_packages+=(pkg-config)
# Debian ships venv's pip bootstrap in a separate package.
python3 -c "import ensurepip" >/dev/null 2>&1 || missing_packages+=(python3-venv)
if ! pkg-config --exists mysqlclient 2>/dev/null && ! pkg-config --exists mariadb 2>/dev/null; then
    missing_packages+=(default-libmysqlclient-dev)
fi
if [ "${SIEM_NEEDS_BROWSER:-0}" = 1 ] && [ ! -x /usr/bin/chromium ]; then
    missing_packages+=(chromium)
fi
if [ "${#missing_packages[@]}" -gt 0 ]; then
    echo "Installing system packages: ${missing_packages[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing_packages[@]}" >/dev/null
fi

if [ ! -x "$VENV_DIR/bin/python" ]; then
    echo "Creating virtualenv in $VENV_DIR"
    python3 -m venv "$VENV_DIR"
fi
# shellcheck disable=SC1091
source "$VENV_DIR/bin/activate"
python -m pip install -q --disable-pip-version-check -r "$PROJECT_DIR/$1"
cd "$PROJECT_DIR"
