#!/usr/bin/env bash
# Load a dump written by scripts/backup.sh into the shop's database.
#
#   scripts/restore.sh FILE.sql.gz
#
# With DATABASE_URL set it runs the local psql against that URL; without it, psql inside the
# compose stack's postgres container, after stopping web, worker and scheduler (started again at
# the end) so nothing writes while the data is replaced. The dump drops and recreates every table
# it holds, in one transaction: either all of it is loaded or nothing changes.
set -euo pipefail

file=${1:-}
if [ -z "$file" ] || [ ! -f "$file" ]; then
  echo "usage: scripts/restore.sh FILE.sql.gz (a file written by scripts/backup.sh)" >&2
  exit 2
fi
gzip -t "$file"

psql_options=(--quiet --no-psqlrc --single-transaction -v ON_ERROR_STOP=1)
if [ -n "${DATABASE_URL:-}" ]; then
  gzip -dc "$file" | psql "${psql_options[@]}" --dbname="$DATABASE_URL" >/dev/null
else
  compose=${COMPOSE:-docker compose}
  running=$($compose ps --services --status running 2>/dev/null | grep -E '^(web|worker|scheduler)$' || true)
  if [ -n "$running" ]; then
    # shellcheck disable=SC2086
    $compose stop $running
    # shellcheck disable=SC2086
    trap '$compose start $running' EXIT
  fi
  gzip -dc "$file" | $compose exec -T postgres psql "${psql_options[@]}" \
    -U "${POSTGRES_USER:-shop}" -d "${POSTGRES_DB:-shop}" >/dev/null
fi
echo "restored $file"
