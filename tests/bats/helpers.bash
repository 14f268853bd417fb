# Shared BATS helpers: built binaries on PATH, a private state dir per test,
# and a cleanup stack that runs even when a test fails.
#
#   load helpers            in every .bats file
#   defer CMD...            run CMD at teardown (last deferred runs first)
#   synth_image NAME [OPTS] path of a cached synthetic Pi image (scripts/mkimage OPTS)
#   need_root / need_cmd X  skip with a reason when the machine cannot run the test
#   need_binfmt_arm64       skip unless arm64 programs run here (imgtool image exec
#                           of the synthetic image: qemu-user binfmt with the F flag)

bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
: "${BRAMBLE_BIN:=$REPO/build-san/bin}"
export PATH="$BRAMBLE_BIN:$REPO/scripts:$PATH"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

# A cache shared by all tests of one run (images are slow to build).
CACHE=${BRAMBLE_TEST_CACHE:-${BATS_RUN_TMPDIR:-/tmp}/cache}

bramble_setup() {
	export BRAMBLE_STATE="$BATS_TEST_TMPDIR/state"
	export BRAMBLE_CONFIG="$BATS_TEST_TMPDIR/bramble.conf"
	: >"$BRAMBLE_CONFIG"
	DEFER="$BATS_TEST_TMPDIR/defer"
	: >"$DEFER"
}

# Default setup/teardown; a file that defines its own calls these.
setup() { bramble_setup; }
teardown() { run_deferred; }

# One write per line: helpers started in parallel (cmd &) defer too, and
# O_APPEND keeps a single small write whole.
defer() {
	local line
	line=$(printf '%q ' "$@")
	printf '%s\n' "$line" >>"$DEFER"
}

run_deferred() {
	[ -f "${DEFER:-}" ] || return 0
	tac "$DEFER" | while IFS= read -r cmd; do
		eval "$cmd" >/dev/null 2>&1 || true
	done
	: >"$DEFER"
}

need_root() {
	[ "$(id -u)" = 0 ] || skip "needs root"
}

need_cmd() {
	command -v "$1" >/dev/null || skip "needs $1"
}

need_binfmt_arm64() {
	[ "$(uname -m)" = aarch64 ] || grep -qs '^flags: .*F' /proc/sys/fs/binfmt_misc/qemu-aarch64 ||
		skip "needs qemu-aarch64 in binfmt_misc with the F flag (run scripts/setup)"
}

# synth_image KEY [mkimage options]: build once per run, return the path.
synth_image() {
	local key=$1; shift
	local out="$CACHE/$key.img"
	case " $* " in *" --xz "*) out="$out.xz" ;; esac
	if [ ! -e "$out" ]; then
		mkdir -p "$CACHE"
		(
			flock 9
			if [ ! -e "$out" ]; then
				mkimage "$@" -o "$out.part" >&2 && mv "$out.part" "$out"
			fi
		) 9>"$CACHE/.lock"
	fi
	echo "$out"
}

# Run a command and require that the state dir did not change (bad input).
state_digest() {
	if [ -d "$BRAMBLE_STATE" ]; then
		(cd "$BRAMBLE_STATE" && find . -path ./lock -prune -o -printf '%p %s %m %U\n' | LC_ALL=C sort |
			md5sum)
		if [ -f "$BRAMBLE_STATE/bramble.db" ]; then
			sqlite_dump | md5sum
		fi
	fi
}

sqlite_dump() {
	python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); [print(l) for l in c.iterdump()]' \
		"$BRAMBLE_STATE/bramble.db"
}
