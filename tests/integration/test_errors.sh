#!/usr/bin/env bash
# test_errors.sh -- bad input is refused with a message that names the place;
# good input and the informational options exit 0.
#
#   bash tests/integration/test_errors.sh /path/to/glued
#
# Broken zones: tests/data/broken/*.zone (see the README there). For each,
# both `glued --check -z broken.=FILE` and a real start must print
# "FILE:LINE: message" (the line as the fixture says) and exit 1.
set -u
. "$(dirname "$0")/lib.sh" "$@"

BROKEN="$PWD/tests/data/broken"
T=20 # seconds; a glued that starts serving a broken zone is a failure

# run_glued OUTVAR RCVAR ARGS...: run glued in the foreground, bounded.
run_glued() {
	local __out=$1 __rc=$2 o r
	shift 2
	o=$(timeout -s TERM -k 5 "$T" "$GLUED" "$@" 2>&1 </dev/null)
	r=$?
	printf -v "$__out" '%s' "$o"
	printf -v "$__rc" '%s' "$r"
}

# The error must name FILE:LINE (LINE within the fixture's expectation).
check_location() { # DESC FILE EXPECT OUTPUT
	local desc=$1 file=$2 expect=$3 out=$4 base lines l lo hi
	base=$(basename "$file")
	# Accept the path as given or just its base name before ":LINE:".
	lines=$(printf '%s\n' "$out" | grep -oE "(^|[^[:alnum:]_./-])[^[:space:]:]*$base:[0-9]+:" |
		grep -oE ':[0-9]+:$' | tr -d ':')
	case "$expect" in
	none)
		if printf '%s\n' "$out" | grep -qE "[^[:space:]:]*$base:"; then
			ok "$desc: the message names the file"
		else
			bad "$desc: the message does not name $base" "$out"
		fi
		return
		;;
	any) lo=1 hi=999999 ;;
	*-*) lo=${expect%-*} hi=${expect#*-} ;;
	*) lo=$expect hi=$expect ;;
	esac
	for l in $lines; do
		if [ "$l" -ge "$lo" ] && [ "$l" -le "$hi" ]; then
			ok "$desc: names $base:$l"
			return
		fi
	done
	bad "$desc: expected '$base:LINE:' with LINE in $lo..$hi" "$out"
}

# --- Broken zone files ----------------------------------------------------------
nfix=0
for f in "$BROKEN"/*.zone; do
	nfix=$((nfix + 1))
	name=$(basename "$f" .zone)
	expect=$(sed -n 's/^; expect-line: *//p' "$f" | head -1)
	what=$(head -1 "$f" | sed 's/^; *//')

	run_glued out rc --check -z "broken.=$f"
	check_eq "$name --check: exit status 1 ($what)" 1 "$rc"
	check_location "$name --check" "$f" "$expect" "$out"

	port=$(lib_free_port)
	run_glued out rc -l "127.0.0.1:$port" -z "broken.=$f"
	check_eq "$name at start-up: exit status 1" 1 "$rc"
	check_location "$name at start-up" "$f" "$expect" "$out"
done
[ $nfix -ge 10 ] || bad "expected at least 10 broken fixtures in $BROKEN, found $nfix"

# A broken zone among good ones still stops the start.
run_glued out rc --check -z "test.=tests/data/diff/parent.zone" -z "broken.=$BROKEN/bad-ipv4.zone"
check_eq "one broken zone among good ones: exit status 1" 1 "$rc"
check_location "one broken zone among good ones" "$BROKEN/bad-ipv4.zone" 8 "$out"

# The file as written on the command line (relative path) is named.
run_glued out rc --check -z "broken.=tests/data/broken/unknown-type.zone"
check_eq "relative path: exit status 1" 1 "$rc"
check_location "relative path" "tests/data/broken/unknown-type.zone" 8 "$out"

# --- Other bad configuration -------------------------------------------------
run_glued out rc --check -z "test.=$LIB_TMP/no-such-file.zone"
check_eq "a zone file that does not exist: exit status 1" 1 "$rc"
check_match "a zone file that does not exist: the message names it" 'no-such-file\.zone' "$out"

run_glued out rc --check -z "test.=tests/data/diff/parent.zone" -z "test.=tests/data/diff/parent.zone"
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]; then
	ok "the same origin twice: refused (exit $rc)"
else
	bad "the same origin twice: expected a non-zero exit, got $rc" "$out"
fi

run_glued out rc --no-such-option
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]; then
	ok "an unknown option: non-zero exit ($rc)"
else
	bad "an unknown option: expected a non-zero exit, got $rc" "$out"
fi
check_match "an unknown option: the message names it" 'no-such-option' "$out"

run_glued out rc --glue sometimes -z "test.=tests/data/diff/parent.zone" --check
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]; then
	ok "--glue with an unknown policy: non-zero exit ($rc)"
else
	bad "--glue with an unknown policy: expected a non-zero exit, got $rc" "$out"
fi

run_glued out rc -l "not-an-address:53x" -z "test.=tests/data/diff/parent.zone"
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]; then
	ok "a bad listen address: non-zero exit ($rc)"
else
	bad "a bad listen address: expected a non-zero exit, got $rc" "$out"
fi

# --- Good input ------------------------------------------------------------------
for spec in "child.test.=tests/data/diff/child.zone" \
	"lab.=zones/lab.zone" "example.lab.=zones/example.lab.zone"; do
	run_glued out rc --check -z "$spec"
	check_eq "--check -z $spec: exit status 0" 0 "$rc"
done
run_glued out rc --check -z zones/lab.zone
check_eq "--check -z FILE without ORIGIN= (origin from the file): exit status 0" 0 "$rc"

# The zone loads, but missing glue is an error finding of --check
# (tests/integration/test_check.sh has the details): exit status 1.
run_glued out rc --check -z "test.=tests/data/diff/parent.zone" -z "child.test.=tests/data/diff/child.zone"
check_eq "--check with a parent and its child, one delegation without glue: exit status 1" 1 "$rc"
run_glued out rc --check -z "test.=tests/data/diff/parent.zone"
check_eq "--check -z parent.zone (noglue.test. has no glue): exit status 1" 1 "$rc"
check_match "--check reports the delegation whose glue is missing" '^error MISSING_GLUE_FOR_NS_NAME .*delegation=noglue\.test\.' "$out"

# --- -h and -V --------------------------------------------------------------------
run_glued out rc -h
check_eq "-h: exit status 0" 0 "$rc"
for opt in --config --listen --zone --glue --no-glue --threads --log-queries --check --json --help --version; do
	check_match "-h lists $opt" "$opt" "$out"
done
run_glued out rc --help
check_eq "--help: exit status 0" 0 "$rc"

version=$(sed -n 's/^project(glued VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
run_glued out rc -V
check_eq "-V: exit status 0" 0 "$rc"
check_match "-V prints the version ($version)" "glued.*${version//./\\.}" "$out"
run_glued out rc --version
check_eq "--version: exit status 0" 0 "$rc"
check_match "--version prints the version ($version)" "${version//./\\.}" "$out"

lib_finish
