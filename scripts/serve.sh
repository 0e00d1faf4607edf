#!/usr/bin/env bash
# Install the service, set up the demo (analyst account, a day of generated logs, local metrics)
# and serve it on http://127.0.0.1:5000 with the embedded defaults (SQLite, no AWS needed).
# SIEM_BIND=HOST:PORT (or PORT) serves elsewhere, and SIEM_DEMO=0 skips the demo set-up.
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh" requirements.txt

BIND="${SIEM_BIND:-127.0.0.1:5000}"
case "$BIND" in
    *:*) ;;
    *) BIND="127.0.0.1:$BIND" ;;
esac

python manage.py migrate --no-input
if [ "${SIEM_DEMO:-1}" != 0 ]; then
    python manage.py demo --url "http://$BIND"
fi
exec python manage.py runserver "$BIND"
