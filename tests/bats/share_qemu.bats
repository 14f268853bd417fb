#!/usr/bin/env bats
# A real Linux NFS client mounts a share: the QEMU VM of e2e_qemu.bats
# (scripts/mkpxeimage: a Debian kernel, busybox userspace) boots from
# bootsrv as node vm1 and mounts its shares with the kernel's NFSv3 client
# (the image carries no NFSv4 module; busybox's mount hands the kernel its
# text options). The libnfs tests (share_serve.bats) cover NFSv4.

bats_require_minimum_version 1.5.0

load helpers
load bootsrv_lib
load pxe

setup() {
	bramble_setup
	need_boot_stack
	imgtool image import -q "$(pxe_image)" --name pxe
}

teardown() { run_deferred; }

console_says() {
	local mark
	mark=$(vm mark "$1")
	vm send "$1" "$2"
	vm wait "$1" "$3" --from "$mark" --timeout 20
}

@test "the VM's kernel mounts its v3 shares: a file crosses, root is squashed, read-only refuses" {
	bootsrv_net proxy
	site_router
	imgtool node add vm1 --mac 52:54:00:42:00:11 --model pxe --image pxe >/dev/null
	imgtool share add data --proto v3 --nodes vm1 >/dev/null
	imgtool share add docs --proto v3 --ro --nodes vm1 >/dev/null
	local data docs
	data=$(imgtool share show data --json | jq -r .path)
	docs=$(imgtool share show docs --json | jq -r .path)
	install -d -m 1777 "$data/open"
	echo manual >"$docs/manual.txt"
	# the node's fstab has both, as systemd automounts
	grep -q "^10.42.0.1:/shares/data	/srv/data	nfs	rw,vers=3,nolock,.*x-systemd.automount" \
		"$BRAMBLE_STATE/nodes/vm1/ident/etc/fstab"
	bootsrv_start
	V=$BATS_TEST_TMPDIR/vm
	defer vm stop "$V"
	vm start "$V" --netns "$HEAD" --mac 52:54:00:42:00:11
	vm wait "$V" 'bramble-node: heartbeat started'
	local opts=vers=3,nolock,proto=tcp,addr=10.42.0.1,mountaddr=10.42.0.1
	console_says "$V" "mkdir -p /srv/data /srv/docs && mount -t nfs -o $opts 10.42.0.1:/shares/data /srv/data && mount -t nfs -o $opts 10.42.0.1:/shares/docs /srv/docs && echo MOUNT''ED" '^MOUNTED'
	console_says "$V" 'cat /srv/docs/manual.txt' '^manual'
	console_says "$V" 'echo from-vm >/srv/data/open/vm.txt && stat -c OWNER%u /srv/data/open/vm.txt' '^OWNER65534'
	assert_equal "$(cat "$data/open/vm.txt")" from-vm
	assert_equal "$(stat -c %u "$data/open/vm.txt")" 65534
	console_says "$V" 'echo x >/srv/docs/x 2>/dev/null || echo REFU''SED' '^REFUSED'
	assert_file_not_exists "$docs/x"
	echo from-head >"$data/open/head.txt"
	console_says "$V" 'cat /srv/data/open/head.txt' '^from-head'
}
