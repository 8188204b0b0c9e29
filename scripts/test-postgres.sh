#!/usr/bin/env bash
# A throwaway PostgreSQL server for the [postgres] integration tests (ctest starts and stops it
# as a test fixture; see cmake/variant.cmake).
#   scripts/test-postgres.sh start <state-dir>  — a fresh cluster in a temporary directory, trust
#       auth, listening on 127.0.0.1 at a free port and on a socket in that directory; writes the
#       connection URL to <state-dir>/url
#   scripts/test-postgres.sh stop <state-dir>   — stops it and deletes the temporary directory
# initdb and postgres refuse to run as root, so as root they run as the `postgres` system user
# (created by the Debian postgresql package).
set -euo pipefail
what="${1:-}"
state="${2:-}"
if [ -z "$what" ] || [ -z "$state" ]; then
  echo "usage: $0 start|stop <state-dir>" >&2
  exit 2
fi

bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "PostgreSQL server binaries not found; install the postgresql package (scripts/install-deps.sh test)" >&2
  exit 1
fi

as_server_user() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

stop_server() {
  [ -f "$state/dir" ] || return 0
  local data
  data="$(cat "$state/dir")"
  if [ -f "$data/db/postmaster.pid" ]; then
    (cd "$data" && as_server_user "$bindir/pg_ctl" -D "$data/db" -m immediate -w -t 30 stop >/dev/null 2>&1) || true
  fi
  case "$data" in
    */meshgate-pg.*) rm -rf "$data" ;;
  esac
  rm -f "$state/dir" "$state/url"
}

case "$what" in
  stop)
    stop_server
    echo "PostgreSQL test server stopped"
    ;;
  start)
    mkdir -p "$state"
    stop_server  # whatever an interrupted earlier run left behind
    if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
      echo "no postgres system user; install the postgresql package (scripts/install-deps.sh test)" >&2
      exit 1
    fi
    data="$(mktemp -d "${TMPDIR:-/tmp}/meshgate-pg.XXXXXX")"
    echo "$data" >"$state/dir"
    trap 'status=$?; if [ $status -ne 0 ]; then [ -f "$data/log" ] && tail -n 20 "$data/log" >&2; stop_server; fi' EXIT
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$data"
    cd "$data"  # the server user may not be allowed into the caller's directory
    as_server_user "$bindir/initdb" -D "$data/db" -U meshgate --auth=trust --no-sync -E UTF8 --locale=C \
      >"$data/initdb.log" 2>&1 || { cat "$data/initdb.log" >&2; exit 1; }
    started=""
    for _ in 1 2 3 4 5 6 7 8; do
      port=$((20000 + RANDOM % 40000))
      # A port taken by someone else makes the start fail at once; try another.
      if as_server_user "$bindir/pg_ctl" -D "$data/db" -l "$data/log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null; then
        started=1
        break
      fi
    done
    if [ -z "$started" ]; then
      echo "PostgreSQL test server did not start" >&2
      exit 1
    fi
    echo "postgresql://meshgate@127.0.0.1:$port/postgres" >"$state/url"
    echo "PostgreSQL test server started: $(cat "$state/url") (data in $data)"
    ;;
  *)
    echo "usage: $0 start|stop <state-dir>" >&2
    exit 2
    ;;
esac
