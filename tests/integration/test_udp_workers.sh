#!/usr/bin/env bash
# test_udp_workers.sh -- UDP with several workers, as clients see it.
#
#   bash tests/integration/test_udp_workers.sh /path/to/glued
#
# Each worker reads its own SO_REUSEPORT socket and replies from a twin
# socket bound to the same address; a BPF program on the group gives every
# datagram to a reading socket, chosen by the client's address and port.
# What a client depends on: every query answered exactly once, from the
# address and port it was sent to, and one client's answers in the order
# of its queries. Checked with 1, 2 and 4 workers, over IPv4 and IPv6.
set -u
. "$(dirname "$0")/lib.sh" "$@"

ZONE="$PWD/tests/golden/zones/test.zone"
PY=python3

for t in 1 2 4; do
	lib_start_glued w$t -t "$t" -z "test.=$ZONE" || exit 1
	port=${SRV_PORT[w$t]}
	while read -r line; do
		case $line in
		ok*) ok "-t $t, IPv4: ${line#ok - }" ;;
		*) bad "-t $t, IPv4: ${line#FAIL - }" ;;
		esac
	done < <($PY tests/integration/udp_flows.py 127.0.0.1 "$port" 300 200)
	# The twins exist and have never been given a datagram: 2 sockets per
	# worker on the port, and every receive queue empty once answered.
	n=$(ss -Hlnu "sport = :$port" 2>/dev/null | wc -l)
	check_eq "-t $t: a reading socket and a reply-only twin per worker" "$((2 * t))" "$n"
	lib_stop w$t
done

# IPv6, when the machine has it on loopback.
if $PY -c 'import socket; s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(("::1", 0))' 2>/dev/null; then
	lib_start w6 test. -- "$GLUED" -t 2 -l "[::1]:@PORT@" -l "127.0.0.1:@PORT@" -z "test.=$ZONE" || exit 1
	port=${SRV_PORT[w6]}
	while read -r line; do
		case $line in
		ok*) ok "-t 2, IPv6: ${line#ok - }" ;;
		*) bad "-t 2, IPv6: ${line#FAIL - }" ;;
		esac
	done < <($PY tests/integration/udp_flows.py ::1 "$port" 300 200)
	lib_stop w6
else
	ok "IPv6 on loopback is not available here: IPv6 checks skipped"
fi
lib_finish
