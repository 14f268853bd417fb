#!/usr/bin/env bats
# Node roots without an NFS server: the overlay, its faults, the kernel
# backend's rendered exports, and the verbs' bad input.

load helpers
load node
load nfsroot

setup() {
	nfsroot_setup
}

@test "publish mounts an NFS-exportable overlay and writes a Ganesha export per node" {
	imgtool node add n1 --image x --ip 10.42.0.11 >/dev/null
	imgtool node add n2 --image x >/dev/null
	run imgtool node publish
	assert_success
	assert_line "published n1: 10.42.0.1:/nodes/n1 for 10.42.0.11"
	assert_line "published n2: 10.42.0.1:/nodes/n2 for 10.42.0.0/24"
	grep " $(root_of n1) overlay " /proc/self/mounts | grep -q nfs_export=on
	# the merged root: the node's hostname over the image's, the image's init
	[ "$(cat "$(root_of n1)/etc/hostname")" = n1 ]
	[ -L "$(root_of n2)/sbin/init" ]
	exp="$BRAMBLE_STATE/run/ganesha/exports.d"
	grep -qx $'\tPath = "'"$(root_of n1)"'";' "$exp/n1.conf"
	grep -qx $'\tPseudo = "/nodes/n2";' "$exp/n2.conf"
	grep -qx $'\tCLIENT { Clients = 10.42.0.0/24; Access_Type = RW; }' "$exp/n2.conf"
	grep -qx $'\tBind_Addr = 10.42.0.1;' "$BRAMBLE_STATE/run/ganesha/ganesha.conf"
	# the same again changes nothing (export ids are stable)
	before=$(cat "$exp"/*.conf)
	run imgtool node publish n2 n1
	assert_success
	[ "$(cat "$exp"/*.conf)" = "$before" ]
	[ "$(grep -c " $(root_of n1) overlay " /proc/self/mounts)" = 1 ]
	# a write in the root lands in the node's upper dir only
	echo hi >"$(root_of n1)/probe"
	[ -f "$(upper_of n1)/probe" ]
	[ ! -e "$(root_of n2)/probe" ]
	[ ! -e "$BRAMBLE_STATE/images/x/1/root/probe" ]

	run imgtool node unpublish n1
	assert_success
	assert_output "unpublished n1"
	! is_mounted "$(root_of n1)"
	is_mounted "$(root_of n2)"
	[ ! -e "$exp/n1.conf" ] && [ -e "$exp/n2.conf" ]
	[ -f "$(upper_of n1)/probe" ]	# the node's state stays
}

@test "publish remounts a node whose image version changed; rm and stale exports unpublish" {
	imgtool node add n1 --image x --ip 10.42.0.11 >/dev/null
	imgtool node add n2 --image x --ip 10.42.0.12 >/dev/null
	imgtool node publish
	echo "a file of n1" >"$(root_of n1)/mine"
	# x@2: the same tree and a new file
	echo newimage >"$BATS_TEST_TMPDIR/src-x/etc/motd"
	node_image x
	imgtool node set n1 image=x@2 >/dev/null
	run imgtool node publish
	assert_success
	assert_output --partial "n1: remounting over its new layers"
	assert_line "published n1: 10.42.0.1:/nodes/n1 for 10.42.0.11"
	[ "$(cat "$(root_of n1)/etc/motd")" = newimage ]
	[ "$(cat "$(root_of n1)/mine")" = "a file of n1" ]
	grep " $(root_of n1) overlay " /proc/self/mounts | grep -q "images/x/2/root"
	# removing a mounted, exported node takes its export and mount first
	run imgtool node rm n2
	assert_success
	! is_mounted "$(root_of n2)"
	[ ! -e "$BRAMBLE_STATE/run/ganesha/exports.d/n2.conf" ]
	[ ! -e "$BRAMBLE_STATE/nodes/n2" ]
	# an export left behind (a crash) goes at the next publish of everything
	cp "$BRAMBLE_STATE/run/ganesha/exports.d/n1.conf" "$BRAMBLE_STATE/run/ganesha/exports.d/ghost.conf"
	run imgtool node publish
	assert_success
	assert_line "unpublished ghost"
	[ ! -e "$BRAMBLE_STATE/run/ganesha/exports.d/ghost.conf" ]
}

@test "a kernel that drops nfs_export is reported and nothing is exported" {
	imgtool node add n1 --image x --ip 10.42.0.11 >/dev/null
	# ramfs has no file handles: overlayfs mounts but turns nfs_export off
	mount -t ramfs ramfs "$BRAMBLE_STATE/nodes/n1/ident"
	echo n1 >"$BRAMBLE_STATE/nodes/n1/ident/hostname"
	run imgtool node publish n1
	assert_failure
	assert_output --partial "n1: the kernel mounted its overlay without nfs_export"
	assert_output --partial "$BRAMBLE_STATE/nodes/n1/ident is on a filesystem without file handles"
	assert_output --partial "not exported"
	[ "$(echo "$output" | grep -c error)" -ge 1 ]
	! is_mounted "$(root_of n1)"
	[ ! -e "$BRAMBLE_STATE/run/ganesha/exports.d/n1.conf" ]
}

@test "an upper dir on another filesystem than the image is refused, nothing changed" {
	imgtool node add n1 --image x --ip 10.42.0.11 >/dev/null
	imgtool node unpublish	# renders run/ganesha, shares the state dir
	mkdir -p "$BRAMBLE_STATE/nodes/n1/state"
	mount -t tmpfs tmpfs "$BRAMBLE_STATE/nodes/n1/state"
	before=$(state_digest)
	run imgtool node publish n1
	assert_failure
	assert_output --partial "n1: its state dir $(upper_of n1) is on another filesystem than the image"
	[ "$(state_digest)" = "$before" ]
	! is_mounted "$(root_of n1)"
}

@test "a replaced identity dir (stale overlay origin) is reset with a warning" {
	imgtool node add n1 --image x --ip 10.42.0.11 >/dev/null
	imgtool node publish n1
	imgtool node unpublish n1
	ident="$BRAMBLE_STATE/nodes/n1/ident"
	mv "$ident" "$ident.old"
	cp -a "$ident.old" "$ident"
	echo n1-new >"$ident/etc/hostname"
	run imgtool node publish n1
	assert_success
	assert_output --partial "identity layer $ident was replaced rather than re-rendered in place"
	[ "$(cat "$(root_of n1)/etc/hostname")" = n1-new ]
}

@test "kernel backend: exports.d entries and exportfs -ra, added and removed" {
	exports="$BATS_TEST_TMPDIR/exports.d"
	calls="$BATS_TEST_TMPDIR/exportfs.calls"
	printf '#!/bin/sh\necho "$*" >>%s\n' "$calls" >"$BATS_TEST_TMPDIR/exportfs"
	chmod +x "$BATS_TEST_TMPDIR/exportfs"
	cat >>"$BRAMBLE_CONFIG" <<-EOF
	nfs_backend = kernel
	[paths]
	exports_dir = $exports
	exportfs = $BATS_TEST_TMPDIR/exportfs
	EOF
	imgtool node add n1 --image x --ip 10.42.0.11 >/dev/null
	imgtool node add n2 --image x >/dev/null
	run imgtool node publish
	assert_success
	assert_line "published n1: 10.42.0.1:$(root_of n1) for 10.42.0.11"
	[ "$(cat "$exports/bramble-n1.exports")" = "# Node n1, generated by bramble; rewritten at every publish.
$(root_of n1) 10.42.0.11(rw,no_subtree_check,no_root_squash,fsid=1,sync)" ]
	grep -qx "$(root_of n2) 10.42.0.0/24(rw,no_subtree_check,no_root_squash,fsid=2,sync)" \
		"$exports/bramble-n2.exports"
	[ "$(cat "$calls")" = "-ra" ]
	[ ! -e "$BRAMBLE_STATE/run/ganesha/exports.d" ]
	run imgtool node unpublish n2
	assert_success
	[ ! -e "$exports/bramble-n2.exports" ] && [ -e "$exports/bramble-n1.exports" ]
	[ "$(wc -l <"$calls")" = 2 ]
	! is_mounted "$(root_of n2)"
	# a failing exportfs is an error naming it
	printf '#!/bin/sh\necho "exportfs: no nfsd" >&2; exit 1\n' >"$BATS_TEST_TMPDIR/exportfs"
	run imgtool node publish n2
	assert_failure
	assert_output --partial "exportfs failed (exit 1): exportfs: no nfsd"
}

@test "verbs: --help, unknown and imageless nodes refused without changes" {
	for verb in publish unpublish verify; do
		run imgtool node "$verb" --help
		assert_success
		assert_output --partial "usage: imgtool node $verb"
	done
	imgtool node add n1 --image x --ip 10.42.0.11 >/dev/null
	imgtool node add bare --image x >/dev/null
	imgtool node set bare image= >/dev/null
	imgtool node unpublish
	before=$(state_digest)
	run imgtool node publish n1 nosuch
	assert_failure
	assert_output --partial "no node named 'nosuch'"
	run imgtool node publish bare
	assert_failure
	assert_output --partial "node bare has no image: give it one with 'imgtool node set bare image=NAME'"
	run imgtool node unpublish nosuch
	assert_failure
	assert_output --partial "no node named 'nosuch'"
	run imgtool node verify nosuch
	assert_failure
	assert_output --partial "no node named 'nosuch'"
	run imgtool node verify
	assert_failure
	[ "$(state_digest)" = "$before" ]
	! is_mounted "$(root_of n1)"
}
