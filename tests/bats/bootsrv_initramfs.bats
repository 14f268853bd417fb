#!/usr/bin/env bats
# Fewer bytes per boot, on the wire: two Pi 4s boot through bootsrv, one
# from an image whose kernel config has the NFS root built in (the firmware
# is kept from fetching the initramfs), one from the same image without a
# config (it fetches it). The synthetic image with a kernel config in
# /boot/config-* stands for Pi OS bookworm's.

load helpers
load bootsrv_lib

setup() {
	bootsrv_setup full
	printf 'CONFIG_ROOT_NFS=y\nCONFIG_IP_PNP=y\nCONFIG_IP_PNP_DHCP=y\n' >"$BATS_TEST_TMPDIR/kconfig"
	imgtool image import -q "$(synth_image base)" --name plain
	imgtool image import -q "$(synth_image kconfig \
		--extra-file "$BATS_TEST_TMPDIR/kconfig:/boot/config-6.6.51+rpt-rpi-v8")" --name nfs
}

teardown() { run_deferred; }

# files NAME: the TFTP files the node's boot fetched (status ok), in order
files() {
	json_get "$BATS_TEST_TMPDIR/$1.json" "' '.join(f['name'] for f in d['files'] if f['status'] == 'ok')"
}

@test "a Pi 4 of an image whose kernel mounts the NFS root boots without fetching the initramfs" {
	imgtool node add a --mac dc:a6:32:20:00:01 --image plain
	imgtool node add b --mac dc:a6:32:20:00:02 --image nfs
	bootsrv_start
	pisim_boot a dc:a6:32:20:00:01 --model 4
	pisim_boot b dc:a6:32:20:00:02 --model 4
	assert_equal "$(files a)" "config.txt start4.elf fixup4.dat config.txt bcm2711-rpi-4-b.dtb overlays/overlay_map.dtb overlays/vc4-kms-v3d.dtbo cmdline.txt kernel8.img initramfs8"
	assert_equal "$(files b)" "config.txt start4.elf fixup4.dat config.txt bcm2711-rpi-4-b.dtb overlays/overlay_map.dtb overlays/vc4-kms-v3d.dtbo cmdline.txt kernel8.img"
	# both reached their NFS root and wrote a heartbeat
	assert_equal "$(json_get "$BATS_TEST_TMPDIR/b.json" "d['hostname']")" b
	# the bytes saved: the initramfs, less the two lines b's config.txt has
	# more (fetched twice)
	local ra rb init ca cb
	ra=$(json_get "$BATS_TEST_TMPDIR/a.json" "d['bytes_total']")
	rb=$(json_get "$BATS_TEST_TMPDIR/b.json" "d['bytes_total']")
	init=$(stat -c %s "$BRAMBLE_STATE/images/plain/1/boot/initramfs8")
	ca=$(stat -c %s "$BRAMBLE_STATE/tftp/dc-a6-32-20-00-01/config.txt")
	cb=$(stat -c %s "$BRAMBLE_STATE/tftp/dc-a6-32-20-00-02/config.txt")
	echo "bytes per boot: $ra with the initramfs, $rb without"
	assert_equal "$((ra - rb))" "$((init - 2 * (cb - ca)))"
}
