#!/usr/bin/env bash
# Install the test dependencies and run the whole suite: on SQLite, then on MariaDB when one
# answers on 127.0.0.1:3306 (always under CI=true, where a missing MariaDB fails the run).
set -euo pipefail
SIEM_NEEDS_BROWSER=1
source "$(dirname "$0")/bootstrap.sh" requirements-dev.txt

MARIADB_URI="${SIEM_TEST_MARIADB_URI:-mysql://root@127.0.0.1:3306/siem}"

run_suite() {
    local label="$1"
    shift
    echo "=== test suite on $label ==="
    python manage.py check
    python manage.py makemigrations --check --dry-run
    python -m pytest "$@"
}

ruff check .
DATABASE_URI="sqlite:///$PWD/var/test.sqlite3" run_suite SQLite "$@"

if python -c "import socket; socket.create_connection(('127.0.0.1', 3306), 2)" 2>/dev/null; then
    DATABASE_URI="$MARIADB_URI" run_suite MariaDB "$@"
elif [ "${CI:-}" = true ]; then
    echo "MariaDB is not reachable on 127.0.0.1:3306; CI runs the suite on it too." >&2
    exit 1
else
    echo "MariaDB is not reachable on 127.0.0.1:3306: skipped the MariaDB run."
fi
