#!/usr/bin/env bats
# imgtool node diff with a new image version: the node's own files (its
# upper dir, kept across versions) that shadow files the update changed.

load helpers

setup() {
	bramble_setup
	need_root
	need_binfmt_arm64
	imgtool -q image import "$(synth_image base)" --name os
	# os@2: passwd changed, shadow removed, etc/added new, group untouched
	imgtool -q image exec os -- /bin/sh -c \
		'echo "svc:x:999:999::/:/bin/false" >> /etc/passwd; rm /etc/shadow; echo new > /etc/added'
	imgtool -q node add n1 --mac dc:a6:32:71:00:01 --image os@1
	# n1 booted os@1 (what bootsrv records on its heartbeat) ...
	cp "$BRAMBLE_STATE/nodes/n1/built.manifest" "$BRAMBLE_STATE/nodes/n1/booted.manifest"
	# ... and wrote files of its own
	up=$BRAMBLE_STATE/nodes/n1/state/upper
	mkdir -p "$up/etc" "$up/var/lib/bramble"
	echo "root:x:0:0:mine:/root:/bin/sh" >"$up/etc/passwd"	# the update changed it too
	echo "mine" >"$up/etc/group"				# the update left it alone
	echo "mine" >"$up/etc/shadow"				# the update removed it
	echo "mine" >"$up/etc/added"				# the update adds it too
	mknod "$up/etc/fstab" c 0 0				# removed by the node: untouched by the update
	echo "boot_id=x" >"$up/var/lib/bramble/heartbeat"
}

@test "node diff lists the node's files that shadow what the new version changed" {
	run imgtool node diff n1
	assert_success	# same version: nothing
	assert_output ""
	imgtool -q node set n1 image=os@2
	run imgtool node diff n1
	assert_failure 1
	assert_line --regexp '^M image os@1 .* -> os@2 '
	run grep '^C ' <<<"$output"
	assert_output "C etc/added (node made it; os@2 adds it too)
C etc/passwd (node changed it; os@2 changed it too)
C etc/shadow (node changed it; os@2 removes it)"
}

@test "a node that removed a file the update changed: a conflict too" {
	rm "$up/etc/passwd"
	mknod "$up/etc/passwd" c 0 0	# a whiteout: the node deleted it
	imgtool -q node set n1 image=os@2
	run imgtool node diff n1
	assert_failure 1
	assert_line "C etc/passwd (node removed it; os@2 changed it too)"
	refute_line --partial "etc/group"
	refute_line --partial "heartbeat"
}
