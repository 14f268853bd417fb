# Helpers of the node inventory tests (load node, after helpers).
#
#   node_setup             per-test setup: private state, repo templates
#   node_image NAME [DIR]  import a tiny installed system (boot files in
#                          boot/firmware, merged /usr) as the next version
#                          of NAME; DIR: the source tree to use (kept, so a
#                          test can change it and import again)
#   ident_of N / boot_of MAC   a node's identity layer / TFTP dir
#   db_query SQL           run SQL on the state's database, print rows

node_setup() {
	bramble_setup
}

# The source tree of a small Pi OS-like system.
node_src() {
	local src=$1
	[ -d "$src" ] && return 0
	mkdir -p "$src"/boot/firmware/overlays "$src"/etc "$src"/usr/lib "$src"/usr/bin "$src"/sbin
	ln -s usr/lib "$src/lib"
	printf 'start4 %s\n' "$(seq 1 400)" >"$src/boot/firmware/start4.elf"
	printf 'kernel %s\n' "$(seq 1 900)" >"$src/boot/firmware/kernel8.img"
	printf 'bootcode\n' >"$src/boot/firmware/bootcode.bin"
	printf 'dtb\n' >"$src/boot/firmware/bcm2711-rpi-4-b.dtb"
	printf 'overlay\n' >"$src/boot/firmware/overlays/vc4-kms-v3d.dtbo"
	printf '# Raspberry Pi OS config.txt\n\ndtparam=audio=on\n[pi4]\narm_boost=1\n[all]\nauto_initramfs=1\n' \
		>"$src/boot/firmware/config.txt"
	echo "console=serial0,115200 console=tty1 root=PARTUUID=5eedb0b0-02 rootfstype=ext4 rootwait" \
		>"$src/boot/firmware/cmdline.txt"
	mkdir -p "$src/home/pi"
	chown 1000:1000 "$src/home/pi"
	chmod 0750 "$src/home/pi"
	echo raspberrypi >"$src/etc/hostname"
	printf 'proc /proc proc defaults 0 0\n' >"$src/etc/fstab"
	cp /bin/busybox "$src/usr/bin/busybox"
	ln -s ../usr/bin/busybox "$src/sbin/init"
}

node_image() {
	local name=$1 src=${2:-$BATS_TEST_TMPDIR/src-$1}
	node_src "$src"
	imgtool image import -q "$src" --name "$name"
}

ident_of() {
	echo "$BRAMBLE_STATE/nodes/$1/ident"
}

boot_of() {
	echo "$BRAMBLE_STATE/tftp/$(echo "$1" | tr : -)"
}

db_query() {
	python3 -c 'import sqlite3,sys
for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]): print("|".join("" if v is None else str(v) for v in r))' \
		"$BRAMBLE_STATE/bramble.db" "$1"
}
