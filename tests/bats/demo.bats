#!/usr/bin/env bats
# make demo (scripts/demo), with one Pi of each model and the QEMU PC, on the
# binaries under test: every node comes up, the replacement works, and
# nothing is left behind (namespaces, the VM, mounts, state).

load helpers
load pxe

setup() {
	bramble_setup
	need_boot_stack
	D="$BATS_TEST_TMPDIR/demo"
	NS=bd$(printf '%s' "$D" | md5sum | cut -c1-4)
	defer "$REPO/scripts/demo" --stop --dir "$D"
}

teardown() { run_deferred; }

nothing_left() {
	! ip netns list | grep -q "^$NS"
	! grep -q " $D/" /proc/mounts
	! pgrep -f "qemu-system-x86_64 .*$D/" >/dev/null
	[ ! -e "$D/state" ]
}

demo_output_ok() {
	assert_line --regexp '^== 6\. Power on 2 Pis and the PC'
	for n in pc01 pi4-01 pi5-01; do
		assert_line --regexp "^ +[0-9.]+ s +$n +up$"
		assert_line --regexp "^ +$n +.* up +[0-9.]+s "
	done
	assert_line --regexp '^ +pc01 +pxe +[0-9.]+ s +[0-9.]+ MB +pc01 \(console\)$'
	assert_line --regexp '^ +pi4-01 +4 +[0-9.]+ s +[0-9.]+ MB +pi4-01$'
	assert_line --regexp '^ +TFTP served in all: [0-9.]+ MB'
	assert_line --regexp '^ +dc:a6:32:de:04:99 d0e00499 4 '
	assert_line '   pi4-01 adopted dc:a6:32:de:04:99'
	assert_line --regexp "the new board booted in [0-9.]+ s with hostname 'pi4-01', and reads /home/pi/notes.txt:$"
	assert_line '     "written on pi4-01 before it died"'
	assert_line --regexp '^ +pi4-01 +dc:a6:32:de:04:99 d0e00499 4 .* up '
	assert_line --regexp '^== Done in [0-9]+ s: every node came up, and pi4-01 lives on on a new board'
}

@test "make demo: every node up, a dead Pi replaced, everything cleaned up" {
	run env BRAMBLE_BIN="$BRAMBLE_BIN" "$REPO/scripts/demo" --dir "$D" --pis 1
	printf '%s\n' "$output" | sed 's/\x1b\[[0-9;]*m//g' >"$BATS_TEST_TMPDIR/out"
	assert_success
	run cat "$BATS_TEST_TMPDIR/out"
	demo_output_ok
	assert_line --partial 'Cleaning up'
	nothing_left
	# what it built stays for the next run
	[ -f "$D/cache/raspios.img" ] && [ -d "$D/cache/pxe" ]
}

@test "make demo --keep leaves the cluster running; demo --stop removes it" {
	run env BRAMBLE_BIN="$BRAMBLE_BIN" "$REPO/scripts/demo" --dir "$D" --pis 1 --keep 3>&-
	assert_success
	assert_output --partial "Stop it with: make demo-stop (scripts/demo --stop --dir $D)"
	run env BRAMBLE_STATE="$D/state" BRAMBLE_CONFIG="$D/bramble.conf" bootsrv status
	assert_line --regexp '^pc01 .* up '
	ip netns list | grep -q "^${NS}h"
	run "$REPO/scripts/demo" --stop --dir "$D"
	assert_success
	nothing_left
}
