#!/usr/bin/env bats
# imgtool image import: what lands in the store is the image, exactly,
# apart from the listed netboot-ready changes.

load helpers
load image

@test "import: the root tree equals the ext4 partition in content and metadata" {
	need_root
	img=$(synth_image base)
	run imgtool image import "$img" --name bookworm
	assert_success
	assert_line "imported bookworm@1 (107 files, 67.5 MiB, 67.5 MiB new)"
	mount_part "$img" 2 "$BATS_TEST_TMPDIR/p2"
	root=$(version_dir bookworm 1)/root
	# rsync compares content (-c), owners, modes, times, hardlinks (-H),
	# ACLs and xattrs; only the netboot-ready changes may show.
	assert_root_is_tree "$BATS_TEST_TMPDIR/p2" "$root"
	# The same, asked of getfattr and getcap directly.
	diff <(cd "$BATS_TEST_TMPDIR/p2" && getfattr -R -h -d -m - . 2>/dev/null) \
		<(cd "$root" && getfattr -R -h -d -m - . 2>/dev/null)
	run getcap "$root/usr/bin/ping"
	assert_output --regexp "cap_net_raw[=+]ep"
	# A hardlink pair is one inode, the sparse file stays sparse, the device
	# node is a device node, the setuid bit survived the chown.
	[ "$(stat -c %i "$root/opt/torture/hardlink-a")" = "$(stat -c %i "$root/opt/torture/hardlink-b")" ]
	[ "$(stat -c %b "$root/opt/torture/sparse")" -lt 64 ]
	[ "$(stat -c '%F %t:%T' "$root/dev/null")" = "character special file 1:3" ]
	[ "$(stat -c %a "$root/opt/torture/setuid")" = 4755 ]
}

@test "import: the boot partition's files are kept under boot/" {
	need_root
	img=$(synth_image base)
	run imgtool image import "$img" --name bookworm
	assert_success
	boot=$(version_dir bookworm 1)/boot
	start=$(partx -g -o START --nr 1 "$img")
	mkdir "$BATS_TEST_TMPDIR/fat"
	MTOOLS_SKIP_CHECK=1 mcopy -s -m -i "$img@@$((start * 512))" ::/ "$BATS_TEST_TMPDIR/fat/"
	# cmdline.txt lost its first-boot init=, everything else is equal.
	diff -r -x cmdline.txt "$BATS_TEST_TMPDIR/fat" "$boot"
	run cat "$boot/cmdline.txt"
	assert_output "$(sed 's| init=/usr/lib/raspberrypi-sys-mods/firstboot||' "$BATS_TEST_TMPDIR/fat/cmdline.txt")"
	assert_file_exists "$boot/start4.elf"
	assert_file_exists "$boot/overlays/vc4-kms-v3d.dtbo"
}

@test "import: netboot-ready changes are made and listed in the report" {
	need_root
	img=$(synth_image base)
	run imgtool image import "$img" --name bookworm
	assert_success
	assert_line "  /etc/fstab: removed SD card entry 'PARTUUID=5eedb0b0-01  /boot/firmware  vfat    defaults          0       2'"
	assert_line "  /etc/fstab: removed SD card entry 'PARTUUID=5eedb0b0-02  /               ext4    defaults,noatime  0       1'"
	assert_line "  resize2fs_once: disabled (removed /etc/rc3.d/S01resize2fs_once)"
	assert_line "  dphys-swapfile: disabled (removed /etc/systemd/system/multi-user.target.wants/dphys-swapfile.service)"
	assert_line "  cmdline.txt: removed first-boot 'init=/usr/lib/raspberrypi-sys-mods/firstboot'"
	root=$(version_dir bookworm 1)/root
	run grep -c PARTUUID "$root/etc/fstab"
	assert_output 0
	grep -q '^proc ' "$root/etc/fstab"
	[ "$(readlink "$root/etc/systemd/system/dphys-swapfile.service")" = /dev/null ]
	[ "$(readlink "$root/etc/systemd/system/resize2fs_once.service")" = /dev/null ]
	# The report is kept with the version.
	run imgtool image list --json
	assert_output --partial 'cmdline.txt: removed first-boot'
}

@test "import: a trixie image's traps are handled and each is a line of the report" {
	need_root
	img=$(synth_image trixie --variant trixie)
	run imgtool image import "$img" --name trixie
	assert_success
	assert_line "  NetworkManager: makes no DHCP profile of its own for the NFS root's interface (/etc/NetworkManager/conf.d/90-bramble-nfsroot.conf)"
	assert_line "  rpi-swap: zram only, no swap file on the NFS root (/etc/rpi/swap.conf.d/90-bramble.conf)"
	for f in user-data meta-data network-config; do
		assert_line "  boot/$f: removed (a cloud-init seed a netbooted node never reads, with the image's user and password hash)"
	done
	assert_line --partial "  userconfig.service: masked on every node (identity layer)"
	assert_line --partial "  ssh: enabled on every node (identity layer)"
	assert_line --partial "  cloud-init: every node has a NoCloud seed in its identity layer"
	assert_line --partial "  fake-hwclock: kept (no RTC)"
	assert_line "  cmdline.txt: removed first-boot 'init=/usr/lib/raspberrypi-sys-mods/firstboot'"
	refute_line --partial dphys-swapfile
	assert_line "  regenerate_ssh_host_keys: disabled (removed /etc/systemd/system/multi-user.target.wants/regenerate_ssh_host_keys.service)"
	assert_line "  regenerate_ssh_host_keys: masked (/etc/systemd/system/regenerate_ssh_host_keys.service -> /dev/null)"
	local v
	v=$(version_dir trixie 1)
	grep -qx 'no-auto-default=\*' "$v/root/etc/NetworkManager/conf.d/90-bramble-nfsroot.conf"
	grep -qx 'Mechanism=zram' "$v/root/etc/rpi/swap.conf.d/90-bramble.conf"
	# the image's own settings stay; the seeds are out of what TFTP serves
	grep -qx 'Mechanism=auto' "$v/root/etc/rpi/swap.conf"
	[ ! -e "$v/boot/user-data" ] && [ ! -e "$v/boot/meta-data" ] && [ ! -e "$v/boot/network-config" ]
	# the new files are stored objects, and the store is consistent
	[ "$(stat -c %h "$v/root/etc/rpi/swap.conf.d/90-bramble.conf")" -ge 2 ]
	imgtool fsck
	# a node of it gets the seed cloud-init reads instead
	imgtool node add node01 --mac 02:00:00:00:00:01 --image trixie
	grep -qx 'local-hostname: node01' "$BRAMBLE_STATE/nodes/node01/ident/var/lib/cloud/seed/nocloud/meta-data"
	# a bookworm image has none of these traps: none of these lines
	run imgtool image import "$(synth_image base)" --name bookworm
	assert_success
	refute_line --partial NetworkManager
	refute_line --partial boot/user-data
}

@test "import: a second import of the same image adds less than 1% of its size" {
	need_root
	img=$(synth_image base)
	imgtool -q image import "$img" --name bookworm
	before=$(du -sb "$BRAMBLE_STATE" | cut -f1)
	run imgtool image import "$img" --name bookworm
	assert_success
	assert_line --partial "imported bookworm@2"
	after=$(du -sb "$BRAMBLE_STATE" | cut -f1)
	size=$(stat -c %s "$img")
	echo "store grew by $((after - before)) bytes for a $size-byte image"
	[ $(((after - before) * 100)) -lt "$size" ]
	# Both versions are complete trees on their own.
	run rsync -naHAXc --delete --itemize-changes "$(version_dir bookworm 1)/root/" "$(version_dir bookworm 2)/root/"
	refute_output --regexp '^>f.*(busybox|sparse|ping)'
}

@test "import: .img.xz gives the same tree as the .img" {
	need_root
	img=$(synth_image base)
	xz=$(synth_image base --xz)
	run imgtool image import "$xz" --name bookworm
	assert_success
	assert_root_is_partition "$img" "$(version_dir bookworm 1)/root"
	# The decompressed image was an unnamed temp file: nothing remains.
	run ls -A "$BRAMBLE_STATE/tmp"
	assert_output ""
}

@test "import: a GPT image is read like an MBR one" {
	need_root
	img=$(synth_image gpt --gpt)
	run imgtool image import "$img" --name gpt
	assert_success
	assert_root_is_partition "$img" "$(version_dir gpt 1)/root"
	assert_file_exists "$(version_dir gpt 1)/boot/start4.elf"
}

@test "import: a directory holding an installed system" {
	need_root
	img=$(synth_image base)
	mount_part "$img" 2 "$BATS_TEST_TMPDIR/p2"
	src=$BATS_TEST_TMPDIR/installed
	cp -a "$BATS_TEST_TMPDIR/p2" "$src"
	echo "arm_64bit=1" >"$src/boot/firmware/config.txt"
	run imgtool image import "$src" --name fromdir
	assert_success
	assert_line "  boot/: 1 files from $src/boot/firmware"
	assert_root_is_tree "$src" "$(version_dir fromdir 1)/root"
	run cat "$(version_dir fromdir 1)/boot/config.txt"
	assert_output "arm_64bit=1"
}

@test "import: equal files stay separate inodes, a hardlink group stays one" {
	need_root
	img=$(synth_image base)
	mount_part "$img" 2 "$BATS_TEST_TMPDIR/p2"
	src=$BATS_TEST_TMPDIR/installed
	cp -a "$BATS_TEST_TMPDIR/p2" "$src"
	echo same >"$src/etc/one"
	cp -a "$src/etc/one" "$src/etc/two"
	cp -a "$src/etc/one" "$src/etc/three"
	ln "$src/etc/three" "$src/etc/three-link"
	touch -d @1700000000 "$src/etc"	# as the image had it
	run imgtool image import "$src" --name eq
	assert_success
	root=$(version_dir eq 1)/root
	[ "$(stat -c %i "$root/etc/one")" != "$(stat -c %i "$root/etc/two")" ]
	[ "$(stat -c %i "$root/etc/one")" != "$(stat -c %i "$root/etc/three")" ]
	[ "$(stat -c %i "$root/etc/three")" = "$(stat -c %i "$root/etc/three-link")" ]
	assert_root_is_tree "$src" "$root"
}

@test "import: two imports at once serialize and both succeed" {
	need_root
	img=$(synth_image base)
	imgtool image list >/dev/null	# the database exists before the race
	imgtool image import "$img" --name race >"$BATS_TEST_TMPDIR/a.out" 2>&1 &
	a=$!
	imgtool image import "$img" --name race >"$BATS_TEST_TMPDIR/b.out" 2>&1 &
	b=$!
	wait $a
	wait $b
	cat "$BATS_TEST_TMPDIR/a.out" "$BATS_TEST_TMPDIR/b.out"
	run cat "$BATS_TEST_TMPDIR/a.out" "$BATS_TEST_TMPDIR/b.out"
	assert_line "imported race@1 (107 files, 67.5 MiB, 67.5 MiB new)"
	assert_line --regexp "^imported race@2 \(107 files, 67.5 MiB, 0.[0-9] MiB new\)$"
	assert_root_is_partition "$img" "$(version_dir race 1)/root"
	assert_root_is_partition "$img" "$(version_dir race 2)/root"
}

@test "import: progress lines without a TTY, nothing but the result with -q" {
	need_root
	img=$(synth_image base)
	run imgtool image import "$img" --name p
	assert_success
	assert_line --regexp "^imgtool: info: copying root: [0-9]+ MiB, 88 files in"
	run imgtool -q image import "$img" --name p
	assert_success
	assert_output ""
	run imgtool image import --help
	assert_success
	assert_output --partial "usage: imgtool image import SRC --name NAME"
}
