#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests and the bench: its own data directory in a new temporary
# folder, a free port on 127.0.0.1 only, trust authentication (nothing but this machine can reach it),
# started as a non-root user since initdb refuses root (CI runs as root).
#   pg-cluster.sh start STATE   starts one, writes its folder to the file STATE, prints its URL
#   pg-cluster.sh stop STATE    stops it and removes its folder
# For the tests it runs without fsync (they check who gets which ticket, not power cuts, and run ~4× faster);
# PG_DURABLE=1 (the bench) keeps PostgreSQL's durable defaults.
set -euo pipefail

bin_dir() {
  local initdb
  initdb=$(command -v initdb 2>/dev/null || ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1)
  [ -n "$initdb" ] || { echo "pg-cluster.sh: no initdb: install Debian's postgresql" >&2; exit 1; }
  dirname "$(readlink -f "$initdb")"
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
start)
  state=$2
  bin=$(bin_dir)
  dir=$(mktemp -d /tmp/boxoffice-pg.XXXXXX)
  chmod 755 "$dir"
  [ "$(id -u)" != 0 ] || chown postgres: "$dir"
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  settings="-c max_connections=400"
  [ "${PG_DURABLE:-0}" = 1 ] || settings="$settings -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --no-sync >"$dir/initdb.log"
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 $settings" start >/dev/null
  echo "$dir" >"$state"
  echo "postgres://postgres@127.0.0.1:$port/postgres"
  ;;
stop)
  state=$2
  [ -f "$state" ] || exit 0
  dir=$(cat "$state")
  as_owner "$(bin_dir)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir" "$state"
  ;;
*)
  echo "usage: pg-cluster.sh start|stop STATE" >&2
  exit 2
  ;;
esac
