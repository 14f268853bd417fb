#!/usr/bin/env bats
# imgtool image exec/shell: a command's changes become the next version,
# sharing every unchanged file with the version it ran on; the old version
# never changes; failures, no-ops and kills create nothing.

load helpers
load image

setup() {
	bramble_setup
	need_root
}

import_base() {
	imgtool -q image import "$(synth_image base)" --name img
}

# A copy of a version taken now, to prove later that it did not change.
snapshot() {
	local copy="$BATS_TEST_TMPDIR/snap-$1-$2"
	rsync -aHAX "$(version_dir "$1" "$2")/" "$copy/"
	echo "$copy"
}

assert_unchanged() {
	run rsync -naHAXc --delete --itemize-changes "$1/" "$2/"
	assert_success
	assert_output ""
}

# Version directories of img, and rows: both must agree.
versions() {
	local dirs rows
	dirs=$(ls "$BRAMBLE_STATE/images/img" | sort -n | xargs)
	rows=$(db_rows "SELECT ver FROM versions WHERE image = 'img' ORDER BY ver" | xargs)
	[ "$dirs" = "$rows" ] || echo "directories $dirs, rows $rows"
	echo "$dirs"
}

# Rows of a query, columns joined by |, NULL as empty.
db_rows() {
	python3 -c 'import sqlite3,sys
for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]):
	print("|".join("" if c is None else str(c) for c in r))' "$BRAMBLE_STATE/bramble.db" "$1"
}

@test "exec adds a file: a new version with it, the old one unchanged, the rest shared" {
	need_binfmt_arm64
	import_base
	snap=$(snapshot img 1)
	run imgtool image exec img -- /bin/sh -c 'echo x > /etc/x; uname -m'
	assert_success
	assert_line --index 0 "aarch64"		# the image's arm64 busybox ran
	assert_line --index 1 --regexp "^0 changed, 1 added, 0 removed \(0.0 MiB new data\)$"
	assert_line --index 2 "created img@2"
	v1=$(version_dir img 1) v2=$(version_dir img 2)
	assert_equal "$(cat "$v2/root/etc/x")" "x"
	assert_not_exist "$v1/root/etc/x"
	assert_unchanged "$snap" "$v1"
	# Unchanged files are the parent's objects, not copies.
	for f in root/bin/busybox root/etc/passwd root/usr/bin/ping boot/start4.elf; do
		assert_equal "$(stat -c %i "$v2/$f")" "$(stat -c %i "$v1/$f")"
	done
	# Everything else is equal too: the new version is the old one plus etc/x.
	run bash -c "rsync -naHAXc --delete --itemize-changes '$v2/' '$v1/' | grep -v '^\.d..t'"
	assert_output ">f+++++++++ root/etc/x"
	run db_rows "SELECT ver, parent, source FROM versions ORDER BY ver"
	assert_output "1||$(realpath "$(synth_image base)")
2|1|image exec on img@1: /bin/sh -c echo x > /etc/x; uname -m"
	assert_equal "$(ls -A "$BRAMBLE_STATE/tmp")" ""
	assert_equal "$(our_mounts)" ""
}

@test "exec removes for real, changes metadata and boot files; no overlay traces" {
	need_binfmt_arm64
	import_base
	run imgtool image exec img -- /bin/sh -c '
		rm /etc/hostname
		rm -r /opt/torture && mkdir /opt/torture && echo n > /opt/torture/n
		chmod 600 /etc/passwd
		chown 1000:1000 /etc/group
		echo dtoverlay=bramble-test >> /boot/firmware/config.txt'
	assert_success
	assert_line "3 changed, 1 added, 11 removed (0.0 MiB new data)"
	assert_line "created img@2"
	v1=$(version_dir img 1) v2=$(version_dir img 2)
	assert_not_exist "$v2/root/etc/hostname"
	assert_equal "$(ls -A "$v2/root/opt/torture")" "n"
	assert_equal "$(stat -c %a "$v2/root/etc/passwd")" 600
	assert_equal "$(stat -c %u:%g "$v2/root/etc/group")" 1000:1000
	assert_equal "$(stat -c %a "$v1/root/etc/passwd")" 644
	assert_equal "$(tail -n1 "$v2/boot/config.txt")" "dtoverlay=bramble-test"
	refute grep -q bramble-test "$v1/boot/config.txt"
	# No whiteout device and no overlayfs attribute made it into the version.
	run bash -c "cd '$v2' && find . -type c | sort"
	assert_output "./root/dev/console
./root/dev/null"
	run getfattr -R -h -d -m '^trusted\.overlay' "$v2"
	assert_output ""
	run imgtool image diff img@1 img@2
	assert_success
	assert_output "M boot/config.txt
M root/etc/group
- root/etc/hostname
M root/etc/passwd
- root/opt/torture/abs-symlink
- root/opt/torture/fifo
- root/opt/torture/hardlink-a
- root/opt/torture/hardlink-b
+ root/opt/torture/n
- root/opt/torture/name with spaces
- root/opt/torture/setuid
- root/opt/torture/sparse
- root/opt/torture/symlink
- root/opt/torture/user-xattr
- root/opt/torture/ünïcödé-名前"
}

@test "exec keeps hardlinks the command made, and equal new files apart" {
	need_binfmt_arm64
	import_base
	run imgtool image exec img -- /bin/sh -c '
		ln /etc/passwd /etc/passwd.link
		echo same > /etc/a && echo same > /etc/b && touch -d @1700000000 /etc/a /etc/b'
	assert_success
	v2=$(version_dir img 2)
	assert_equal "$(stat -c %i "$v2/root/etc/passwd.link")" "$(stat -c %i "$v2/root/etc/passwd")"
	refute [ "$(stat -c %i "$v2/root/etc/a")" = "$(stat -c %i "$v2/root/etc/b")" ]
	# The version's own hardlink pair stays one pair.
	assert_equal "$(stat -c %i "$v2/root/opt/torture/hardlink-a")" \
		"$(stat -c %i "$v2/root/opt/torture/hardlink-b")"
}

@test "exec of a failing command creates nothing and exits with its status" {
	need_binfmt_arm64
	import_base
	before=$(state_digest)
	run imgtool image exec img -- /bin/sh -c 'echo x > /etc/x; exit 3'
	assert_failure 3
	assert_output "imgtool: error: /bin/sh exited with status 3: nothing created"
	assert_equal "$(state_digest)" "$before"
	run imgtool image exec img -- /no/such/program
	assert_failure 1
	assert_output --partial "cannot run /no/such/program in the image"
	assert_equal "$(state_digest)" "$before"
}

@test "exec with no change creates nothing" {
	need_binfmt_arm64
	import_base
	before=$(state_digest)
	run imgtool image exec img -- /bin/sh -c 'cat /etc/passwd >/dev/null; echo t > /tmp/t; echo r > /run/r'
	assert_success
	assert_output "no changes: nothing created"
	assert_equal "$(state_digest)" "$before"
}

@test "shell: commands on stdin; exit 0 commits, exit 1 throws away" {
	need_binfmt_arm64
	import_base
	run imgtool image shell img <<<'echo from-shell > /etc/motd'
	assert_success
	assert_line "created img@2"
	assert_equal "$(cat "$(version_dir img 2)/root/etc/motd")" "from-shell"
	run imgtool image shell img@1 <<<'echo no > /etc/motd; exit 1'
	assert_failure 1
	assert_equal "$(versions)" "1 2"
}

@test "exec: binds, API filesystems, resolv.conf; mount points it made are gone after" {
	need_binfmt_arm64
	import_base
	mkdir -p "$BATS_TEST_TMPDIR/host"
	echo from-host >"$BATS_TEST_TMPDIR/host/f"
	run imgtool image exec img --bind "$BATS_TEST_TMPDIR/host:/mnt/host" \
		--bind "$BATS_TEST_TMPDIR/host/f:/tmp/in/f" -- /bin/sh -c '
		cat /mnt/host/f
		cat /tmp/in/f
		cat /etc/resolv.conf | md5sum | cut -c1-32
		readlink /proc/1/exe >/dev/null && echo proc
		ls /sys/class >/dev/null && echo sys
		[ -c /dev/null ] && echo dev
		sleep 4711 &
		echo x > /etc/x'
	assert_success
	assert_line --index 0 "from-host"
	assert_line --index 1 "from-host"
	assert_line --index 2 "$(md5sum </etc/resolv.conf | cut -c1-32)"
	assert_line --index 3 "proc"
	assert_line --index 4 "sys"
	assert_line --index 5 "dev"
	assert_line "created img@2"
	assert_not_exist "$(version_dir img 2)/root/mnt/host"
	run imgtool image diff img@1 img@2
	assert_output "+ root/etc/x"
	# What the command left running died with it.
	run pgrep -f "sleep 4711"
	assert_failure
}

@test "kill -9 while committing leaves no version and no mount; the next exec cleans up" {
	need_binfmt_arm64
	import_base
	for point in exec-staged published; do
		run env BRAMBLE_CRASHPOINT=$point imgtool image exec img -- /bin/sh -c 'echo x > /etc/x'
		assert_equal "$status" 137
		assert_equal "$(db_rows "SELECT ver FROM versions")" "1"
		assert_equal "$(our_mounts)" ""
	done
	run imgtool image exec img -- /bin/sh -c 'echo x > /etc/x'
	assert_success
	assert_line "created img@2"
	assert_equal "$(versions)" "1 2"
	assert_equal "$(ls -A "$BRAMBLE_STATE/tmp")" ""
	run imgtool image gc
	assert_output "freed 0 unused files, 0.0 MiB"
}

@test "kill -9 of exec while the command runs: no process, no mount left; swept next time" {
	need_binfmt_arm64
	import_base
	imgtool image exec img -- /bin/sh -c 'echo x > /etc/x; exec sleep 4712' >/dev/null 2>&1 &
	pid=$!
	defer kill -9 "$pid"
	# The command's process: qemu-user running the image's sleep.
	for _ in $(seq 100); do
		pgrep -f "binfmt.* sleep 4712" >/dev/null && break
		sleep 0.1
	done
	pgrep -f "binfmt.* sleep 4712"
	kill -9 "$pid"
	wait "$pid" || true
	wait_gone pgrep -f "binfmt.* sleep 4712"
	assert_equal "$(our_mounts)" ""
	assert_equal "$(versions)" "1"
	run ls "$BRAMBLE_STATE/tmp"
	assert_output --regexp "^exec\."
	run imgtool image exec img -- true
	assert_success
	assert_output --partial "left by an interrupted image exec"
	assert_equal "$(ls -A "$BRAMBLE_STATE/tmp")" ""
}

@test "arm64 image without a usable binfmt handler: one line naming the fix, nothing changed" {
	import_base
	fake="$BATS_TEST_TMPDIR/binfmt"
	mkdir -p "$fake"
	before=$(state_digest)
	run env BRAMBLE_BINFMT_DIR="$fake" imgtool image exec img -- true
	assert_failure 1
	assert_output "imgtool: error: image is arm64: running its programs on this x86_64 head needs qemu-aarch64 registered in binfmt_misc ($fake/qemu-aarch64 is missing): apt-get install qemu-user-static binfmt-support, then 'update-binfmts --enable qemu-aarch64'"
	printf 'disabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: POF\n' >"$fake/qemu-aarch64"
	run env BRAMBLE_BINFMT_DIR="$fake" imgtool image exec img -- true
	assert_failure 1
	assert_output --partial "is disabled ($fake/qemu-aarch64): enable it with 'update-binfmts --enable qemu-aarch64'"
	printf 'enabled\ninterpreter /usr/bin/qemu-aarch64\nflags: \n' >"$fake/qemu-aarch64"
	run env BRAMBLE_BINFMT_DIR="$fake" imgtool image shell img
	assert_failure 1
	assert_output --partial "lacks the F flag"
	assert_equal "$(state_digest)" "$before"
}

@test "exec/shell bad input: one line, nothing changed" {
	import_base
	before=$(state_digest)
	check() {
		run imgtool image "$@"
		assert_failure
		assert_equal "${#lines[@]}" 1
		assert_equal "$(state_digest)" "$before"
	}
	check exec nosuch -- true
	assert_output --partial "unknown image 'nosuch'"
	check exec img@7 -- true
	assert_output --partial "image img has no version 7"
	check exec img --
	assert_output --partial "give the command to run after --"
	check exec img true
	assert_output --partial "give the command to run after --"
	check exec -- true
	assert_output --partial "give one NAME[@VER] before --"
	check exec img --bind /tmp -- true
	assert_output --partial "give SRC:DST"
	check exec img --bind /tmp:relative -- true
	assert_output --partial "give SRC:DST"
	check exec img --bind "$BATS_TEST_TMPDIR/nosuch:/mnt/x" -- true
	assert_output --partial "cannot use $BATS_TEST_TMPDIR/nosuch"
	check shell
	assert_output --partial "give one NAME[@VER]"
	check shell nosuch
	assert_output --partial "unknown image 'nosuch'"
}
