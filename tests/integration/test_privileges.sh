# test_privileges.sh -- -u USER: glued binds its sockets (a port below 1024
# included) as root, then runs as USER and keeps answering and reloading.
# Without root, -u for another user is refused with a clear message.
. "$(dirname "$0")/lib.sh" "$@"

ZONE=tests/golden/zones/test.zone
USER_NAME=nobody

if [ "$(id -u)" -ne 0 ]; then
	out=$("$GLUED" -u root -l 127.0.0.1:5399 -z "test.=$ZONE" 2>&1)
	rc=$?
	check_eq "-u without root exits 1" 1 "$rc"
	check_match "-u without root says why" 'only root can run as another user' "$out"
	lib_finish
fi

# A free privileged port on loopback.
port=""
for p in $(shuf -i 600-1000 -n 40); do
	if [ -z "$(ss -Hlnu "sport = :$p")" ] && [ -z "$(ss -Hlnt "sport = :$p")" ]; then
		port=$p
		break
	fi
done
[ -n "$port" ] || { bad "no free port below 1024"; lib_finish; }

cp "$ZONE" "$LIB_TMP/test.zone"
chmod 755 "$LIB_TMP"
chmod 644 "$LIB_TMP/test.zone"
"$GLUED" -u "$USER_NAME" -l "127.0.0.1:$port" -z "test.=$LIB_TMP/test.zone" \
	>"$LIB_TMP/priv.log" 2>&1 </dev/null &
pid=$!
LIB_PIDS+=("$pid")
SRV_PID[priv]=$pid
SRV_PORT[priv]=$port
if lib_wait_ready "$port" "$pid" test.; then
	ok "glued -u $USER_NAME answers on privileged port $port"
else
	bad "glued -u $USER_NAME did not answer on port $port" "$(cat "$LIB_TMP/priv.log")"
	lib_finish
fi
uid=$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$pid/status")
want=$(id -u "$USER_NAME")
check_eq "every uid of the process is $USER_NAME's" "$want $want $want $want" "$uid"
gid=$(awk '/^Gid:/ {print $2}' "/proc/$pid/status")
check_eq "its gid is $USER_NAME's" "$(id -g "$USER_NAME")" "$gid"
groups=$(awk '/^Groups:/ {print $2}' "/proc/$pid/status")
check_eq "no supplementary groups are kept" "" "$groups"
check_match "the log says which user it runs as" "running as $USER_NAME" "$(cat "$LIB_TMP/priv.log")"

# Reload as the unprivileged user: the zone is readable, the change shows.
sed -i 's/^www      A    192.0.2.80/www      A    192.0.2.81/' "$LIB_TMP/test.zone"
kill -HUP "$pid"
got=""
for i in $(seq 1 20); do
	got=$(dig @127.0.0.1 -p "$port" +norecurse +time=1 +tries=1 +short www.test. A)
	[ "$got" = "192.0.2.81" ] && break
	sleep 0.2
done
check_eq "a SIGHUP reload works after dropping privileges" "192.0.2.81" "$got"
dig @127.0.0.1 -p "$port" +tcp +norecurse +time=2 +short www.test. A >"$LIB_TMP/tcp.out"
check_eq "TCP answers too" "192.0.2.81" "$(cat "$LIB_TMP/tcp.out")"
lib_stop priv
check_eq "glued -u exits 0 on SIGTERM" 0 "$?"

out=$("$GLUED" -u no-such-user-glued -l "127.0.0.1:$port" -z "test.=$ZONE" 2>&1)
check_eq "-u with an unknown user exits 1" 1 "$?"
check_match "-u with an unknown user says so" 'no-such-user-glued: no such user' "$out"

lib_finish
