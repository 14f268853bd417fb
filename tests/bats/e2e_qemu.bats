#!/usr/bin/env bats
# End to end: a QEMU virtual machine network-boots from bramble all the way
# to userspace, as a node of model pxe. QEMU's virtio-net option ROM is iPXE
# (DHCP, TFTP of the node's boot.ipxe, kernel and initrd), the initrd of
# scripts/mkpxeimage mounts the node's NFS root (its overlay, served by
# NFS-Ganesha), and the identity layer's heartbeat reports the node up.
# The VM runs in the head namespace on a tap device on the head's bridge
# (scripts/vm); we read its serial console and type on it.

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

upper() { echo "$BRAMBLE_STATE/nodes/$1/state/upper"; }

# heartbeat_of NODE KEY: a field of the node's heartbeat file on the head.
heartbeat_of() {
	sed -n "s/^$2=//p" "$(upper "$1")/var/lib/bramble/heartbeat" 2>/dev/null
}

heartbeat_is() { [ "$(heartbeat_of "$1" "$2")" = "$3" ]; }
heartbeat_not() { [ "$(heartbeat_of "$1" "$2")" != "$3" ]; }
up_events() { [ "$(sqlite3_q "SELECT count(*) FROM boot_events WHERE node = '$1' AND kind = 'up'")" = "$2" ]; }

# boot_vm1 DIR: bootsrv in proxy mode beside a site router, node vm1 on pxe,
# its VM (from DIR) booted to its heartbeat
boot_vm1() {
	bootsrv_net proxy
	site_router
	imgtool node add vm1 --mac 52:54:00:42:00:01 --model pxe --image pxe
	bootsrv_start
	vm start "$1" --netns "$HEAD" --mac 52:54:00:42:00:01
	vm wait "$1" 'bramble-node: heartbeat started'
}

@test "a PXE VM boots to userspace, keeps its files across a reboot, and a replacement boots as the same node" {
	V1=$(vm_dir a)
	boot_vm1 "$V1"
	run tr -d '\r' <"$V1/console.log"
	# iPXE got the script from the proxy offer, the address from the site router
	assert_line --partial 'Filename: boot.ipxe'
	assert_line 'bramble: node vm1, image pxe@1'
	assert_line --regexp '^IP-Config: eth0 complete \(dhcp from 10\.42\.0\.254\):$'
	assert_line --regexp '^bramble-initrd: .* mounting 10\.42\.0\.1:/nodes/vm1 '
	assert_line 'bramble-node: hostname=vm1'
	# the site router advertises: bramble sends none (or stops the moment a
	# late answer arrives, bootsrv_ra.bats)
	grep -Eq 'advertises on br0( already)?: (sending no|bramble stops sending) router advertisements' "$BOOTSRV_LOG"
	run grep -c '^enable-ra' "$BRAMBLE_STATE/run/dnsmasq.conf"
	assert_output 0
	wait_for 10 heartbeat_is vm1 hostname vm1
	assert_equal "$(heartbeat_of vm1 image)" pxe@1
	boot1=$(heartbeat_of vm1 boot_id)
	wait_for 10 sh -c "bootsrv status | grep -q '^vm1 .* pxe@1 .* up '"

	# a file written on the node lands in its upper dir and survives a reboot
	vm send "$V1" 'echo "written by $(hostname) in boot $(cat /proc/sys/kernel/random/boot_id)" >/root/note; sync'
	wait_for 10 test -s "$(upper vm1)/root/note"
	assert_equal "$(cat "$(upper vm1)/root/note")" "written by vm1 in boot $boot1"
	mark=$(vm mark "$V1")
	vm send "$V1" 'reboot'
	vm wait "$V1" 'bramble-node: heartbeat started' --from "$mark"
	wait_for 10 heartbeat_not vm1 boot_id "$boot1"
	console_says "$V1" 'cat /root/note' "^written by vm1 in boot $boot1"
	# bootsrv polls the heartbeat file (a tick is 250 ms): its event follows
	wait_for 10 up_events vm1 2

	# the board dies; a new one (another MAC) is adopted and boots as vm1
	vm stop "$V1"
	run bootsrv adopt vm1 --mac 52:54:00:42:00:02
	assert_success
	assert_output 'vm1 adopted 52:54:00:42:00:02'
	V2=$(vm_dir b)
	vm start "$V2" --netns "$HEAD" --mac 52:54:00:42:00:02
	vm wait "$V2" 'bramble-node: heartbeat started'
	run tr -d '\r' <"$V2/console.log"
	assert_line 'bramble: node vm1, image pxe@1'
	assert_line 'bramble-node: hostname=vm1'
	console_says "$V2" 'cat /root/note' "^written by vm1 in boot $boot1"
	wait_for 10 sh -c "bootsrv status | grep -q '^vm1 .*52:54:00:42:00:02 .* up '"
}

# efi_to_script DIR MAC: power on a UEFI VM from DIR; once iPXE has its
# script, print the seconds from iPXE's start to then, and from power-on
efi_to_script() {
	local t0 t1
	t0=$(date +%s.%N)
	vm start "$1" --netns "$HEAD" --mac "$2" --uefi --no-ipxe
	vm wait "$1" 'iPXE initialising devices' --timeout 180
	t1=$(date +%s.%N)
	vm wait "$1" 'Filename: boot\.ipxe' --timeout 60
	python3 -c 'import sys,time; t=time.time(); print("%.1f %.1f" % (t - float(sys.argv[1]), t - float(sys.argv[2])))' "$t1" "$t0"
}

@test "a UEFI PC boots through full DHCP: its firmware's PXE gets iPXE, iPXE the script, one boot" {
	[ -f /usr/share/OVMF/OVMF_CODE_4M.fd ] || skip "no OVMF (apt-get install ovmf)"
	bootsrv_net full
	imgtool node add efi1 --mac 52:54:00:42:00:11 --model pxe --image pxe --ip 10.42.0.42
	# first another PC without router advertisements, as far as iPXE's
	# script: iPXE waits for its IPv6 configuration, and no router answers
	imgtool node add efi0 --mac 52:54:00:42:00:10 --model pxe --image pxe --ip 10.42.0.41
	echo 'ipv6_ra = off' >>"$BRAMBLE_CONFIG"
	bootsrv_start
	V0=$(vm_dir efi-no-ra)
	read -r off_ipxe off_all < <(efi_to_script "$V0" 52:54:00:42:00:10)
	run tr -d '\r' <"$V0/console.log"
	refute_line --regexp '^net0: fd[0-9a-f:]+/64'
	vm stop "$V0"
	bootsrv_stop
	# then as configured by default: nothing else advertises, so bramble does
	sed -i '/^ipv6_ra = off$/d' "$BRAMBLE_CONFIG"
	bootsrv_start
	assert_file_contains "$BOOTSRV_LOG" 'IPv6 router advertisements on br0 with router lifetime 0'
	V=$(vm_dir efi)
	# OVMF's own PXE, no iPXE option ROM: dnsmasq must hand it snponly.efi
	t0=$(date +%s)
	read -r on_ipxe on_all < <(efi_to_script "$V" 52:54:00:42:00:11)
	vm wait "$V" 'bramble-node: heartbeat started' --timeout 180
	echo "# iPXE start to its script: ${off_ipxe} s without router advertisements," \
		"${on_ipxe} s with them (power-on to script: ${off_all} s, ${on_all} s;" \
		"to heartbeat with them: $(($(date +%s) - t0)) s)" >&3
	run tr -d '\r' <"$V/console.log"
	# iPXE took the advertised prefix (SLAAC) and no default route from it
	assert_line --regexp '^net0: fd[0-9a-f:]+/64$'
	refute_line --regexp '^net0: fd.* gw '
	assert_line 'bramble: node efi1, image pxe@1'
	assert_line --regexp '^IP-Config: eth0 complete \(dhcp from 10\.42\.0\.1\)'
	assert_line --regexp '^ address: 10\.42\.0\.42 '
	assert_line 'bramble-node: hostname=efi1'
	wait_for 10 heartbeat_is efi1 hostname efi1
	grep -q 'sent .*/52-54-00-42-00-11/snponly.efi ' "$BOOTSRV_LOG"
	grep -q 'sent .*/52-54-00-42-00-11/boot.ipxe ' "$BOOTSRV_LOG"
	# the firmware's DHCP and iPXE's are one boot
	wait_for 10 sh -c "bootsrv status | grep -q '^efi1 .* up '"
	run sqlite3_q "SELECT count(*) FROM boot_events WHERE node = 'efi1' AND kind = 'dhcp'"
	assert_output 1
}

# rolled_to DIR VER VERB...: `bootsrv VERB...` of vm1 (a rollout or rollback)
# succeeds, its VM rebooted through iPXE into VER and its heartbeat says VER
rolled_to() {
	local dir=$1 ver=$2 mark
	shift 2
	mark=$(vm mark "$dir")
	# the hook types on the VM's console; '#' drops the arguments bootsrv appends
	run bootsrv "$@" --nodes vm1 --timeout 120 --reboot-cmd "vm send '$dir' reboot #"
	assert_success
	assert_line --regexp '^[0-9:]+ done: 1 node on '
	assert_equal "$(heartbeat_of vm1 image)" "$ver"
	vm wait "$dir" "^bramble: node vm1, image $ver\$" --from "$mark" --timeout 1
	vm wait "$dir" 'bramble-node: heartbeat started' --from "$mark" --timeout 10
}

@test "a PXE VM rolled out to an image exec'd version sees the new file after its reboot; rollback takes it away" {
	V=$(vm_dir a)
	boot_vm1 "$V"
	wait_for 10 heartbeat_is vm1 image pxe@1
	run imgtool image exec pxe -- sh -c 'echo rolled >/etc/rolled'
	assert_success
	assert_line 'created pxe@2'
	rolled_to "$V" pxe@2 rollout pxe@2
	console_says "$V" 'cat /etc/rolled' '^rolled$'
	rolled_to "$V" pxe@1 rollback
	console_says "$V" 'cat /etc/rolled' "/etc/rolled'?: No such file"
}
