#!/usr/bin/env bats
# imgtool node replace: a new board takes over a node and keeps its identity.

load helpers
load node

setup() {
	node_setup
	node_image os
	imgtool node add node03 --mac dc:a6:32:00:00:03 --serial 11111111 --image os --ip 10.42.0.13
	imgtool node add node04 --mac dc:a6:32:00:00:04 --image os
}

@test "replace: the new board keeps hostname, ssh host keys, machine-id and the node's files" {
	local ident old new upper keys id
	ident=$(ident_of node03) old=$(boot_of dc:a6:32:00:00:03) new=$(boot_of 2c:cf:67:00:00:33)
	upper="$BRAMBLE_STATE/nodes/node03/state/upper"
	# what the running node wrote before its board died
	mkdir -p "$upper/home/pi"
	echo "results of a week" >"$upper/home/pi/data"
	keys=$(cat "$ident"/etc/ssh/ssh_host_* | sha256sum)
	id=$(cat "$ident/etc/machine-id")
	local hostname_ino
	hostname_ino=$(stat -c %i "$ident/etc/hostname")

	run imgtool node replace node03 --mac 2C:CF:67:00:00:33 --serial 22222222
	assert_success
	assert_output --regexp '^node03: bound to 2C:CF:67:00:00:33 in [0-9]+ ms$'

	# hardware binding moved
	assert_equal "$(db_query "SELECT mac, serial, ip, image FROM nodes WHERE name = 'node03'")" \
		"2c:cf:67:00:00:33|22222222|10.42.0.13|os"
	[ ! -e "$old" ]
	[ -d "$new" ]
	assert_equal "$(readlink "$new/22222222")" .
	[ ! -e "$new/11111111" ]
	grep -q 'nfsroot=10.42.0.1:/nodes/node03,' "$new/cmdline.txt"
	assert_equal "$(stat -c %i "$new/start4.elf")" \
		"$(stat -c %i "$BRAMBLE_STATE/images/os/1/boot/start4.elf")"
	grep -qx 'mac=2c:cf:67:00:00:33' "$ident/etc/bramble/node"
	# identity and data kept; unchanged files not even rewritten
	assert_equal "$(cat "$ident"/etc/ssh/ssh_host_* | sha256sum)" "$keys"
	assert_equal "$(cat "$ident/etc/machine-id")" "$id"
	assert_equal "$(cat "$ident/etc/hostname")" node03
	assert_equal "$(stat -c %i "$ident/etc/hostname")" "$hostname_ino"
	assert_equal "$(cat "$upper/home/pi/data")" "results of a week"
	# the other node is untouched
	[ -d "$(boot_of dc:a6:32:00:00:04)" ]

	# without --serial the old board's serial goes
	run imgtool node replace node03 --mac 2c:cf:67:00:00:34
	assert_success
	assert_equal "$(db_query "SELECT serial IS NULL FROM nodes WHERE name = 'node03'")" 1
	[ ! -e "$(boot_of 2c:cf:67:00:00:34)/22222222" ]
	[ ! -e "$new" ]
}

@test "replace: an unbound node gets its first board" {
	imgtool node add spare --image os
	[ -z "$(ls "$BRAMBLE_STATE/tftp" | grep -v -e dc-a6-32-00-00-03 -e dc-a6-32-00-00-04)" ]
	run imgtool node replace spare --mac 02:00:00:00:00:07
	assert_success
	[ -f "$(boot_of 02:00:00:00:00:07)/config.txt" ]
}

@test "replace: bad input is refused and changes nothing" {
	local before
	before=$(state_digest)
	local -a cases=(
		"nosuch --mac 02:00:00:00:00:09|no node named 'nosuch'"
		"node03 --mac 02:00:00:00:00|not a MAC address"
		"node03 --mac 02:00:00:00:00:09 --serial xyz|not a Pi serial"
		"node03 --mac dc:a6:32:00:00:04|MAC dc:a6:32:00:00:04 already belongs to node node04"
	)
	for c in "${cases[@]}"; do
		eval "run imgtool node replace ${c%%|*}"
		assert_failure
		assert_equal "${#lines[@]}" 1
		assert_output --partial "${c#*|}"
		assert_equal "$(state_digest)" "$before"
	done
	run imgtool node replace node03
	assert_failure 2
	assert_output --partial 'usage: imgtool node replace'
	assert_equal "$(state_digest)" "$before"
}
