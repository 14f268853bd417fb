#!/usr/bin/env bats
# imgtool fsck: a clean state says so; each kind of damage made by hand is
# one exact line, exit 1, and no change on disk; --repair fixes what is
# derivable (a second fsck is clean) and names the rest.

load helpers
load node
load nfsroot

setup() {
	node_setup
	need_root
	node_image os
	imgtool -q node add node01 --mac dc:a6:32:01:02:03 --image os
	imgtool -q node add node02 --image os
	S=$BRAMBLE_STATE
	REAL=$(realpath "$S")
}

teardown() {
	run_deferred
}

# Every path with its inode, size, mode, owner and links, every file's
# content and the database's rows: what "fsck changes nothing" compares.
# The database as rows, read first: closing it checkpoints a killed
# command's WAL into the file. Not the state dir's own mtime: SQLite makes
# and removes its -wal and -shm files there.
snapshot() {
	sqlite_dump 2>&1 | md5sum
	(cd "$S" && find . -path ./lock -prune -o -path './bramble.db*' -prune -o -path . -o \
		-printf '%p %y %i %s %m %U %n\n' | LC_ALL=C sort &&
		find . -type f ! -name lock ! -name 'bramble.db*' -exec md5sum {} + | LC_ALL=C sort)
}

objects() {
	find "$S/objects" -type f | wc -l
}

clean_line() {
	echo "state $S: $1 versions, $2 nodes, $(objects) objects: no problems"
}

# assert_finds LINE...: fsck prints exactly these problems and the count,
# exits 1 and leaves the state dir as it was.
assert_finds() {
	local before n=$#
	before=$(snapshot)
	run imgtool fsck
	assert_failure 1
	assert_output "$(printf '%s\n' "$@"; echo "state $S: $n problem$([ $n = 1 ] || echo s)")"
	assert_equal "$(snapshot)" "$before"
}

# assert_repairs FIXED LEFT LINE...: --repair prints these lines and the
# counts, exits 0 when nothing is left (else 1).
assert_repairs() {
	local fixed=$1 left=$2 n
	shift 2
	n=$((fixed + left))
	run imgtool fsck --repair
	if [ "$left" = 0 ]; then assert_success; else assert_failure 1; fi
	assert_output "$(printf '%s\n' "$@"
		echo "state $S: $n problem$([ $n = 1 ] || echo s), $fixed repaired, $left left")"
}

assert_clean() {
	run imgtool fsck
	assert_success
	assert_output "$(clean_line "${1:-1}" "${2:-2}")"
}

# the object file a version file links, relative to the state dir
object_of() {
	(cd "$S" && find objects -samefile "$1")
}

@test "a clean state after an import and node adds: no problems, exit 0" {
	assert_clean 1 2
	run imgtool fsck --quick
	assert_success
	assert_output "$(clean_line 1 2)"
	run imgtool fsck --repair
	assert_success
	assert_output "$(clean_line 1 2)"
	run imgtool fsck --bogus
	assert_failure 2
	assert_line "usage: imgtool fsck [--repair] [--quick]"
}

@test "a deleted object: the version's file is stored again" {
	rm "$S/$(object_of "$S/images/os/1/root/etc/hostname")"
	local msg="images/os/1/root/etc/hostname: linked to no stored object (its object was removed, or the file replaced)"
	assert_finds "$msg (imgtool fsck --repair stores it again)"
	assert_repairs 1 0 "$msg: stored again"
	assert_clean
	[ "$(stat -c %i "$S/images/os/1/root/etc/hostname")" = \
	  "$(stat -c %i "$S/$(object_of "$S/images/os/1/root/etc/hostname")")" ]
}

@test "a version file changed in place: named, not repairable, --quick does not see it" {
	local obj
	obj=$(object_of "$S/images/os/1/root/etc/hostname")
	echo changed >>"$S/images/os/1/root/etc/hostname"
	local msg="images/os/1/root/etc/hostname: differs from its stored object $obj (changed in place): image os@1 is damaged: remove it ('imgtool image rm os@1') and import it again"
	assert_finds "$msg"
	assert_repairs 0 1 "$msg"
	run imgtool fsck --quick
	assert_success
}

@test "a version directory without its row: removed" {
	mkdir -p "$S/images/os/2/root" "$S/images/os/2/boot"
	echo x >"$S/images/os/2/root/x"
	local msg="images/os/2: version directory without a database row (left by an interrupted import or rm)"
	assert_finds "$msg (imgtool fsck --repair removes it)"
	assert_repairs 1 0 "$msg: removed"
	assert_clean
	[ ! -e "$S/images/os/2" ]
}

@test "a version row without its directory: named with the fix, which works" {
	python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("INSERT INTO versions (image, ver, created, files, bytes, source) VALUES (?, 2, 0, 0, 0, ?)", ("os", "x")); c.commit()' "$S/bramble.db"
	local msg="image os@2: its directory images/os/2 is missing: remove the version ('imgtool image rm os@2') and import it again"
	assert_finds "$msg"
	assert_repairs 0 1 "$msg"
	imgtool -q image rm os@2
	assert_clean
}

@test "leftover staging dirs and temp files of interrupted writes: removed" {
	mkdir -p "$S/tmp/stage.Ab12Cd/version/root" "$S/tmp/trash.Xy34Zw/x"
	echo half >"$S/nodes/node01/keep/ssh/.new-ssh_host_rsa_key"
	echo half >"$S/nodes/node01/built.manifest.tmp.999999"
	run imgtool fsck
	assert_failure 1
	assert_line "tmp/stage.Ab12Cd: a staging directory left by an interrupted import or image exec (imgtool fsck --repair removes it)"
	assert_line "tmp/trash.Xy34Zw: a tree an interrupted rm was deleting (imgtool fsck --repair removes it)"
	assert_line "nodes/node01/built.manifest.tmp.999999: temp file of a write an interrupted command left (imgtool fsck --repair removes it)"
	assert_line "nodes/node01/keep/ssh/.new-ssh_host_rsa_key: temp file of a write an interrupted command left (imgtool fsck --repair removes it)"
	assert_line "state $S: 4 problems"
	assert_equal "${#lines[@]}" 5
	run imgtool fsck --repair
	assert_success
	assert_line "tmp/stage.Ab12Cd: a staging directory left by an interrupted import or image exec: removed"
	assert_line "state $S: 4 problems, 4 repaired, 0 left"
	assert_clean
	run ls -A "$S/tmp"
	assert_output ""
}

@test "a node dir without its row: derived files go, keep/ and state/ stay" {
	mkdir -p "$S/nodes/ghost/ident/etc" "$S/nodes/ghost/keep" "$S/nodes/ghost/state/upper"
	echo ghost >"$S/nodes/ghost/ident/etc/hostname"
	echo id >"$S/nodes/ghost/keep/machine-id"
	local msg="nodes/ghost: files of no node in the database"
	assert_finds "$msg (imgtool fsck --repair removes them; keep/ and state/ stay)"
	assert_repairs 1 0 "$msg: removed; keep/ and state/ stay"
	assert_clean
	run ls "$S/nodes/ghost"
	assert_output "keep
state"
	# what 'node rm --keep-state' leaves is no problem either
	defer nfsroot_umount_all	# rm binds the state dir on itself (nfsroot_share)
	imgtool -q node rm --keep-state node02
	assert_clean 1 1
}

@test "a TFTP dir of no node and damaged node files: rebuilt from the records" {
	mkdir -p "$S/tftp/dc-a6-32-09-09-09"
	echo wrong >"$(ident_of node01)/etc/hostname"
	rm "$(boot_of dc:a6:32:01:02:03)/config.txt"
	echo stray >"$(ident_of node02)/etc/leftover"
	rm "$S/nodes/node02/built.manifest"
	local m1="node node01: 2 files differ from what its record builds (first: A boot/config.txt)"
	local m2="node node02: 1 file differs from what its record builds (first: D ident/etc/leftover)"
	local m3="tftp/dc-a6-32-09-09-09: boot dir of no node (no node with an image has MAC dc-a6-32-09-09-09)"
	assert_finds "$m1 (imgtool fsck --repair rebuilds them)" "$m2 (imgtool fsck --repair rebuilds them)" \
		"$m3 (imgtool fsck --repair removes it)"
	assert_repairs 3 0 "$m1: rebuilt" "$m2: rebuilt" "$m3: removed"
	assert_clean
	assert_equal "$(cat "$(ident_of node01)/etc/hostname")" node01
	# a missing built.manifest alone
	rm "$S/nodes/node02/built.manifest"
	assert_finds "node node02: nodes/node02/built.manifest does not describe its files (imgtool fsck --repair rebuilds them)"
}

@test "an interrupted node command: finished like the next node command would" {
	BRAMBLE_CRASHPOINT=node-committed run imgtool node add node03 --image os
	assert_failure 137
	local m="an interrupted node command left its build unfinished"
	assert_finds "node node01: $m (imgtool fsck --repair finishes it)" \
		"node node02: $m (imgtool fsck --repair finishes it)" \
		"node node03: $m (imgtool fsck --repair finishes it)"
	run imgtool fsck --repair
	assert_success
	assert_line "node node01: $m: finished"
	assert_line "node node03: $m: finished"
	assert_line "state $S: 3 problems, 3 repaired, 0 left"
	assert_clean 1 3
}

@test "a damaged database: one line, exit 1, not repairable" {
	head -c 8192 /dev/urandom >"$S/bramble.db"
	local msg="bramble.db: cannot be used (database: file is not a database): restore it from a backup (fsck cannot repair the database)"
	assert_finds "$msg"
	assert_repairs 0 1 "$msg"
}

@test "a database with a damaged page: one line, exit 1" {
	python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA wal_checkpoint(TRUNCATE)")' "$S/bramble.db"
	# page 2 onward: table b-trees, not the header
	dd if=/dev/urandom of="$S/bramble.db" bs=4096 seek=1 count=3 conv=notrunc 2>/dev/null
	run imgtool fsck
	assert_failure 1
	assert_line --index 0 --regexp '^bramble\.db: (cannot be used|damaged database) \(.*\): restore (it|bramble\.db) from a backup \(fsck cannot repair the database\)$'
	assert_equal "${#lines[@]}" 2
}

@test "a stale mount and a loop device in the state dir: unmounted, detached" {
	local dev
	mkdir -p "$S/run/stale"
	mount -t tmpfs fsck-test "$S/run/stale"
	defer umount -l "$S/run/stale"
	truncate -s 1M "$S/run/loop.img"
	dev=$(losetup -f --show "$S/run/loop.img")
	defer losetup -d "$dev"
	local m1="mount $REAL/run/stale: no node needs it (left by an interrupted command)"
	local m2="loop device $dev: backed by $REAL/run/loop.img in the state dir (left by an interrupted import)"
	assert_finds "$m1 (imgtool fsck --repair unmounts it)" "$m2 (imgtool fsck --repair detaches it)"
	assert_repairs 2 0 "$m1: unmounted" "$m2: detached"
	assert_clean
	run grep -F "$REAL/run/stale" /proc/self/mounts
	assert_output ""
}
