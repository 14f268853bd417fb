#!/usr/bin/env bats
# imgtool node import / export: CSV between head nodes, all or nothing.

load helpers
load node

setup() {
	node_setup
	node_image os
}

@test "csv: export, import on another head node, export again: the same list" {
	imgtool node add node01 --mac dc:a6:32:01:02:03 --serial 9ffefdef --image os --ip 10.42.0.11
	imgtool node add node02 --model 5 --image os
	imgtool node add pxe01 --model pxe --mac 52:54:00:00:00:01
	run imgtool node export
	assert_success
	echo "$output" >"$BATS_TEST_TMPDIR/nodes.csv"
	assert_line --index 0 'name,mac,serial,model,image,ip'
	assert_line 'node01,dc:a6:32:01:02:03,9ffefdef,4,os@1,10.42.0.11'
	assert_line 'pxe01,52:54:00:00:00:01,,pxe,,'

	# a second head node
	export BRAMBLE_STATE="$BATS_TEST_TMPDIR/state2"
	node_image os "$BATS_TEST_TMPDIR/src-os"
	run imgtool node import "$BATS_TEST_TMPDIR/nodes.csv"
	assert_success
	assert_line "imported 3 nodes from $BATS_TEST_TMPDIR/nodes.csv"
	run imgtool node export
	diff -u "$BATS_TEST_TMPDIR/nodes.csv" <(echo "$output")
	assert_equal "$(cat "$(ident_of node01)/etc/hostname")" node01
	[ -L "$(boot_of dc:a6:32:01:02:03)/9ffefdef" ]
	# model pxe: identity layer, but no Pi boot files
	[ -f "$(ident_of pxe01)/etc/hostname" ]
	[ ! -e "$(boot_of 52:54:00:00:00:01)" ]
}

@test "csv: one bad row and no node is added; the error names file and line" {
	imgtool node add old --mac 02:00:00:00:00:99 --image os
	local before
	before=$(state_digest)
	local csv="$BATS_TEST_TMPDIR/in.csv"
	local -a cases=(
		"name,mac
a,02:00:00:00:00:01
b,02:00:00:00:00:1|in.csv:3: '02:00:00:00:00:1' is not a MAC address"
		"name,image
a,os
b,nosuch|in.csv:3: unknown image 'nosuch'"
		"ip,name
10.42.0.5,a
10.42.0.5,b|IP 10.42.0.5 already belongs to node a"
		"name,mac
a,02:00:00:00:00:99|MAC 02:00:00:00:00:99 already belongs to node old"
		"name,mac
a,02:00:00:00:00:01
a,02:00:00:00:00:02|node a already exists"
		"name,rack
a,1|in.csv:1: unknown column 'rack'"
		"mac
02:00:00:00:00:01|in.csv:1: the header has no 'name' column"
		"name,mac
a|in.csv:2: 1 fields, but the header has 2"
		"name|in.csv lists no nodes"
	)
	for c in "${cases[@]}"; do
		printf '%s\n' "${c%%|*}" >"$csv"
		run imgtool node import "$csv"
		assert_failure
		assert_equal "${#lines[@]}" 1
		assert_output --partial "${c#*|}"
		assert_equal "$(state_digest)" "$before"
	done
	run imgtool node import "$BATS_TEST_TMPDIR/missing.csv"
	assert_failure
	assert_output --partial 'cannot open'
}
