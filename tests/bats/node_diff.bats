#!/usr/bin/env bats
# imgtool node diff: would a reboot change this node?

load helpers
load node

setup() {
	node_setup
	node_image os
	imgtool node add node01 --mac dc:a6:32:01:02:03 --serial 9ffefdef --image os --ip 10.42.0.11
	imgtool node add node02 --image os
}

# What bootsrv's node_mark_booted does when the node's heartbeat comes.
mark_booted() {
	cp "$BRAMBLE_STATE/nodes/$1/built.manifest" "$BRAMBLE_STATE/nodes/$1/booted.manifest"
}

@test "diff: nothing after a fresh build; the manifest lists every file by hash" {
	run imgtool node diff node01
	assert_success
	assert_output ''
	local m="$BRAMBLE_STATE/nodes/node01/built.manifest"
	assert_equal "$(sed -n 1p "$m")" 'bramble-manifest 1'
	sed -n 2p "$m" | grep -q '^image os@1 created=[0-9]* files=[0-9]* bytes=[0-9]*$'
	grep -q "^f 0644 $(sha256sum <"$(ident_of node01)/etc/hostname" | cut -d' ' -f1) ident/etc/hostname$" "$m"
	grep -q "^f 0644 $(sha256sum <"$(boot_of dc:a6:32:01:02:03)/start4.elf" | cut -d' ' -f1) boot/start4.elf$" "$m"
	grep -q '^l 0777 [0-9a-f]* boot/9ffefdef$' "$m"
	run imgtool node diff node02
	assert_success
	assert_output ''
}

@test "diff: a template change shows before a build, and the live files are untouched" {
	mark_booted node01
	local ov="$BATS_TEST_TMPDIR/site"
	mkdir -p "$ov/root/etc" "$ov/boot"
	echo 'welcome to {{name}} of {{cluster}}' >"$ov/root/etc/motd.tmpl"
	echo 'rack-{{name}}' >"$ov/root/etc/hostname.tmpl"
	export BRAMBLE_OVERLAYS="$REPO/overlays:$ov"
	local before
	before=$(state_digest)
	run imgtool node diff node01
	assert_failure 1
	assert_output "M ident/etc/hostname
A ident/etc/motd"
	assert_equal "$(state_digest)" "$before"
	# build: the files change; against what it booted the node still differs
	imgtool node build
	assert_equal "$(cat "$(ident_of node01)/etc/hostname")" rack-node01
	run imgtool node diff node01
	assert_failure 1
	assert_line 'A ident/etc/motd'
	# node02 never booted: compared with its last build, nothing is left
	run imgtool node diff node02
	assert_success
	assert_output ''
	# it reboots
	mark_booted node01
	run imgtool node diff node01
	assert_success
}

@test "diff: a new image version lists the image and the boot files that changed" {
	mark_booted node01
	echo "kernel 2" >"$BATS_TEST_TMPDIR/src-os/boot/firmware/kernel8.img"
	node_image os
	imgtool node set node01 image=os@2
	run imgtool node diff node01
	assert_failure 1
	assert_line --index 0 --regexp '^M image os@1 created=.* -> os@2 created=.*$'
	assert_line 'M boot/kernel8.img'
	assert_line 'M ident/etc/bramble/image'
	assert_line 'M ident/etc/bramble/node'
	refute_line 'M boot/start4.elf'
}

@test "diff: errors exit 2" {
	run imgtool node diff nosuch
	assert_failure 2
	assert_output --partial "no node named 'nosuch'"
	echo garbage >"$BRAMBLE_STATE/nodes/node01/booted.manifest"
	run imgtool node diff node01
	assert_failure 2
	assert_output --partial 'booted.manifest is not a bramble manifest'
}
