#!/usr/bin/env bats
# imgtool node set / list / show: changing a node rebuilds what depends on it.

load helpers
load node

setup() {
	node_setup
	node_image os
	imgtool node add node01 --mac dc:a6:32:01:02:03 --image os --ip 10.42.0.11
	imgtool node add node02 --mac dc:a6:32:01:02:04 --image os --ip 10.42.0.12
}

@test "set: a new address reaches every node's hosts, in place" {
	local hosts2 host2
	hosts2=$(ident_of node02)/etc/hosts
	host2=$(stat -c %i "$(ident_of node02)/etc/hostname")
	local ident_ino
	ident_ino=$(stat -c %i "$(ident_of node02)")
	run imgtool node set node01 ip=10.42.0.21
	assert_success
	grep -qx '10.42.0.21	node01' "$hosts2"
	run grep -c node01 "$hosts2"
	assert_output 1
	# re-rendered in place: same directory, untouched files keep their inode
	assert_equal "$(stat -c %i "$(ident_of node02)")" "$ident_ino"
	assert_equal "$(stat -c %i "$(ident_of node02)/etc/hostname")" "$host2"
	# clearing the address: 127.0.1.1 names the node itself
	imgtool node set node01 ip=
	grep -qx '127.0.1.1	node01' "$(ident_of node01)/etc/hosts"
	run grep node01 "$hosts2"
	assert_failure
}

@test "set: image version, variables and config.txt settings" {
	echo changed >>"$BATS_TEST_TMPDIR/src-os/boot/firmware/kernel8.img"
	node_image os
	run imgtool node set node01 image=os@2 var.rack=r3 config.arm_freq=1500 model=5
	assert_success
	assert_equal "$(cat "$(ident_of node01)/etc/bramble/image")" os@2
	local boot
	boot=$(boot_of dc:a6:32:01:02:03)
	assert_equal "$(stat -c %i "$boot/kernel8.img")" \
		"$(stat -c %i "$BRAMBLE_STATE/images/os/2/boot/kernel8.img")"
	grep -qx 'arm_freq=1500' "$boot/config.txt"
	run imgtool node show node01 --json
	assert_equal "$(echo "$output" | jq -r '.image + " " + .model + " " + .vars.rack')" "os@2 5 r3"
	# an empty value removes a variable
	imgtool node set node01 config.arm_freq=
	run grep arm_freq "$boot/config.txt"
	assert_failure
	# no image: no boot dir
	imgtool node set node01 image=
	[ ! -e "$boot" ]
	[ -f "$(ident_of node01)/etc/hostname" ]
}

@test "list and show: text and JSON" {
	imgtool node add spare --image os
	run imgtool node list
	assert_success
	assert_line --index 0 --regexp '^NAME +MODEL +MAC +SERIAL +IMAGE +IP +STATUS$'
	assert_line --regexp '^node01 +4 +dc:a6:32:01:02:03 +- +os@1 +10.42.0.11 +ready$'
	assert_line --regexp '^spare +4 +- +- +os@1 +- +unbound$'
	run imgtool node list --json
	assert_equal "$(echo "$output" | jq -r 'map(.name) | join(",")')" node01,node02,spare
	run imgtool node show node02
	assert_success
	assert_line --regexp "^machine_id +$(cat "$(ident_of node02)/etc/machine-id")$"
	assert_line --regexp "^boot_dir +$(boot_of dc:a6:32:01:02:04)$"
	run imgtool node show nosuch
	assert_failure
	assert_output --partial "no node named 'nosuch'"
}

@test "set: bad input is refused and changes nothing" {
	local before
	before=$(state_digest)
	local -a cases=(
		"node01 ip=10.42.0.12|IP 10.42.0.12 already belongs to node node02"
		"node01 ip=10.42.0.11 mac=dc:a6:32:01:02:04|MAC dc:a6:32:01:02:04 already belongs to node node02"
		"node01 ip=1.2.3|not an IPv4 address"
		"node01 model=|is not a model"
		"node01 image=os@3|image os has no version 3"
		"node01 colour=red|'colour' is not a node field"
		"node01 var.ip=1|built-in template variable"
		"node01 novalue|is not KEY=VALUE"
		"nosuch ip=10.42.0.30|no node named 'nosuch'"
	)
	for c in "${cases[@]}"; do
		eval "run imgtool node set ${c%%|*}"
		assert_failure
		assert_equal "${#lines[@]}" 1
		assert_output --partial "${c#*|}"
		assert_equal "$(state_digest)" "$before"
	done
}
