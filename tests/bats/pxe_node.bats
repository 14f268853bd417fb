#!/usr/bin/env bats
# Nodes of model pxe (plain x86_64/arm64 PXE machines): the TFTP dir the
# node build makes (lib/pxe_boot.h) and what bootsrv's dnsmasq answers to
# PXE firmware and to iPXE, asked by clients nobody here wrote (busybox
# udhcpc with the firmware's DHCP options, curl tftp://), next to a Pi.
# The QEMU end-to-end test (e2e_qemu.bats) boots such a node for real.

bats_require_minimum_version 1.5.0

load helpers
load node
load bootsrv_lib
load pxe

setup() {
	node_setup
	need_root
	pxe_setup
	imgtool image import -q "$PXE" --name pxe
}

teardown() { run_deferred; }

inode() { stat -c %i "$1"; }

@test "a PXE node's TFTP dir: its iPXE script, the image's kernel and initrd, the iPXE builds" {
	mkdir -p "$BATS_TEST_TMPDIR/ipxe/arm64-efi"
	for f in undionly.kpxe snponly.efi arm64-efi/snponly.efi; do
		echo "$f" >"$BATS_TEST_TMPDIR/ipxe/$f"
	done
	printf '[cluster]\nserver_ip = 10.42.0.1\n[paths]\nipxe_dir = %s\n' "$BATS_TEST_TMPDIR/ipxe" \
		>"$BRAMBLE_CONFIG"
	imgtool node add pc1 --mac 52:54:00:42:00:21 --model pxe --image pxe --var cmdline=quiet
	b=$(boot_of 52:54:00:42:00:21)
	run cat "$b/boot.ipxe"
	assert_line --index 0 '#!ipxe'
	assert_line 'echo bramble: node pc1, image pxe@1'
	assert_line 'kernel vmlinuz initrd=initrd.img root=/dev/nfs nfsroot=10.42.0.1:/nodes/pc1,vers=3,tcp,nolock,noacl rw ip=dhcp console=tty0 console=ttyS0,115200 quiet'
	assert_line 'initrd initrd.img'
	assert_line 'boot'
	# links, not copies, of the image version's files
	img="$BRAMBLE_STATE/images/pxe/1/root/boot"
	assert_equal "$(inode "$b/vmlinuz")" "$(inode "$img/vmlinuz-$KVER")"
	assert_equal "$(inode "$b/initrd.img")" "$(inode "$img/initrd.img-$KVER")"
	for f in undionly.kpxe snponly.efi arm64-efi/snponly.efi; do
		assert_equal "$(readlink "$b/$f")" "$BATS_TEST_TMPDIR/ipxe/$f"
	done
	# the identity layer is the same as a Pi's
	assert_equal "$(cat "$(ident_of pc1)/etc/hostname")" pc1

	# a new image version: the boot dir follows the node
	imgtool image import -q "$PXE" --name pxe
	imgtool node set pc1 image=pxe@2
	grep -qx 'echo bramble: node pc1, image pxe@2' "$b/boot.ipxe"
	assert_equal "$(inode "$b/vmlinuz")" \
		"$(inode "$BRAMBLE_STATE/images/pxe/2/root/boot/vmlinuz-$KVER")"
}

@test "Debian 12's iPXE builds are linked where they exist; arm64 has none" {
	[ -f /usr/lib/ipxe/undionly.kpxe ] || skip "no ipxe package"
	imgtool node add pc1 --mac 52:54:00:42:00:21 --model pxe --image pxe
	b=$(boot_of 52:54:00:42:00:21)
	assert_equal "$(readlink "$b/undionly.kpxe")" /usr/lib/ipxe/undionly.kpxe
	assert_equal "$(readlink "$b/snponly.efi")" /usr/lib/ipxe/snponly.efi
	[ ! -e "$b/arm64-efi" ]
}

@test "a PXE node on an image without a kernel, or with an unreadable one: one line, nothing changed" {
	node_image pi
	before=$(state_digest)
	run imgtool node add pc1 --mac 52:54:00:42:00:21 --model pxe --image pi
	assert_failure
	assert_output --regexp "image pi@1 has no kernel \(/vmlinuz or /boot/vmlinuz-\*\) for a PXE node"
	assert_equal "$(state_digest)" "$before"

	d="$BATS_TEST_TMPDIR/private"
	cp -a "$PXE" "$d"
	chmod 0600 "$d/boot/initrd.img-$KVER"
	imgtool image import -q "$d" --name private
	before=$(state_digest)
	run imgtool node add pc2 --mac 52:54:00:42:00:22 --model pxe --image private
	assert_failure
	assert_output --partial "image private@1: /boot/initrd.img-$KVER is not world-readable, so dnsmasq cannot serve it"
	assert_equal "$(state_digest)" "$before"
}

# dhcp_ask NS OPTS...: one DHCP exchange as busybox udhcpc; prints what it got
dhcp_ask() {
	local ns=$1
	shift
	printf '#!/bin/sh\n[ "$1" = bound ] && env | grep -E "^(boot_file|siaddr|ip|opt43)=" | sort\nexit 0\n' \
		>"$BATS_TEST_TMPDIR/dump.sh"
	chmod +x "$BATS_TEST_TMPDIR/dump.sh"
	ip netns exec "$ns" busybox udhcpc -i eth0 -n -q -f -t 3 -T 1 -s "$BATS_TEST_TMPDIR/dump.sh" "$@" 2>/dev/null
}

@test "full DHCP: BIOS, UEFI and arm64 firmware get their iPXE, iPXE its script; a Pi beside them its menu" {
	need_cmd curl
	bootsrv_net full
	imgtool image import -q "$(synth_image base)" --name os
	imgtool node add pc1 --mac 52:54:00:42:00:21 --model pxe --image pxe --ip 10.42.0.21
	imgtool node add pi1 --mac dc:a6:32:42:00:01 --image os
	bootsrv_start
	C=$(net_name c)
	net_client "$HEAD" "$C" 52:54:00:42:00:21
	for fw in 00000:undionly.kpxe 00007:snponly.efi 00009:snponly.efi 00011:arm64-efi/snponly.efi; do
		arch=${fw%%:*}
		run dhcp_ask "$C" -V "PXEClient:Arch:$arch:UNDI:003016" -x "0x5d:$(printf '%04x' "$((10#$arch))")"
		assert_line "boot_file=${fw#*:}"
		assert_line ip=10.42.0.21
		assert_line siaddr=10.42.0.1
	done
	# iPXE says so in its user class
	run dhcp_ask "$C" -V PXEClient:Arch:00000:UNDI:002001 -x 0x5d:0000 -x 0x4d:69505845
	assert_line boot_file=boot.ipxe
	# and fetches its files from the node's dir: the same bytes
	ip -n "$C" addr add 10.42.0.21/24 dev eth0
	run ip netns exec "$C" curl -sf tftp://10.42.0.1/boot.ipxe
	assert_line 'echo bramble: node pc1, image pxe@1'
	ip netns exec "$C" curl -sf -o "$BATS_TEST_TMPDIR/k" tftp://10.42.0.1/vmlinuz
	cmp "$BATS_TEST_TMPDIR/k" "$BRAMBLE_STATE/images/pxe/1/root/boot/vmlinuz-$KVER"
	if [ -f /usr/lib/ipxe/undionly.kpxe ]; then
		ip netns exec "$C" curl -sf -o "$BATS_TEST_TMPDIR/u" tftp://10.42.0.1/undionly.kpxe
		cmp "$BATS_TEST_TMPDIR/u" /usr/lib/ipxe/undionly.kpxe
	fi
	# the Pi (arch 0 too) still gets the Raspberry Pi menu and boots
	pisim_boot pi1 dc:a6:32:42:00:01 --model 4
	assert_equal "$(json_get "$BATS_TEST_TMPDIR/pi1.json" "d['hostname']")" pi1
	run sqlite3_q "SELECT count(*) FROM boot_events WHERE node = 'pc1' AND kind = 'dhcp'"
	[ "$output" -ge 1 ]
}
