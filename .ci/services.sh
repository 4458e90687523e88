#!/usr/bin/env bash
# Starts the machine services the tests use when they are not running:
# PostgreSQL and MariaDB. (dockerd and the registry are started per test run
# by test/support, in their own temporary folders.)
set -u
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
fi
if ! mariadb-admin --host=127.0.0.1 --user=root ping >/dev/null 2>&1; then
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
fi
for _ in $(seq 1 30); do
  pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && mariadb-admin --host=127.0.0.1 --user=root ping >/dev/null 2>&1 && exit 0
  sleep 1
done
echo "PostgreSQL or MariaDB did not start" >&2
exit 1
