#!/usr/bin/env bash
# Install the service and serve it on http://127.0.0.1:5000 with the embedded defaults (SQLite).
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh" requirements.txt

python manage.py migrate --no-input
exec python manage.py runserver "${SIEM_BIND:-127.0.0.1:5000}"
