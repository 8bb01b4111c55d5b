#!/bin/sh
# tests/harness/netns_pytest.sh -- run pytest on glued_harness tests in a
# private network namespace.
#
#   sh tests/harness/netns_pytest.sh [PYTEST ARGS...]     (from the repo root)
#
# A test where a real resolver walks glued's hierarchy needs glued on port 53
# (glue carries no port), so it runs where port 53 of every 127.x address is
# its own: a new network namespace (`unshare -n` as root, `unshare -r -n`
# otherwise), with lo brought up. Nothing there reaches the host's network,
# and two runs at once never meet. Without namespaces it runs on the host's
# loopback, where such a test skips itself unless it can bind port 53.
#
# It runs /usr/bin/python3 -m pytest (Debian's python3-pytest) with the
# fixtures of python/glued_harness (PYTHONPATH, no install needed), no
# cache directory and no bytecode written into the source tree.
set -u

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
PY=/usr/bin/python3

if [ -z "${GLUED_HARNESS_IN_NETNS:-}" ]; then
	ns=""
	if [ "$(id -u)" -eq 0 ] && unshare -n true 2>/dev/null; then
		ns="unshare -n"
	elif unshare -r -n true 2>/dev/null; then
		ns="unshare -r -n"
	fi
	if [ -n "$ns" ]; then
		GLUED_HARNESS_IN_NETNS=1 exec $ns -- sh "$0" "$@"
	fi
	echo "netns_pytest: no network namespace (not root, no user namespaces): on the host's loopback" >&2
else
	ip link set lo up || { echo "netns_pytest: cannot bring up lo in the namespace" >&2; exit 2; }
	export GLUED_HARNESS_IN_NETNS
fi

if ! "$PY" -c 'import pytest' 2>/dev/null; then
	echo "netns_pytest: pytest is missing for $PY (apt-get install python3-pytest, or tools/install-deps test)" >&2
	exit 2
fi
export PYTHONPATH="$repo/python${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1
exec "$PY" -m pytest -p glued_harness.pytest_plugin -p no:cacheprovider -v -rs "$@"
