#!/usr/bin/env bats
# pisim, the emulated Pi bootloader, against servers nobody here wrote:
# dnsmasq (proxy-DHCP or full DHCP, TFTP with tftp-unique-root=mac) in a
# head namespace configured by hand per reference/pi-netboot.md §3, busybox
# udhcpd as the site's address server, and NFS-Ganesha for the root.

bats_require_minimum_version 1.5.0

load helpers
load net
load ganesha

SUBNET=10.42.0
HEAD_IP=$SUBNET.1

setup() {
	bramble_setup
	need_root
	need_cmd dnsmasq
	T=$BATS_TEST_TMPDIR
	HEAD=$(net_name h)
	net_head "$HEAD" "$HEAD_IP/24"
	mkdir -p "$T/tftp"
}

# tftp_dir MAC: the node's TFTP root under tftp-unique-root=mac.
tftp_dir() {
	echo "$T/tftp/${1//:/-}"
}

# boot_tree MODEL DIR: the files that model's firmware loads, random content.
boot_tree() {
	local model=$1 d=$2 f
	mkdir -p "$d/overlays"
	cat >"$d/config.txt" <<-EOF
	# written by pisim.bats
	arm_64bit=1
	[pi4]
	dtoverlay=vc4-kms-v3d
	[pi5]
	dtoverlay=vc4-kms-v3d-pi5
	[all]
	auto_initramfs=1
	EOF
	echo "console=serial0,115200 root=/dev/nfs nfsroot=$HEAD_IP:/nodes/n1,vers=3,tcp,nolock,noacl ip=dhcp rw rootwait" \
		>"$d/cmdline.txt"
	case $model in
	4) set -- start4.elf:700000 fixup4.dat:5400 bcm2711-rpi-4-b.dtb:52000 overlays/overlay_map.dtb:3000 \
		overlays/vc4-kms-v3d.dtbo:3500 kernel8.img:2500000 initramfs8:1500000 ;;
	5) set -- bcm2712-rpi-5-b.dtb:80000 overlays/overlay_map.dtb:3000 overlays/vc4-kms-v3d-pi5.dtbo:3500 \
		kernel_2712.img:2500000 initramfs_2712:1500000 ;;
	3) set -- bootcode.bin:52000 start.elf:700000 fixup.dat:7300 bcm2710-rpi-3-b-plus.dtb:35000 \
		overlays/overlay_map.dtb:3000 kernel8.img:1200000 initramfs8:600000 ;;
	esac
	for f in "$@"; do
		head -c "${f#*:}" /dev/urandom >"$d/${f%:*}"
	done
}

# dnsmasq_start proxy|full [MENU]: the boot server in the head namespace.
dnsmasq_start() {
	local range menu=${2:-Raspberry Pi Boot} i
	case $1 in
	proxy) range="$HEAD_IP,proxy" ;;
	full) range="$SUBNET.100,$SUBNET.199,255.255.255.0" ;;
	esac
	cat >"$T/dnsmasq.conf" <<-EOF
	port=0
	interface=br0
	bind-interfaces
	dhcp-range=$range
	dhcp-leasefile=$T/dnsmasq.leases
	no-ping
	pxe-service=0,"$menu"
	enable-tftp
	tftp-root=$T/tftp
	tftp-unique-root=mac
	log-dhcp
	user=root
	pid-file=$T/dnsmasq.pid
	EOF
	ip netns exec "$HEAD" dnsmasq -C "$T/dnsmasq.conf" --keep-in-foreground --log-facility=- \
		</dev/null >"$T/dnsmasq.log" 2>&1 3>&- &
	defer kill $!
	for i in $(seq 50); do
		grep -q "TFTP root is" "$T/dnsmasq.log" && return 0
		sleep 0.1
	done
	cat "$T/dnsmasq.log" >&2
	return 1
}

# router_start: the site's DHCP server for proxy mode, busybox udhcpd in its own namespace.
router_start() {
	local ns
	ns=$(net_name r)
	net_client "$HEAD" "$ns" 02:00:00:00:00:fe "$SUBNET.254/24"
	cat >"$T/udhcpd.conf" <<-EOF
	start $SUBNET.50
	end $SUBNET.60
	interface eth0
	lease_file $T/udhcpd.leases
	pidfile $T/udhcpd.pid
	option subnet 255.255.255.0
	option router $SUBNET.254
	EOF
	: >"$T/udhcpd.leases"
	ip netns exec "$ns" busybox udhcpd -f "$T/udhcpd.conf" </dev/null >"$T/udhcpd.log" 2>&1 3>&- &
	defer kill $!
}

# pi NAME MAC: a client namespace on the head's bridge; prints its name.
pi() {
	local ns
	ns=$(net_name "$1")
	net_client "$HEAD" "$ns" "$2" >&2
	echo "$ns"
}

# boot NS ARGS...: run pisim there; JSON in $T/NS.json, log in $T/NS.log.
boot() {
	local ns=$1
	shift
	ip netns exec "$ns" pisim --json --dhcp-req-timeout 1s "$@" >"$T/$ns.json" 2>"$T/$ns.log"
}

# jq over a boot's JSON
j() {
	jq -r "$2" "$T/$1.json"
}

# same_files SAVE TREE: every file of TREE was fetched and is byte-identical.
same_files() {
	local save=$1 tree=$2 f n=0
	while IFS= read -r f; do
		[ -f "$save/$f" ] || { echo "not fetched: $f" >&2; return 1; }
		[ "$(sha256sum <"$save/$f")" = "$(sha256sum <"$tree/$f")" ] ||
			{ echo "differs: $f" >&2; return 1; }
		n=$((n + 1))
	done < <(cd "$tree" && find . -type f -printf '%P\n')
	[ "$n" -gt 0 ]
}

@test "pisim: Pi 4 boots through proxy-DHCP, every file byte-identical to the tree" {
	need_cmd busybox
	local mac=dc:a6:32:01:02:03 ns
	boot_tree 4 "$(tftp_dir $mac)"
	dnsmasq_start proxy
	router_start
	ns=$(pi pa $mac)
	run boot "$ns" --mac $mac --serial 9ffefdef --no-nfs --save "$T/save"
	cat "$T/$ns.log"
	assert_success
	same_files "$T/save" "$(tftp_dir $mac)"
	# the address from udhcpd, the boot server (and TFTP) from dnsmasq's proxy offer
	[ "$(j "$ns" .ok)" = true ]
	[ "$(j "$ns" .dhcp.proxy)" = true ]
	[ "$(j "$ns" .dhcp.address_server)" = "$SUBNET.254" ]
	[ "$(j "$ns" .server)" = "$HEAD_IP" ]
	case $(j "$ns" .ip) in $SUBNET.5[0-9] | $SUBNET.60) ;; *) false ;; esac
	grep -q "sending ACK to $(j "$ns" .ip)" "$T/udhcpd.log"
	# the EEPROM's file order: serial prefix probes, fallback, probes, start4.elf ...
	run j "$ns" '[.files[] | .name + ":" + .status] | join(" ")'
	assert_output "9ffefdef/start4.elf:absent 9ffefdef/start.elf:absent config.txt:ok recover4.elf:absent fixup4rc.dat:absent recovery.elf:absent fixup_rc.dat:absent start4.elf:ok fixup4.dat:ok config.txt:ok bcm2711-rpi-4-b.dtb:ok overlays/overlay_map.dtb:ok overlays/vc4-kms-v3d.dtbo:ok cmdline.txt:ok kernel8.img:ok initramfs8:ok"
	[ "$(j "$ns" '[.files[] | select(.status == "ok") | .blksize] | unique | join(",")')" = 1468 ]
	[ "$(j "$ns" .prefix_cleared)" = true ]
	# what dnsmasq saw on the wire: the Pi's vendor class, option 97 (RPi4, c03114, MAC, serial LE), the files
	grep -q "vendor class: PXEClient:Arch:00000:UNDI:002001" "$T/dnsmasq.log"
	grep -q "client-machine-id  00:52:50:69:34:14:31:c0:00:32:01:02:03:ef" "$T/dnsmasq.log"
	grep -q "sent $(tftp_dir $mac)/kernel8.img to $(j "$ns" .ip)" "$T/dnsmasq.log"
	[ "$(j "$ns" .bytes_total)" -gt 4000000 ]
}

@test "pisim: Pi 4 with its serial directory present loads everything from it" {
	local mac=dc:a6:32:0a:0b:0c ns d
	d=$(tftp_dir $mac)
	boot_tree 4 "$d/1234abcd"
	dnsmasq_start full
	ns=$(pi pb $mac)
	run boot "$ns" --mac $mac --serial 1234abcd --save "$T/save" --handoff "$T/handoff"
	cat "$T/$ns.log"
	assert_success
	same_files "$T/save/1234abcd" "$d/1234abcd"
	# --handoff: what the firmware gives the kernel, as fetched from the prefix
	cmp "$T/handoff/kernel" "$d/1234abcd/kernel8.img"
	cmp "$T/handoff/initramfs" "$d/1234abcd/initramfs8"
	cmp "$T/handoff/cmdline.txt" "$d/1234abcd/cmdline.txt"
	[ "$(j "$ns" .nfsroot)" = null ]
	[ "$(j "$ns" .prefix)" = 1234abcd/ ]
	[ "$(j "$ns" .prefix_cleared)" = false ]
	[ "$(j "$ns" .dhcp.proxy)" = false ]
	[ "$(j "$ns" '.files[0].name + " " + .files[0].status')" = "1234abcd/start4.elf probed" ]
	[ "$(j "$ns" '[.files[] | select(.name | startswith("1234abcd/") | not)] | length')" = 0 ]
	# the probe aborted after the OACK, as dnsmasq logs for a real Pi; the EEPROM did REQUEST/ACK
	grep -q "error 0 Early terminate received from $(j "$ns" .ip)" "$T/dnsmasq.log"
	grep -q "DHCPACK(br0) $(j "$ns" .ip) $mac" "$T/dnsmasq.log"
	grep -q "sent $d/1234abcd/kernel8.img" "$T/dnsmasq.log"
	run ! grep -q "sent $d/kernel8.img" "$T/dnsmasq.log"
}

@test "pisim: Pi 5 boots: config.txt first, kernel_2712.img, initramfs_2712" {
	local mac=2c:cf:67:aa:bb:0c ns
	boot_tree 5 "$(tftp_dir $mac)"
	dnsmasq_start full
	ns=$(pi pc $mac)
	run boot "$ns" --model 5 --mac $mac --serial 0badcafe --no-nfs --save "$T/save"
	cat "$T/$ns.log"
	assert_success
	same_files "$T/save" "$(tftp_dir $mac)"
	run j "$ns" '[.files[] | .name] | join(" ")'
	assert_output "0badcafe/config.txt config.txt kernel_2712.img bcm2712-rpi-5-b.dtb overlays/overlay_map.dtb overlays/vc4-kms-v3d-pi5.dtbo cmdline.txt initramfs_2712"
	grep -q "client-machine-id  00:52:50:69:35:70:41:c0:00:67:aa:bb:0c:fe" "$T/dnsmasq.log"
}

@test "pisim: 3B+ boots with 512-byte blocks, two DHCP rounds, no DHCPREQUEST" {
	local mac=b8:27:eb:5e:2a:2e ns
	boot_tree 3 "$(tftp_dir $mac)"
	dnsmasq_start full
	ns=$(pi pd $mac)
	run boot "$ns" --model 3 --mac $mac --serial e75e2a2e --no-nfs --save "$T/save"
	cat "$T/$ns.log"
	assert_success
	same_files "$T/save" "$(tftp_dir $mac)"
	[ "$(j "$ns" '[.files[] | select(.status == "ok") | .blksize] | unique | join(",")')" = 512 ]
	run j "$ns" '[.files[] | .name] | join(" ")'
	assert_output "bootcode.bin bootsig.bin e75e2a2e/start.elf autoboot.txt config.txt recovery.elf start.elf fixup.dat config.txt dt-blob.bin bootcfg.txt bcm2710-rpi-3-b-plus.dtb overlays/overlay_map.dtb cmdline.txt kernel8.img initramfs8"
	# boot ROM and bootcode.bin each DISCOVER; neither REQUESTs (§1.1); option 97 is the serial x4
	[ "$(grep -c "DHCPDISCOVER(br0) $mac" "$T/dnsmasq.log")" -ge 2 ]
	run ! grep -q "DHCPREQUEST(br0)" "$T/dnsmasq.log"
	grep -q "client-machine-id  00:2e:2a:5e:e7:2e:2a:5e:e7:2e:2a:5e:e7:2e" "$T/dnsmasq.log"
	# the ROM's bare RRQ gets no OACK: no tsize known
	[ "$(j "$ns" '.files[0].tsize')" = -1 ]
	[ "$(j "$ns" '.files[2].tsize')" = -1 ]
}

@test "pisim: a server without \"Raspberry Pi Boot\" in option 43 boots nothing" {
	local mac=dc:a6:32:01:02:99 ns
	boot_tree 4 "$(tftp_dir $mac)"
	dnsmasq_start full "Linux PXE"
	ns=$(pi pe $mac)
	run boot "$ns" --mac $mac --dhcp-timeout 5s --no-nfs
	cat "$T/$ns.log"
	assert_failure
	[ "$(j "$ns" .ok)" = false ]
	[ "$(j "$ns" '.failures[0].phase')" = dhcp ]
	run j "$ns" '.failures[0].message'
	assert_output --partial 'boot menu containing "Raspberry Pi Boot"'
	assert_output --partial '(menu offered: "Linux PXE")'
	[ "$(j "$ns" '.files | length')" = 0 ]
	# dnsmasq did answer, with its own menu; no file was asked for
	grep -q "DHCPOFFER(br0)" "$T/dnsmasq.log"
	run ! grep -Eq "dnsmasq-tftp.*(sent|not found)" "$T/dnsmasq.log"
	[ "$(j "$ns" .dhcp.discovers)" -ge 2 ]
}

@test "pisim: a missing kernel fails the boot and names the file" {
	local mac=dc:a6:32:01:02:98 ns
	boot_tree 4 "$(tftp_dir $mac)"
	rm "$(tftp_dir $mac)/kernel8.img"
	dnsmasq_start full
	ns=$(pi pf $mac)
	run boot "$ns" --mac $mac --no-nfs
	cat "$T/$ns.log"
	assert_failure
	[ "$(j "$ns" '.failures[0].phase')" = tftp ]
	run j "$ns" '.failures[0].message'
	assert_output "kernel8.img not found on TFTP server $HEAD_IP: the Pi stops here"
	[ "$(j "$ns" '.files[-1].name + " " + .files[-1].status')" = "kernel8.img absent" ]
	grep -q "file $(tftp_dir $mac)/kernel8.img not found" "$T/dnsmasq.log"
}

@test "pisim: NFS root mounted from Ganesha, heartbeat written into the export" {
	need_cmd ganesha.nfsd
	need_cmd rpcbind
	local mac=dc:a6:32:01:02:04 ns root=$T/root
	boot_tree 4 "$(tftp_dir $mac)"
	# a merged-/usr root: /sbin and /usr/sbin/init are relative symlinks
	mkdir -p "$root"/{usr/sbin,usr/bin,usr/lib/systemd,etc/bramble,var}
	cp /bin/busybox "$root/usr/lib/systemd/systemd"
	ln -s usr/sbin "$root/sbin"
	ln -s usr/bin "$root/bin"
	ln -s ../lib/systemd/systemd "$root/usr/sbin/init"
	echo node-n1 >"$root/etc/hostname"
	echo bookworm@3 >"$root/etc/bramble/image"
	ganesha_export "$T/ganesha" 101 "$root" /nodes/n1 "$SUBNET.0/24"
	ganesha_start "$HEAD" "$T/ganesha" "$HEAD_IP"
	dnsmasq_start full
	ns=$(pi pg $mac)
	run boot "$ns" --mac $mac --heartbeat --boot-id 6f1c2a1e-8d3b-4c55-9a7e-0b1d2c3e4f50
	cat "$T/$ns.log"
	assert_success
	[ "$(j "$ns" .hostname)" = node-n1 ]
	[ "$(j "$ns" .init)" = /usr/lib/systemd/systemd ]
	[ "$(j "$ns" .image)" = bookworm@3 ]
	[ "$(j "$ns" .nfsroot.export)" = /nodes/n1 ]
	[ "$(j "$ns" .heartbeat)" = true ]
	# what the head sees in the export
	run cat "$root/var/lib/bramble/heartbeat"
	assert_line "boot_id=6f1c2a1e-8d3b-4c55-9a7e-0b1d2c3e4f50"
	assert_line "image=bookworm@3"
	assert_line "hostname=node-n1"
	assert_line --regexp '^time=[0-9]{10}$'
	[ "$(stat -c %u "$root/var/lib/bramble/heartbeat")" = 0 ]
	[ ! -e "$root/var/lib/bramble/.heartbeat.tmp" ]
}

@test "pisim: an nfsroot without vers=3 fails in the NFS phase with the reason" {
	local mac=dc:a6:32:01:02:05 ns
	boot_tree 4 "$(tftp_dir $mac)"
	sed -i 's/vers=3,//' "$(tftp_dir $mac)/cmdline.txt"
	dnsmasq_start full
	ns=$(pi ph $mac)
	run boot "$ns" --mac $mac
	assert_failure
	[ "$(j "$ns" '.failures[0].phase')" = nfs ]
	run j "$ns" '.failures[0].message'
	assert_output --partial "lacks vers=3: the kernel then mounts NFSv2"
}

@test "pisim: four Pis boot at once, each from its own directory" {
	local i mac ns pids=() names=()
	dnsmasq_start full
	for i in 1 2 3 4; do
		mac=dc:a6:32:00:00:0$i
		boot_tree 4 "$(tftp_dir $mac)"
		ns=$(pi "p$i" $mac)
		names+=("$ns")
		boot "$ns" --mac $mac --no-nfs --save "$T/save$i" &
		pids+=($!)
	done
	for i in 0 1 2 3; do
		wait "${pids[$i]}" || { cat "$T/${names[$i]}.log"; false; }
	done
	for i in 1 2 3 4; do
		ns=${names[$((i - 1))]}
		[ "$(j "$ns" .ok)" = true ]
		same_files "$T/save$i" "$(tftp_dir dc:a6:32:00:00:0$i)"
		grep -q "sent $(tftp_dir dc:a6:32:00:00:0$i)/kernel8.img to $(j "$ns" .ip)" "$T/dnsmasq.log"
	done
	[ "$(for ns in "${names[@]}"; do j "$ns" .ip; done | sort -u | wc -l)" = 4 ]
}

@test "pisim: bad options are refused with one line naming the fix" {
	run pisim --model 7
	assert_failure 2
	assert_output --partial "unknown --model 7: use 3 (3B+), 3b, 4 or 5"
	run pisim --dhcp-timeout 5
	assert_failure 2
	assert_output --partial "at least 5000 ms"
	run pisim --model 3 --prefix mac
	assert_failure 2
	assert_output --partial "only Pi 4/5 have TFTP_PREFIX"
	run pisim --model 5 --old-eeprom
	assert_failure 2
	run pisim --heartbeat --no-nfs
	assert_failure 2
	run pisim --heartbeat --handoff "$T/handoff"
	assert_failure 2
	assert_output --partial "--heartbeat needs the NFS phase"
	[ ! -e "$T/handoff" ]
	run pisim --help
	assert_success
	assert_output --partial "--prefix serial|mac|none"
}
