#!/usr/bin/env bats
# The real OS: a Raspberry Pi OS Lite-like image built from Debian 12's
# arm64 packages (scripts/mkrealimage: systemd, NetworkManager, sshd, the
# linux-image-arm64 kernel as kernel8.img) imported as a download is, and
# a node booting it as a Pi 4 does: pisim is the firmware stage (DHCP, the
# Pi 4's TFTP sequence from bootsrv), QEMU's arm64 virt machine runs the
# kernel, initramfs and cmdline.txt it fetched (scripts/vm --pi4), with the
# node's NFS root over its overlay, to systemd's multi-user.target. Checked
# from the head, over ssh with the cluster key. Phase timings go to the
# test output.

bats_require_minimum_version 1.5.0

load helpers
load bootsrv_lib
load pxe

NODE_IP=10.42.0.42
MAC=dc:a6:32:42:00:01

setup() {
	bramble_setup
	need_boot_stack
	command -v qemu-system-aarch64 >/dev/null || skip "no qemu-system-aarch64 (apt-get install qemu-system-arm)"
	need_cmd mmdebstrap
	need_binfmt_arm64
	# built once per recipe, in the background from the start of
	# scripts/run-tests: this waits for that build
	REAL=$(mkrealimage --cached)
}

teardown() { run_deferred; }

upper() { echo "$BRAMBLE_STATE/nodes/$1/state/upper"; }

heartbeat_of() {
	sed -n "s/^$2=//p" "$(upper "$1")/var/lib/bramble/heartbeat" 2>/dev/null
}

# on_node CMD: run CMD on the node as root over ssh, with the cluster key
# and the node's kept host keys (as bootsrv's rollout hook does)
on_node() {
	ip netns exec "$HEAD" ssh -n -i "$BRAMBLE_STATE/keep/cluster_ed25519" -o BatchMode=yes \
		-o ConnectTimeout=10 -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$BATS_TEST_TMPDIR/known_hosts" \
		root@"$NODE_IP" "$@"
}

known_hosts() {
	local k
	for k in "$BRAMBLE_STATE"/nodes/pi1/keep/ssh/ssh_host_*_key.pub; do
		echo "$NODE_IP $(cut -d' ' -f1,2 "$k")"
	done >"$BATS_TEST_TMPDIR/known_hosts"
}

# seconds since the console line matching REGEX's stamp line (pi4-firmware: ... at T)
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", b - a }'; }

@test "a Pi 4 boots the real OS image: systemd to multi-user, NetworkManager, ssh, heartbeat, no swap; a rollout reboots it onto the new version" {
	run imgtool image import "$REAL" --name realos
	assert_success
	assert_line --partial 'cmdline.txt: removed first-boot'
	assert_line --partial 'dphys-swapfile: disabled'
	root=$BRAMBLE_STATE/images/realos/1/root
	assert_file_exists "$BRAMBLE_STATE/images/realos/1/boot/kernel8.img"
	assert_file_exists "$BRAMBLE_STATE/images/realos/1/boot/initramfs8"
	assert_file_exists "$BRAMBLE_STATE/images/realos/1/boot/start4.elf"
	# as Pi OS Lite ships: ssh off, root locked, no pi user
	refute [ -e "$root/etc/systemd/system/multi-user.target.wants/ssh.service" ]
	run grep -c '^pi:' "$root/etc/passwd"
	assert_output 0

	bootsrv_net full
	imgtool node add pi1 --mac "$MAC" --model 4 --image realos --ip "$NODE_IP"
	bootsrv_start
	known_hosts
	V=$(vm_dir pi1)
	t0=$(now)
	vm start "$V" --netns "$HEAD" --mac "$MAC" --pi4
	vm wait "$V" 'pi4-firmware: starting the kernel' --timeout 120
	t_fw=$(now)
	vm wait "$V" 'Run /init as init process' --timeout 120
	t_kernel=$(now)
	vm wait "$V" 'systemd\[1\]: .*(running in system mode|Detected architecture)' --timeout 600
	t_root=$(now)
	wait_for 600 test -s "$(upper pi1)/var/lib/bramble/heartbeat"
	t_hb=$(now)
	wait_for 300 on_node true
	t_ssh=$(now)
	system_state=$(on_node systemctl is-system-running --wait || true)
	t_up=$(now)
	echo "# real-OS boot: firmware stage $(secs "$t0" "$t_fw") s, kernel to /init $(secs "$t_fw" "$t_kernel") s," \
		"to systemd on the NFS root $(secs "$t_kernel" "$t_root") s, to heartbeat $(secs "$t_root" "$t_hb") s," \
		"to ssh $(secs "$t_hb" "$t_ssh") s, to running $(secs "$t_ssh" "$t_up") s; total $(secs "$t0" "$t_up") s" >&3
	if [ "$system_state" != running ]; then
		on_node 'systemctl --failed --no-legend; for u in $(systemctl --failed --no-legend --plain | cut -d" " -f1); do journalctl -b -u "$u" --no-pager | tail -n 4; done' >&3 2>&1 || true
	fi

	# the firmware stage fetched the image's files from the node's TFTP dir
	run cat "$V/console.log"
	assert_output --partial 'kernel8.img'
	assert_output --partial 'initramfs8'
	# the heartbeat: written by the systemd unit, this boot's, this node's
	run on_node systemctl is-active bramble-heartbeat.service
	assert_output active
	assert_equal "$(heartbeat_of pi1 boot_id)" "$(on_node cat /proc/sys/kernel/random/boot_id)"
	assert_equal "$(heartbeat_of pi1 hostname)" pi1
	assert_equal "$(heartbeat_of pi1 image)" realos@1
	assert_equal "$(on_node hostname)" pi1
	assert_equal "$(on_node cat /etc/machine-id)" "$(cat "$BRAMBLE_STATE/nodes/pi1/ident/etc/machine-id")"
	# NetworkManager runs and left the root's interface up with its address
	assert_equal "$(on_node systemctl is-active NetworkManager.service)" active
	run on_node ip -o -4 addr show
	assert_output --regexp "inet $NODE_IP/24 "
	run on_node findmnt -n -o FSTYPE /
	assert_output nfs
	# the clock is right (the virt board's RTC, then timesyncd)
	d=$(( $(on_node date +%s) - $(date +%s) ))
	[ "${d#-}" -le 5 ]
	# no swap, no swap file on the NFS root
	assert_equal "$(on_node swapon --show --noheadings)" ""
	assert_file_not_exists "$(upper pi1)/var/swap"

	# a rollout with the default reboot hook (ssh root@node reboot) brings
	# it back on the new version, through the firmware stage again
	run imgtool image exec realos -- sh -c 'echo rolled >/etc/rolled'
	assert_success
	boot1=$(heartbeat_of pi1 boot_id)
	run bootsrv rollout realos@2 --nodes pi1 --timeout 900
	assert_success
	assert_line --regexp '^[0-9:]+ done: 1 node on '
	assert_equal "$(cat "$V/boots")" 2
	assert_equal "$(heartbeat_of pi1 image)" realos@2
	[ "$(heartbeat_of pi1 boot_id)" != "$boot1" ]
	wait_for 300 on_node true
	assert_equal "$(on_node cat /etc/rolled)" rolled
	# last, so that a degraded boot still shows every other check: systemd
	# found every unit working (none failed, none ignored)
	assert_equal "$system_state" running
}
