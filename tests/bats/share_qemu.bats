#!/usr/bin/env bats
# A real Linux NFS client mounts a share: the QEMU VM of e2e_qemu.bats
# (scripts/mkpxeimage: a Debian kernel, busybox userspace) boots from
# bootsrv as node vm1 and mounts its shares with the kernel's NFS client
# (busybox's mount hands the kernel its text options): NFSv3, and NFSv4.1
# with a lock the VM's kernel holds against a libnfs client.

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

# lockhold: flock() a file, say HELD, keep it until killed (a static
# program the VM runs from the share: busybox has no flock applet)
lockhold() {
	cat >"$BATS_TEST_TMPDIR/lockhold.c" <<-'C'
	#include <fcntl.h>
	#include <stdio.h>
	#include <sys/file.h>
	#include <unistd.h>
	int main(int argc, char **argv)
	{
		int fd = argc == 2 ? open(argv[1], O_RDWR | O_CREAT, 0666) : -1;
		if (fd < 0 || flock(fd, LOCK_EX) < 0) { perror("lockhold"); return 1; }
		printf("HE" "LD\n");
		fflush(stdout);
		for (;;) pause();
	}
	C
	cc -static -O2 -o "$1" "$BATS_TEST_TMPDIR/lockhold.c"
}

@test "the VM's kernel mounts its v3 shares: a file crosses, root is squashed, read-only refuses; the share outlives a bootsrv restart and a reboot" {
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
	V=$(vm_dir a)
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
	# the share outlives a restart of bootsrv and a reboot of the node
	bootsrv_stop
	bootsrv_start
	local mark
	mark=$(vm mark "$V")
	vm send "$V" reboot
	vm wait "$V" 'bramble-node: heartbeat started' --from "$mark"
	console_says "$V" "mkdir -p /srv/data && mount -t nfs -o $opts 10.42.0.1:/shares/data /srv/data && echo REMOUNT''ED" '^REMOUNTED'
	console_says "$V" 'cat /srv/data/open/vm.txt' '^from-vm'
}

@test "the VM's kernel mounts a v4.1 share; its flock blocks a libnfs client on another node" {
	need_cmd cc
	bootsrv_net proxy
	site_router
	imgtool node add vm1 --mac 52:54:00:42:00:12 --model pxe --image pxe >/dev/null
	imgtool node add b --ip 10.42.0.102 >/dev/null
	imgtool share add data --nodes vm1,b --squash none >/dev/null
	local data
	data=$(imgtool share show data --json | jq -r .path)
	lockhold "$data/lockhold"
	bootsrv_start
	local B
	B=$(net_name b)
	net_client "$HEAD" "$B" 02:00:00:00:02:02 10.42.0.102/24
	V=$(vm_dir a)
	vm start "$V" --netns "$HEAD" --mac 52:54:00:42:00:12
	vm wait "$V" 'bramble-node: heartbeat started'
	console_says "$V" 'ip -4 -o addr show eth0 | sed "s/.*inet \([0-9.]*\).*/VMIP=\1/"' '^VMIP=[0-9]'
	local ip
	ip=$(tr -d '\r' <"$V/console.log" | sed -n 's/^VMIP=\([0-9.]*\)$/\1/p' | tail -1)
	console_says "$V" "mkdir -p /srv/data && mount -t nfs4 -o vers=4.1,proto=tcp,addr=10.42.0.1,clientaddr=$ip 10.42.0.1:/shares/data /srv/data && grep -o 'vers=4.1' /proc/mounts | sed s/^/MOUNT/" '^MOUNTvers=4.1'
	console_says "$V" '/srv/data/lockhold /srv/data/lockfile &' 'HELD$'
	run ip netns exec "$B" nfsshare trylock "nfs://10.42.0.1/shares/data/lockfile?version=4"
	assert_failure 1
	assert_output busy
	console_says "$V" 'kill %1; wait; echo GO''NE' 'GONE$'
	run ip netns exec "$B" nfsshare trylock "nfs://10.42.0.1/shares/data/lockfile?version=4"
	assert_success
	assert_output locked
}
