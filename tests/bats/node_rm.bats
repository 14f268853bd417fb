#!/usr/bin/env bats
# imgtool node rm: unpublish first, then remove row and files.

load helpers
load node
load nfsroot

setup() {
	node_setup
	# unpublishing binds the state dir on itself (nfsroot_share)
	defer nfsroot_umount_all
	node_image os
	imgtool node add node01 --mac dc:a6:32:01:02:03 --image os --ip 10.42.0.11
	imgtool node add node02 --mac dc:a6:32:01:02:04 --image os --ip 10.42.0.12
}

@test "rm: the row, identity, state and boot dir go; the others' hosts follow" {
	run imgtool node rm node01
	assert_success
	assert_output 'removed node01'
	[ ! -e "$BRAMBLE_STATE/nodes/node01" ]
	[ ! -e "$(boot_of dc:a6:32:01:02:03)" ]
	assert_equal "$(db_query "SELECT count(*) FROM nodes WHERE name = 'node01'")" 0
	run grep node01 "$(ident_of node02)/etc/hosts"
	assert_failure
	[ -d "$(boot_of dc:a6:32:01:02:04)" ]
}

@test "rm --keep-state: adding the name again takes up its identity and files" {
	local id keys
	id=$(cat "$(ident_of node01)/etc/machine-id")
	keys=$(cat "$(ident_of node01)"/etc/ssh/*.pub | sha256sum)
	echo mine >"$BRAMBLE_STATE/nodes/node01/state/upper/note"
	run imgtool node rm node01 --keep-state
	assert_success
	[ ! -e "$(ident_of node01)" ]
	[ ! -e "$(boot_of dc:a6:32:01:02:03)" ]
	[ -f "$BRAMBLE_STATE/nodes/node01/state/upper/note" ]
	imgtool node add node01 --mac 02:00:00:00:00:01 --image os
	assert_equal "$(cat "$(ident_of node01)/etc/machine-id")" "$id"
	assert_equal "$(cat "$(ident_of node01)"/etc/ssh/*.pub | sha256sum)" "$keys"
	assert_equal "$(cat "$BRAMBLE_STATE/nodes/node01/state/upper/note")" mine
}

@test "rm: a published node is unexported and unmounted first" {
	need_root
	imgtool node publish node01
	is_mounted "$(root_of node01)"
	[ -f "$BRAMBLE_STATE/run/ganesha/exports.d/node01.conf" ]
	run imgtool node rm node01
	assert_success
	run is_mounted "$(root_of node01)"
	assert_failure
	[ ! -e "$BRAMBLE_STATE/run/ganesha/exports.d/node01.conf" ]
	[ ! -e "$BRAMBLE_STATE/nodes/node01" ]
}

@test "rm: an unknown node is refused and nothing changes" {
	local before
	before=$(state_digest)
	run imgtool node rm nosuch
	assert_failure
	assert_output "imgtool: error: no node named 'nosuch' (see 'imgtool node list')"
	assert_equal "$(state_digest)" "$before"
	run imgtool node rm
	assert_failure 2
	assert_equal "$(state_digest)" "$before"
}
