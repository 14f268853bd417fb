#!/usr/bin/env bats
# The boot dir as dnsmasq serves it (tftp-unique-root=mac), fetched by curl
# from a client namespace with the node's MAC: plain and serial-prefixed
# names give the same bytes, so a known Pi never takes the prefix fallback.

load helpers
load node
load net

setup() {
	node_setup
	need_root
	need_cmd dnsmasq
	need_cmd curl
	node_image os
	imgtool node add node01 --mac dc:a6:32:01:02:03 --serial 9ffefdef --image os --ip 10.42.0.11
	HEAD=$(net_name h) CLIENT=$(net_name c)
	net_head "$HEAD" 10.42.0.1/24
	net_client "$HEAD" "$CLIENT" dc:a6:32:01:02:03 10.42.0.11/24
	# --user=root: the test dir is 0700, the head node's state dir is not
	ip netns exec "$HEAD" dnsmasq --keep-in-foreground --user=root --port=0 --bind-interfaces \
		--listen-address=10.42.0.1 --enable-tftp --tftp-root="$BRAMBLE_STATE/tftp" \
		--tftp-unique-root=mac --pid-file="$BATS_TEST_TMPDIR/dnsmasq.pid" \
		--log-facility="$BATS_TEST_TMPDIR/dnsmasq.log" &
	defer kill $!
	for _ in $(seq 50); do
		grep -q 'TFTP root' "$BATS_TEST_TMPDIR/dnsmasq.log" 2>/dev/null && break
		sleep 0.1
	done
}

fetch() {
	ip netns exec "$CLIENT" curl -sf "tftp://10.42.0.1/$1"
}

@test "tftp: the node's MAC dir serves image files, rendered files and the serial prefix" {
	local img="$BRAMBLE_STATE/images/os/1/boot" boot
	boot=$(boot_of dc:a6:32:01:02:03)
	# the Pi 4 bootloader's first request is serial-prefixed
	cmp <(fetch 9ffefdef/start4.elf) "$img/start4.elf"
	cmp <(fetch 9ffefdef/config.txt) "$boot/config.txt"
	cmp <(fetch 9ffefdef/overlays/vc4-kms-v3d.dtbo) "$img/overlays/vc4-kms-v3d.dtbo"
	cmp <(fetch start4.elf) "$img/start4.elf"
	cmp <(fetch cmdline.txt) "$boot/cmdline.txt"
	fetch cmdline.txt | grep -q 'nfsroot=10.42.0.1:/nodes/node01,vers=3,tcp,nolock,noacl'
	grep -q "sent $boot/9ffefdef/start4.elf to 10.42.0.11" "$BATS_TEST_TMPDIR/dnsmasq.log"
	# after a board swap the old MAC gets nothing, the new board everything
	# (another address: dnsmasq caches address -> MAC for a while)
	imgtool node replace node01 --mac dc:a6:32:0a:0b:0c
	run fetch 9ffefdef/start4.elf
	assert_failure
	local new
	new=$(net_name n)
	net_client "$HEAD" "$new" dc:a6:32:0a:0b:0c 10.42.0.12/24
	cmp <(ip netns exec "$new" curl -sf tftp://10.42.0.1/start4.elf) "$img/start4.elf"
}
