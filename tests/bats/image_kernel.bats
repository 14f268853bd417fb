#!/usr/bin/env bats
# A kernel update through imgtool image exec: the new version gets the new
# kernel in its boot files with its modules in its root, so a node moved to
# it boots the kernel its root's modules match (TFTP serves the boot files).
# The update is simulated by a command that writes what a kernel package
# writes: /lib/modules/RELEASE, /boot/config-RELEASE and the kernel.

load helpers
load image
load node

RELEASE=6.6.99+rpt-rpi-v8

setup() {
	bramble_setup
	need_root
}

# new_kernel BOOTDIR: the shell command that installs a "new kernel" whose
# boot files go to BOOTDIR (where the image mounts its boot partition).
new_kernel() {
	echo "mkdir -p /lib/modules/$RELEASE/kernel && echo deps > /lib/modules/$RELEASE/modules.dep &&
		printf 'CONFIG_ROOT_NFS=y\nCONFIG_IP_PNP=y\nCONFIG_IP_PNP_DHCP=y\n' >/boot/config-$RELEASE &&
		echo 'kernel $RELEASE' > $1/kernel8.img"
}

@test "kernel update, Pi OS layout: /boot/firmware gets the new kernel, nodes on the new version boot it" {
	imgtool -q image import "$(synth_image hostarch --arch host)" --name img
	imgtool node add node01 --mac 02:00:00:00:00:01 --image img
	local old
	old=$(cat "$(boot_of 02:00:00:00:00:01)/kernel8.img" | md5sum)
	run imgtool image exec img -- /bin/sh -c "$(new_kernel /boot/firmware)"
	assert_success
	assert_line "created img@2"
	assert_line "kernel: modules $RELEASE added to the root, boot files kernel8.img changed with them: the nodes boot the new kernel"
	local v2
	v2=$(version_dir img 2)
	assert_equal "$(cat "$v2/boot/kernel8.img")" "kernel $RELEASE"
	[ -f "$v2/root/usr/lib/modules/$RELEASE/modules.dep" ]
	# node01 stays on img@1 until moved; then TFTP serves the new kernel,
	# and its new kernel config lets it skip the initramfs
	assert_equal "$(md5sum <"$(boot_of 02:00:00:00:00:01)/kernel8.img")" "$old"
	run grep -c '^auto_initramfs=0' "$(boot_of 02:00:00:00:00:01)/config.txt"
	assert_output 0
	# what each version's row records about its kernel
	run sqlite3 "$BRAMBLE_STATE/bramble.db" \
		"SELECT ver || ' ' || kernel_nfsroot FROM versions WHERE image = 'img' ORDER BY ver"
	assert_output $'1 0\n2 1'
	imgtool node set node01 image=img@2
	assert_equal "$(cat "$(boot_of 02:00:00:00:00:01)/kernel8.img")" "kernel $RELEASE"
	assert_equal "$(grep '^auto_initramfs=' "$(boot_of 02:00:00:00:00:01)/config.txt" | tail -n 1)" \
		auto_initramfs=0
	imgtool fsck
}

@test "kernel update, boot partition at /boot: the new version's boot files have the new kernel" {
	local src=$BATS_TEST_TMPDIR/src
	node_src "$src"
	# the boot files where older Pi OS and Debian mount the boot partition
	mv "$src"/boot/firmware/* "$src/boot/" && rmdir "$src/boot/firmware"
	ln -s usr/bin "$src/bin" && ln -s busybox "$src/usr/bin/sh"
	imgtool -q image import "$src" --name img
	imgtool node add node01 --mac 02:00:00:00:00:01 --image img
	run imgtool image exec img -- /bin/sh -c "$(new_kernel /boot)"
	assert_success
	assert_line "kernel: modules $RELEASE added to the root, boot files kernel8.img changed with them: the nodes boot the new kernel"
	assert_equal "$(cat "$(version_dir img 2)/boot/kernel8.img")" "kernel $RELEASE"
	# the kernel config among the boot files counts
	assert_equal "$(cat "$(version_dir img 2)/boot/config-$RELEASE" | head -n 1)" CONFIG_ROOT_NFS=y
	imgtool node set node01 image=img@2
	assert_equal "$(cat "$(boot_of 02:00:00:00:00:01)/kernel8.img")" "kernel $RELEASE"
	assert_equal "$(grep '^auto_initramfs=' "$(boot_of 02:00:00:00:00:01)/config.txt" | tail -n 1)" \
		auto_initramfs=0
}

@test "kernel update into the root only: a warning that nodes would boot the old kernel" {
	imgtool -q image import "$(synth_image hostarch --arch host)" --name img
	# a kernel package without the hook that copies it to /boot/firmware
	run imgtool image exec img -- /bin/sh -c "$(new_kernel /boot | sed 's|kernel8.img|vmlinuz-'$RELEASE'|')"
	assert_success
	assert_line "created img@2"
	assert_line "imgtool: warning: img@2: kernel: modules $RELEASE added to the root, but no kernel boot file changed: the nodes would boot the old kernel without its modules; install the kernel where the boot partition is mounted (/boot/firmware or /boot)"
	# no module change, nothing said
	run imgtool image exec img -- /bin/sh -c 'echo x > /etc/x'
	assert_success
	refute_line --partial kernel
}
