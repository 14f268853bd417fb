#!/usr/bin/env bats
# Fewer bytes per boot: when the image's kernel mounts an NFS root by itself
# (/boot/config-*, else the config built into each kernel*.img, with
# CONFIG_ROOT_NFS, CONFIG_IP_PNP, CONFIG_IP_PNP_DHCP=y),
# the node's config.txt keeps the firmware from fetching the initramfs, and
# the import report says which way it went.

load helpers
load node

setup() {
	node_setup
	SRC=$BATS_TEST_TMPDIR/src
	node_src "$SRC"
	printf 'initramfs %s\n' "$(seq 1 2000)" >"$SRC/boot/firmware/initramfs8"
}

# kconfig OPTS...: /boot/config-6.6.51+rpt-rpi-v8 of the source with OPTS=y
kconfig() {
	mkdir -p "$SRC/boot"
	{
		echo '# Linux/arm64 6.6.51 Kernel Configuration'
		echo 'CONFIG_NFS_FS=y'
		for o in "$@"; do echo "CONFIG_$o=y"; done
		echo '# CONFIG_IP_PNP_BOOTP is not set'
	} >"$SRC/boot/config-6.6.51+rpt-rpi-v8"
}

# embed FILE OPTS...: boot file FILE of the source, a kernel carrying a
# config with OPTS=y (CONFIG_IKCONFIG: gzip between IKCFG_ST and IKCFG_ED)
embed() {
	local f=$SRC/boot/firmware/$1
	shift
	{
		printf 'ARMd kernel code'
		printf 'IKCFG_ST'
		for o in "$@"; do echo "CONFIG_$o=y"; done | gzip -n
		printf 'IKCFG_ED more kernel'
	} >"$f"
}

# kernel_nfsroot VER: what the versions row of os@VER records (lib/kconfig.h)
kernel_nfsroot() {
	sqlite3 "$BRAMBLE_STATE/bramble.db" \
		"SELECT ifnull(kernel_nfsroot, 'NULL') FROM versions WHERE image = 'os' AND ver = $1"
}

# The last auto_initramfs line of node01's config.txt (the one that counts).
auto_initramfs() {
	grep '^auto_initramfs=' "$(boot_of 02:00:00:00:00:01)/config.txt" | tail -n 1
}

@test "initramfs: a kernel with NFS root and DHCP built in boots without it" {
	kconfig ROOT_NFS IP_PNP IP_PNP_DHCP
	run imgtool image import "$SRC" --name os
	assert_success
	assert_line "  initramfs: not fetched by the Pis (auto_initramfs=0 in their config.txt): the kernel mounts an NFS root itself (CONFIG_ROOT_NFS, CONFIG_IP_PNP, CONFIG_IP_PNP_DHCP in /boot/config-6.6.51+rpt-rpi-v8)"
	assert_equal "$(kernel_nfsroot 1)" 1
	imgtool node add node01 --mac 02:00:00:00:00:01 --image os
	assert_equal "$(auto_initramfs)" auto_initramfs=0
	# the image's own auto_initramfs=1 comes first, so ours wins
	assert_equal "$(grep -c '^auto_initramfs=' "$(boot_of 02:00:00:00:00:01)/config.txt")" 2
	# the file stays served for an image that would name it itself
	[ -f "$(boot_of 02:00:00:00:00:01)/initramfs8" ]
}

@test "initramfs: kept when a kernel config lacks an option, or there is none to read" {
	kconfig ROOT_NFS IP_PNP
	run imgtool image import "$SRC" --name os
	assert_success
	assert_line "  initramfs: fetched by the Pis as the image says: /boot/config-6.6.51+rpt-rpi-v8 lacks CONFIG_IP_PNP_DHCP=y"
	assert_equal "$(kernel_nfsroot 1)" 0
	imgtool node add node01 --mac 02:00:00:00:00:01 --image os
	assert_equal "$(auto_initramfs)" auto_initramfs=1
	# a second kernel: every config must have them
	kconfig ROOT_NFS IP_PNP IP_PNP_DHCP
	printf 'CONFIG_ROOT_NFS=m\n' >"$SRC/boot/config-6.6.51+rpt-rpi-2712"
	run imgtool image import "$SRC" --name os
	assert_line "  initramfs: fetched by the Pis as the image says: /boot/config-6.6.51+rpt-rpi-2712 lacks CONFIG_ROOT_NFS=y"
	rm "$SRC/boot/config-"*
	run imgtool image import "$SRC" --name os
	assert_line "  initramfs: fetched by the Pis as the image says: no /boot/config-* in the image, and boot file kernel8.img carries no config of its own (CONFIG_IKCONFIG)"
	# no initramfs in the image: nothing to say
	rm "$SRC/boot/firmware/initramfs8"
	run imgtool image import "$SRC" --name os
	refute_line --partial initramfs
}

@test "initramfs: without /boot/config-*, the config built into the kernels counts" {
	embed kernel8.img ROOT_NFS IP_PNP IP_PNP_DHCP
	# a Pi 5 kernel, gzip-compressed as a whole
	embed kernel_2712.img ROOT_NFS IP_PNP IP_PNP_DHCP
	gzip -n "$SRC/boot/firmware/kernel_2712.img" && mv "$SRC/boot/firmware/kernel_2712.img.gz" "$SRC/boot/firmware/kernel_2712.img"
	run imgtool image import "$SRC" --name os
	assert_success
	assert_line "  initramfs: not fetched by the Pis (auto_initramfs=0 in their config.txt): the kernel mounts an NFS root itself (CONFIG_ROOT_NFS, CONFIG_IP_PNP, CONFIG_IP_PNP_DHCP in the config built into kernel8.img, kernel_2712.img)"
	assert_equal "$(kernel_nfsroot 1)" 1
	imgtool node add node01 --mac 02:00:00:00:00:01 --image os
	assert_equal "$(auto_initramfs)" auto_initramfs=0
	# one kernel without IP autoconfiguration's DHCP, one with no config at all
	embed kernel_2712.img ROOT_NFS IP_PNP
	run imgtool image import "$SRC" --name os
	assert_line "  initramfs: fetched by the Pis as the image says: the config in boot file kernel_2712.img lacks CONFIG_IP_PNP_DHCP=y"
	printf 'no config here' >"$SRC/boot/firmware/kernel_2712.img"
	run imgtool image import "$SRC" --name os
	assert_line "  initramfs: fetched by the Pis as the image says: no /boot/config-* in the image, and boot file kernel_2712.img carries no config of its own (CONFIG_IKCONFIG)"
	# a corrupt embedded config keeps the initramfs, naming the file
	printf 'IKCFG_STnot gzip' >"$SRC/boot/firmware/kernel_2712.img"
	run imgtool image import "$SRC" --name os
	assert_success
	assert_line "  initramfs: fetched by the Pis as the image says: boot file kernel_2712.img: its embedded config (IKCFG_ST) is not a gzip stream"
	gzip -n -c "$SRC/boot/firmware/kernel8.img" | head -c 100 >"$SRC/boot/firmware/kernel_2712.img"
	run imgtool image import "$SRC" --name os
	assert_success
	assert_line "  initramfs: fetched by the Pis as the image says: boot file kernel_2712.img: a gzip-compressed kernel that does not decompress"
}

@test "initramfs: a version recorded before the database held the answer gets it from its kernel once" {
	embed kernel8.img ROOT_NFS IP_PNP IP_PNP_DHCP
	imgtool -q image import "$SRC" --name os
	# as a database migrated from schema 8 has it
	sqlite3 "$BRAMBLE_STATE/bramble.db" "UPDATE versions SET kernel_nfsroot = NULL"
	imgtool node add node01 --mac 02:00:00:00:00:01 --image os
	assert_equal "$(auto_initramfs)" auto_initramfs=0
	assert_equal "$(kernel_nfsroot 1)" 1
	# recorded: later builds take the row's word, not the kernel's
	sqlite3 "$BRAMBLE_STATE/bramble.db" "UPDATE versions SET kernel_nfsroot = 0"
	imgtool node build node01
	assert_equal "$(auto_initramfs)" auto_initramfs=1
}
