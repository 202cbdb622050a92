#!/usr/bin/env bash
# Write a compressed, dated dump of the shop's PostgreSQL database and print its path.
#
#   scripts/backup.sh [FILE.sql.gz | DIRECTORY]      (default: $BACKUP_DIR, else ./backups)
#
# With DATABASE_URL set (postgresql://…) it runs the local pg_dump against that URL (its major
# version must be at least the server's). Without it, it runs pg_dump inside the compose stack's
# postgres container (`docker compose exec -T postgres pg_dump`, user/database from POSTGRES_USER
# and POSTGRES_DB, default shop). The dump is plain SQL that drops and recreates every object, so
# scripts/restore.sh can load it into an empty database or over an existing one.
set -euo pipefail
umask 077  # a dump holds customers' data and encrypted keys: keep it private

target=${1:-${BACKUP_DIR:-backups}}
stamp=$(date -u +%Y%m%d-%H%M%S)
if [[ "$target" == *.gz ]]; then
  file=$target
else
  file="${target%/}/shop-$stamp.sql.gz"
fi
mkdir -p "$(dirname "$file")"

dump_options=(--no-owner --no-privileges --clean --if-exists --quote-all-identifiers)
if [ -n "${DATABASE_URL:-}" ]; then
  case "$DATABASE_URL" in
    postgres://*|postgresql://*) ;;
    *) echo "backup: DATABASE_URL must be a postgresql:// URL (SQLite: copy the file instead)" >&2; exit 2 ;;
  esac
  dump() { pg_dump "${dump_options[@]}" --dbname="$DATABASE_URL"; }
else
  compose=${COMPOSE:-docker compose}
  dump() { $compose exec -T postgres pg_dump "${dump_options[@]}" \
             -U "${POSTGRES_USER:-shop}" -d "${POSTGRES_DB:-shop}"; }
fi

# Written next to the target and renamed when complete: a failed dump never looks like a backup.
partial="$file.partial"
trap 'rm -f "$partial"' EXIT
dump | gzip -9 > "$partial"
gzip -t "$partial"
if ! gzip -dc "$partial" | grep -q "PostgreSQL database dump complete"; then
  echo "backup: the dump is incomplete; nothing was written" >&2
  exit 1
fi
mv "$partial" "$file"
trap - EXIT
echo "$file"
