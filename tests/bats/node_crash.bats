#!/usr/bin/env bats
# A node command killed between its database commit and the end of the
# file build: the row carries a pending mark, and the next node command
# finishes the job (the build is idempotent, so finishing = building again).

load helpers
load node
load nfsroot

setup() {
	node_setup
	node_image os
	imgtool node add node01 --mac dc:a6:32:01:02:03 --image os --ip 10.42.0.11
}

@test "crash after node add commits: the node is pending; the next command builds it" {
	BRAMBLE_CRASHPOINT=node-committed run imgtool node add node02 --mac dc:a6:32:01:02:04 \
		--image os --ip 10.42.0.12
	assert_failure 137
	assert_equal "$(db_query "SELECT pending FROM nodes ORDER BY name")" "build
build"
	[ ! -e "$(ident_of node02)" ]
	run imgtool node list
	assert_line --regexp '^node02 .* pending$'
	# any changing node command first finishes the interrupted one
	run imgtool node set node01 var.x=1
	assert_success
	assert_line 'imgtool: info: finishing an interrupted change: rebuilding the files of 2 nodes'
	assert_equal "$(db_query "SELECT count(*) FROM nodes WHERE pending IS NOT NULL")" 0
	assert_equal "$(cat "$(ident_of node02)/etc/hostname")" node02
	grep -qx '10.42.0.12	node02' "$(ident_of node01)/etc/hosts"
	[ -f "$(boot_of dc:a6:32:01:02:04)/cmdline.txt" ]
	run imgtool node diff node02
	assert_success
}

@test "crash after node replace commits: the old boot dir goes on the next command" {
	BRAMBLE_CRASHPOINT=node-committed run imgtool node replace node01 --mac 02:00:00:00:00:05
	assert_failure 137
	[ -d "$(boot_of dc:a6:32:01:02:03)" ]
	[ ! -e "$(boot_of 02:00:00:00:00:05)" ]
	imgtool node build
	[ ! -e "$(boot_of dc:a6:32:01:02:03)" ]
	[ -f "$(boot_of 02:00:00:00:00:05)/config.txt" ]
}

@test "crash in the middle of node rm: the next command finishes the removal" {
	imgtool node add node02 --image os
	defer nfsroot_umount_all	# rm binds the state dir on itself (nfsroot_share)
	BRAMBLE_CRASHPOINT=node-rm-files run imgtool node rm node02
	assert_failure 137
	assert_equal "$(db_query "SELECT pending FROM nodes WHERE name = 'node02'")" rm
	run imgtool node list
	assert_line --regexp '^node02 .* removing$'
	run imgtool node build
	assert_success
	assert_line 'imgtool: info: node node02: finishing its interrupted removal'
	assert_equal "$(db_query "SELECT count(*) FROM nodes WHERE name = 'node02'")" 0
	[ ! -e "$BRAMBLE_STATE/nodes/node02" ]
}

@test "a rebuild repairs damaged files and clears a killed sync's temp files" {
	local ident
	ident=$(ident_of node01)
	echo wrong >"$ident/etc/hostname"
	rm "$ident/etc/fstab"
	echo stray >"$ident/etc/hosts.bramble-tmp"
	echo stray >"$ident/etc/leftover"
	imgtool node build node01
	assert_equal "$(cat "$ident/etc/hostname")" node01
	[ -f "$ident/etc/fstab" ]
	[ ! -e "$ident/etc/hosts.bramble-tmp" ]
	[ ! -e "$ident/etc/leftover" ]
	run imgtool node diff node01
	assert_success
}
