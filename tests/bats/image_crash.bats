#!/usr/bin/env bats
# kill -9 of an import (or rm) at any moment leaves no partial version, no
# loop device, no mount, no helper process; the next command cleans up and
# works.

load helpers
load image

# Nothing of a killed import may be visible or left running.
assert_no_traces() {
	local img=$1
	run imgtool image list --json
	assert_success
	assert_output "[]"
	wait_gone our_loops "$img"
	assert_equal "$(our_mounts)" ""
	run pgrep -f "$BRAMBLE_STATE"
	assert_output ""
}

# After the next import: it is version 1 and nothing else remains.
assert_clean_import() {
	local img=$1
	run imgtool image import "$img" --name k
	assert_success
	assert_line --partial "imported k@1 "
	run ls -A "$BRAMBLE_STATE/tmp"
	assert_output ""
	run ls "$BRAMBLE_STATE/images/k"
	assert_output "1"
	run imgtool image gc
	assert_output "freed 0 unused files, 0.0 MiB"
}

@test "kill -9 at each step of an import" {
	need_root
	img=$(synth_image base)
	imgtool image list >/dev/null
	for point in mounted copied published; do
		run env BRAMBLE_CRASHPOINT=$point imgtool image import "$img" --name k
		assert_equal "$status" 137	# SIGKILL
		assert_no_traces "$img"
	done
	# The last one left a version directory without its row.
	assert [ -d "$BRAMBLE_STATE/images/k/1" ]
	assert_clean_import "$img"
}

@test "kill -9 of an .img.xz import: the unnamed temp image goes too" {
	need_root
	xz=$(synth_image base --xz)
	imgtool image list >/dev/null
	run env BRAMBLE_CRASHPOINT=mounted imgtool image import "$xz" --name k
	assert_equal "$status" 137
	# The loop device was backed by an O_TMPFILE in the state dir.
	assert_no_traces "$xz"
	assert_clean_import "$xz"
}

# kill_when COND: start an import of $img, kill -9 it as soon as COND (a
# shell test) holds; fails when the import finished first.
kill_when() {
	imgtool image import "$img" --name k >/dev/null 2>&1 &
	local pid=$! i
	for i in $(seq 2000); do
		if eval "$1"; then
			kill -9 $pid
			wait $pid || true
			return 0
		fi
		kill -0 $pid 2>/dev/null || break
		sleep 0.01
	done
	wait $pid || true
	fail "the import ended before: $1"
}

@test "kill -9 from outside while the boot partition and the root are copied" {
	need_root
	head -c 100M /dev/urandom >"$BATS_TEST_TMPDIR/big"
	img=$(synth_image bigroot --boot-size real --root-size 160 --extra-file "$BATS_TEST_TMPDIR/big:/opt/big")
	imgtool image list >/dev/null
	# mtools extracting the boot partition (a child process that must die too)
	kill_when '[ -n "$(ls -A "$BRAMBLE_STATE"/tmp/stage.*/raw-boot 2>/dev/null)" ]'
	assert_no_traces "$img"
	# the root being copied into objects
	kill_when '[ -d "$(echo "$BRAMBLE_STATE"/tmp/stage.*/version/root/opt)" ]'
	assert_no_traces "$img"
	assert_clean_import "$img"
}

@test "kill -9 of rm between its row and its directory" {
	need_root
	img=$(synth_image base)
	imgtool -q image import "$img" --name k
	imgtool -q image import "$img" --name k
	run env BRAMBLE_CRASHPOINT=unlisted imgtool image rm k@2
	assert_equal "$status" 137
	run imgtool image list
	refute_line --regexp "^k +2 "
	# The next locked command removes the orphaned directory; k@1 is intact.
	run imgtool image gc
	assert_success
	run ls "$BRAMBLE_STATE/images/k"
	assert_output "1"
	assert_root_is_partition "$img" "$(version_dir k 1)/root"
}
