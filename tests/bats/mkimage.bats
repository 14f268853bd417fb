#!/usr/bin/env bats
# scripts/mkimage: the synthetic Pi OS image, checked with tools we did not
# write (sfdisk, partx, blkid, fsck.vfat, mtools, e2fsck, debugfs, xz).

load helpers

P1=8192     # first sector of the boot partition
P2=139264   # first sector of the root partition (64 MiB boot)

setup_file() {
	export IMGDIR="$BATS_FILE_TMPDIR"
	mkimage -o "$IMGDIR/pi.img" >/dev/null 2>&1
	dd if="$IMGDIR/pi.img" of="$IMGDIR/boot.fat" bs=512 skip=$P1 count=$((P2 - P1)) status=none
	dd if="$IMGDIR/pi.img" of="$IMGDIR/root.ext4" bs=512 skip=$P2 status=none
}

# debugfs prints its banner on stderr.
dbg_on() { debugfs -R "$2" "$1" 2>/dev/null; }
dbg() { dbg_on "$IMGDIR/root.ext4" "$1"; }
mt() { MTOOLS_SKIP_CHECK=1 "$@"; }

@test "mkimage: MBR table with FAT32 boot (0x0c) and ext4 root (0x83), fixed disk id" {
	run sfdisk --dump "$IMGDIR/pi.img"
	assert_success
	assert_line "label: dos"
	assert_line "label-id: 0x5eedb0b0"
	assert_line --regexp "pi.img1 : start= +$P1, size= +131072, type=c$"
	assert_line --regexp "pi.img2 : start= +$P2, size= +98304, type=83$"
	run partx -g -o NR,UUID "$IMGDIR/pi.img"
	assert_line --regexp '^ *1 +5eedb0b0-01$'
	assert_line --regexp '^ *2 +5eedb0b0-02$'
	run blkid -p -o export --offset $((P1 * 512)) "$IMGDIR/pi.img"
	assert_line TYPE=vfat
	assert_line VERSION=FAT32
	assert_line LABEL=bootfs
	run blkid -p -o export --offset $((P2 * 512)) "$IMGDIR/pi.img"
	assert_line TYPE=ext4
	assert_line LABEL=rootfs
}

@test "mkimage: boot partition is a clean FAT with every firmware file" {
	run fsck.vfat -n "$IMGDIR/boot.fat"
	assert_success
	refute_output --partial "differ"
	run mt mdir -/ -b -i "$IMGDIR/boot.fat" ::/
	for f in bootcode.bin start.elf fixup.dat start4.elf fixup4.dat kernel8.img kernel_2712.img \
		initramfs8 initramfs_2712 bcm2710-rpi-3-b-plus.dtb bcm2711-rpi-4-b.dtb bcm2712-rpi-5-b.dtb \
		config.txt cmdline.txt overlays/overlay_map.dtb overlays/vc4-kms-v3d.dtbo; do
		assert_line "::/$f"
	done
	# Small sizes by default, distinct content per file.
	run mt mdir -i "$IMGDIR/boot.fat" ::/kernel8.img
	assert_output --regexp '327 680'
	[ "$(mt mtype -i "$IMGDIR/boot.fat" ::/kernel8.img | md5sum)" != \
		"$(mt mtype -i "$IMGDIR/boot.fat" ::/kernel_2712.img | md5sum)" ]
}

@test "mkimage: config.txt and cmdline.txt as Pi OS bookworm ships them" {
	run mt mtype -i "$IMGDIR/boot.fat" ::/config.txt
	for l in dtparam=audio=on camera_auto_detect=1 display_auto_detect=1 auto_initramfs=1 \
		dtoverlay=vc4-kms-v3d max_framebuffers=2 disable_fw_kms_setup=1 arm_64bit=1 \
		disable_overscan=1 arm_boost=1 '[cm4]' otg_mode=1 '[all]'; do
		assert_line "$l"
	done
	run mt mtype -i "$IMGDIR/boot.fat" ::/cmdline.txt
	assert_output "console=serial0,115200 console=tty1 root=PARTUUID=5eedb0b0-02 rootfstype=ext4 fsck.repair=yes rootwait quiet init=/usr/lib/raspberrypi-sys-mods/firstboot"
}

@test "mkimage: root ext4 passes e2fsck and has the Pi OS files" {
	run e2fsck -fn "$IMGDIR/root.ext4"
	assert_success
	run dbg "cat /etc/fstab"
	assert_line --regexp '^PARTUUID=5eedb0b0-01 +/boot/firmware +vfat'
	assert_line --regexp '^PARTUUID=5eedb0b0-02 +/ +ext4 +defaults,noatime'
	assert_line --regexp '^proc +/proc +proc'
	run dbg "cat /etc/hostname"
	assert_output raspberrypi
	run dbg "cat /etc/passwd"
	assert_line "pi:x:1000:1000:,,,:/home/pi:/bin/sh"
	run dbg "stat /boot/firmware"
	assert_output --partial "Type: directory"
	for f in /usr/lib/raspberrypi-sys-mods/firstboot /etc/init.d/resize2fs_once /etc/dphys-swapfile \
		/lib/systemd/system/dphys-swapfile.service /etc/init.d/rcS /etc/inittab /etc/shadow /etc/group /etc/hosts; do
		run dbg "stat $f"
		assert_output --partial "Inode:"
	done
	run dbg "stat /etc/rc3.d/S01resize2fs_once"
	assert_output --partial 'Fast link dest: "../init.d/resize2fs_once"'
	run dbg "stat /etc/systemd/system/multi-user.target.wants/dphys-swapfile.service"
	assert_output --partial 'Fast link dest: "/lib/systemd/system/dphys-swapfile.service"'
	run dbg "stat /sbin/init"
	assert_output --partial "Type: symlink"
	run dbg "cat /etc/init.d/rcS"
	assert_output --partial "/usr/lib/bramble/heartbeat"
}

@test "mkimage: root busybox is a real arm64 binary with applet links" {
	dbg "dump /usr/bin/busybox $BATS_TEST_TMPDIR/busybox" >/dev/null
	run file "$BATS_TEST_TMPDIR/busybox"
	assert_output --partial "ARM aarch64"
	assert_output --partial "statically linked"
	run dbg "ls /usr/bin"
	for a in sh ls cat mount; do assert_output --regexp "(^| )$a( |$)"; done
}

@test "mkimage: root keeps owners, capabilities, xattrs, hard links, devices, sparse files" {
	run dbg "stat /usr/bin/ping"
	assert_output --partial "security.capability (20) = 01 00 00 02 00 20 00 00"
	run dbg "ea_list /opt/torture/user-xattr"
	assert_output --partial 'user.bramble (7) = "torture"'
	run dbg "stat /opt/torture/hardlink-a"
	assert_output --regexp "Links: 2 "
	[ "$(dbg 'stat /opt/torture/hardlink-a' | head -1)" = "$(dbg 'stat /opt/torture/hardlink-b' | head -1)" ]
	run dbg "stat /dev/console"
	assert_output --partial "Type: character special"
	assert_output --partial "Device major/minor number: 05:01"
	run dbg "stat /dev/null"
	assert_output --partial "Device major/minor number: 01:03"
	run dbg "stat /opt/torture/sparse"
	assert_output --regexp "Size: 67108864"
	assert_output --regexp "Blockcount: 8[^0-9]"
	run dbg "stat /home/pi/private"
	assert_output --regexp "Mode: +0640"
	assert_output --regexp "User: +1000 +Group: +1000"
	run dbg "stat /home/pi"
	assert_output --regexp "User: +1000 +Group: +1000"
	run dbg "stat /opt/torture/setuid"
	assert_output --regexp "Mode: +04755"
	run dbg "stat /opt/torture/fifo"
	assert_output --partial "Type: FIFO"
	run dbg "stat /etc/shadow"
	assert_output --regexp "User: +0 +Group: +42"
	run dbg 'stat "/opt/torture/name with spaces"'
	assert_output --partial "Type: regular"
	run dbg 'stat "/opt/torture/ünïcödé-名前"'
	assert_output --partial "Type: regular"
	# Every inode but those above belongs to root, with the fixed time.
	run dbg "stat /etc/hostname"
	assert_output --regexp "User: +0 +Group: +0"
	assert_output --partial "ctime: 0x6553f100"
}

@test "mkimage: two builds are byte-identical" {
	mkimage -o "$BATS_TEST_TMPDIR/again.img"
	cmp "$IMGDIR/pi.img" "$BATS_TEST_TMPDIR/again.img"
}

@test "mkimage: --xz writes a valid xz of the same image" {
	run mkimage --xz -o "$BATS_TEST_TMPDIR/pi.img.xz"
	assert_success
	assert_output --partial "pi.img.xz"
	xz -t "$BATS_TEST_TMPDIR/pi.img.xz"
	xz -dc "$BATS_TEST_TMPDIR/pi.img.xz" | cmp - "$IMGDIR/pi.img"
}

@test "mkimage: --gpt uses basic data and Linux filesystem types, fstab follows" {
	mkimage --gpt --arch host --hostname node07 --disk-id 0A1B2C3D -o "$BATS_TEST_TMPDIR/gpt.img"
	run sfdisk --dump "$BATS_TEST_TMPDIR/gpt.img"
	assert_line "label: gpt"
	assert_output --regexp "gpt.img1 : start= +$P1, .*type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7"
	assert_output --regexp "gpt.img2 : start= +$P2, .*type=0FC63DAF-8483-4772-8E79-3D69D8477DE4"
	run partx -g -o NR,UUID "$BATS_TEST_TMPDIR/gpt.img"
	assert_line --regexp '^ *2 +0a1b2c3d-0000-4000-8000-000000000002$'
	run blkid -p -o export --offset $((P1 * 512)) "$BATS_TEST_TMPDIR/gpt.img"
	assert_line TYPE=vfat
	dd if="$BATS_TEST_TMPDIR/gpt.img" of="$BATS_TEST_TMPDIR/r.ext4" bs=512 skip=$P2 count=98304 status=none
	run dbg_on "$BATS_TEST_TMPDIR/r.ext4" "cat /etc/fstab"
	assert_output --regexp 'PARTUUID=0a1b2c3d-0000-4000-8000-000000000002 +/ +ext4'
	run dbg_on "$BATS_TEST_TMPDIR/r.ext4" "cat /etc/hostname"
	assert_output node07
	run mt mtype -i "$BATS_TEST_TMPDIR/gpt.img@@$((P1 * 512))" ::/cmdline.txt
	assert_output --partial "root=PARTUUID=0a1b2c3d-0000-4000-8000-000000000002 "
	# --arch host: this machine's busybox runs.
	dbg_on "$BATS_TEST_TMPDIR/r.ext4" "dump /usr/bin/busybox $BATS_TEST_TMPDIR/busybox"
	chmod +x "$BATS_TEST_TMPDIR/busybox"
	run "$BATS_TEST_TMPDIR/busybox" echo runs
	assert_output runs
}

@test "mkimage: --extra-file lands in the root; --no-fat and --no-ext4 drop a partition" {
	printf 'extra\n' >"$BATS_TEST_TMPDIR/x"
	mkimage --arch host --no-fat --extra-file "$BATS_TEST_TMPDIR/x:/etc/bramble/extra.conf" \
		-o "$BATS_TEST_TMPDIR/nofat.img"
	run partx -g -o NR,TYPE "$BATS_TEST_TMPDIR/nofat.img"
	assert_output --regexp '^ *2 +0x83$'
	dd if="$BATS_TEST_TMPDIR/nofat.img" of="$BATS_TEST_TMPDIR/r.ext4" bs=512 skip=$P2 status=none
	run dbg_on "$BATS_TEST_TMPDIR/r.ext4" "cat /etc/bramble/extra.conf"
	assert_output extra
	mkimage --arch host --no-ext4 -o "$BATS_TEST_TMPDIR/noext4.img"
	run partx -g -o NR,TYPE "$BATS_TEST_TMPDIR/noext4.img"
	assert_output --regexp '^ *1 +0xc$'
}

@test "mkimage: --variant trixie has Imager's cloud-init seeds, rpi-swap and no dphys-swapfile" {
	mkimage --arch host --variant trixie -o "$BATS_TEST_TMPDIR/t.img"
	local boot=$BATS_TEST_TMPDIR/t.fat root=$BATS_TEST_TMPDIR/t.ext4
	dd if="$BATS_TEST_TMPDIR/t.img" of="$boot" bs=512 skip=$P1 count=$((P2 - P1)) status=none
	dd if="$BATS_TEST_TMPDIR/t.img" of="$root" bs=512 skip=$P2 status=none
	run mt mtype -i "$boot" ::/user-data
	assert_line '#cloud-config'
	assert_line '- name: pi'
	python3 -c 'import sys,yaml; [yaml.safe_load(open(f)) for f in sys.argv[1:]]' \
		<(mt mtype -i "$boot" ::/user-data) <(mt mtype -i "$boot" ::/meta-data) \
		<(mt mtype -i "$boot" ::/network-config)
	run dbg_on "$root" "cat /etc/rpi/swap.conf"
	assert_line 'Mechanism=auto'
	for u in rpi-swap cloud-init NetworkManager ssh userconfig fake-hwclock regenerate_ssh_host_keys; do
		run dbg_on "$root" "stat /etc/systemd/system/multi-user.target.wants/$u.service"
		assert_output --partial 'Type: symlink'
	done
	run dbg_on "$root" "stat /usr/lib/systemd/system/dphys-swapfile.service"
	assert_output ''	# debugfs says 'File not found' on stderr
	e2fsck -fn "$root"
}

@test "mkimage: bad options fail with one line, write nothing" {
	local d="$BATS_TEST_TMPDIR/out"
	mkdir "$d"
	for bad in "--arch sparc" "--disk-id 12345" "--boot-size huge" "--root-size 4" \
		"--hostname bad_name" "--extra-file /nonexistent:/x" "--variant sid" "--frobnicate"; do
		run mkimage $bad -o "$d/x.img"
		assert_failure
		assert_equal "${#lines[@]}" 1
		assert_output --regexp "^mkimage: .*${bad%% *}"
	done
	run mkimage
	assert_failure
	assert_output "mkimage: no output file; give -o OUT"
	run ls -A "$d"
	assert_output ""
}

@test "mkimage: --help describes the options" {
	run mkimage --help
	assert_success
	for o in -o --xz --gpt --arch --boot-size --hostname --variant --disk-id --root-size --extra-file --no-fat --no-ext4; do
		assert_output --partial "  $o"
	done
}

# ---- scripts/mkpxeimage -----------------------------------------------------

# One PXE image for the tests below (the first build downloads the kernel).
pxe_dir() {
	[ -d "$BATS_FILE_TMPDIR/pxe" ] || mkpxeimage -o "$BATS_FILE_TMPDIR/pxe" --hostname pxe07 >&2
	echo "$BATS_FILE_TMPDIR/pxe"
}

@test "mkpxeimage: kernel, initramfs with klibc and modules in dependency order, busybox root" {
	need_root
	local d kver i="$BATS_TEST_TMPDIR/initrd"
	d=$(pxe_dir)
	[ -d "$d" ]
	kver=$(basename "$(readlink "$d/vmlinuz")")
	kver=${kver#vmlinuz-}
	run file -L "$d/vmlinuz"
	assert_output --partial "Linux kernel x86 boot executable"
	assert_equal "$(readlink "$d/initrd.img")" "boot/initrd.img-$kver"
	mkdir "$i"
	(cd "$i" && zcat "$d/boot/initrd.img-$kver" | cpio -id --quiet)
	[ -x "$i/init" ] && [ -x "$i/bin/busybox" ] && [ -c "$i/dev/console" ]
	for b in ipconfig nfsmount run-init; do
		run readelf -l "$i/bin/$b"
		[ -f "$i$(echo "$output" | sed -n 's/.*interpreter: \(.*\)]$/\1/p')" ]
	done
	# Every module after its dependencies (modinfo reads them from the .ko).
	local seen=" " m dep
	while read -r m; do
		for dep in $(modinfo -F depends "$i/lib/modules/$m.ko" | tr , ' '); do
			[[ $seen == *" $dep "* ]] || fail "$m is loaded before its dependency $dep"
		done
		seen="$seen$m "
	done <"$i/lib/modules/load-order"
	for m in virtio_net e1000 virtio_pci nfsv3 nfsv4 nfs sunrpc; do
		[[ $seen == *" $m "* ]] || fail "initramfs lacks $m"
	done
	run modprobe -d "$d/usr" -S "$kver" --show-depends nfsv3
	assert_success
	assert_output --partial "sunrpc.ko"
	assert_equal "$(cat "$d/etc/hostname")" pxe07
	assert_equal "$(stat -c %u:%g "$d/home/pi")" 1000:1000
	assert_equal "$(stat -c %F:%t:%T "$d/dev/console")" "character special file:5:1"
	run grep -x 'ttyS0::respawn:-/bin/sh' "$d/etc/inittab"
	assert_success
}

@test "mkpxeimage: the initramfs boots in QEMU, loads its modules and reports a missing NIC" {
	need_root
	need_cmd qemu-system-x86_64
	local d log="$BATS_TEST_TMPDIR/console.log" pid i
	d=$(pxe_dir)
	qemu-system-x86_64 -machine q35 -m 256 -display none -monitor none -serial "file:$log" \
		-nic none -no-reboot -kernel "$d/vmlinuz" -initrd "$d/initrd.img" \
		-append "console=ttyS0 quiet panic=-1" </dev/null &
	pid=$!
	defer kill -9 "$pid"
	for ((i = 0; i < 240; i++)); do
		grep -q "bramble-initrd: .* FAILED" "$log" 2>/dev/null && break
		sleep 0.5
	done
	kill "$pid"
	run cat "$log"
	assert_output --regexp "bramble-initrd: \[[0-9.]+\] loaded modules: .*virtio_net .*e1000 .*nfsv3"
	assert_output --partial "FAILED: no network interface"
}

@test "mkpxeimage: bad options fail with one line; an existing directory is kept" {
	local d="$BATS_TEST_TMPDIR/keep"
	mkdir "$d" && echo mine >"$d/file"
	run mkpxeimage -o "$d"
	assert_failure
	assert_output --partial "exists and is not an empty directory"
	assert_equal "$(cat "$d/file")" mine
	run mkpxeimage
	assert_output "mkpxeimage: no output directory; give -o DIR"
	run mkpxeimage -o "$BATS_TEST_TMPDIR/x" --hostname 'a b'
	assert_failure
	assert_equal "${#lines[@]}" 1
	run mkpxeimage --help
	assert_success
	assert_output --partial "nfsroot=SERVER:/PATH"
	run ls -A "$BATS_TEST_TMPDIR"
	refute_output --partial ".mkpxeimage"
}

@test "mkrealimage: bad options fail with one line and write nothing" {
	run mkrealimage
	assert_failure
	assert_output "mkrealimage: no output file; give -o OUT.img.xz or --cached"
	run mkrealimage -o "$BATS_TEST_TMPDIR/a.img.xz" --cached
	assert_failure
	assert_output "mkrealimage: give -o OUT or --cached, not both"
	run mkrealimage -o "$BATS_TEST_TMPDIR/no/such/dir/a.img.xz"
	assert_failure
	assert_equal "${#lines[@]}" 1
	run mkrealimage --mirror
	assert_output "mkrealimage: option --mirror needs a value; see mkrealimage --help"
	run mkrealimage --help
	assert_success
	assert_output --partial "init=/usr/lib/raspberrypi-sys-mods/firstboot"
	run ls -A "$BATS_TEST_TMPDIR"
	refute_output --partial "mkrealimage"
	refute_output --partial "img.xz"
}
