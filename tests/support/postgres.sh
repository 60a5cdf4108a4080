#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the tests (Debian's postgresql package; installed when missing and
# running as root) and prints its URL on stdout. Usage: eval "$(bash tests/support/postgres.sh start)";
# bash tests/support/postgres.sh stop "$MINQING_PG_DIR".
# MINQING_PG_OPTS (optional) adds server options to the start, e.g. "-c shared_buffers=2GB -c work_mem=64MB".
# Prepared transactions are allowed (max_prepared_transactions=8): the sync's tests prepare some.
set -euo pipefail

cmd=${1:-start}
if [ "$cmd" = stop ]; then
	dir=${2:?data dir}
	bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
	runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
	rm -rf "$dir"
	exit 0
fi

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ]; then
		echo "postgres.sh: installing Debian's postgresql…" >&2
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
	else
		echo "postgres.sh: PostgreSQL is not installed (apt-get install postgresql)" >&2
		exit 1
	fi
fi
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
dir=$(mktemp -d /tmp/minqing-pg-XXXXXX)
chown postgres: "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
runuser -u postgres -- "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_prepared_transactions=8 ${MINQING_PG_OPTS:-}" start >/dev/null
echo "export MINQING_TEST_PG_URL=postgres://postgres@127.0.0.1:$port/postgres MINQING_PG_DIR=$dir"
