# Helpers of the nfsroot tests (load nfsroot, after helpers).
#
#   nfsroot_setup [SERVER_IP]   bramble.conf for the Ganesha backend at SERVER_IP
#                               (default 10.42.0.1/24), and a deferred unmount of
#                               everything under the state dir (node roots, the
#                               state dir's shared bind), even on failure
#   nfsroot_image NAME          import a small directory image as NAME@1: /sbin/init
#                               -> ../bin/busybox (static), /etc/hostname raspberrypi
#   nfsroot_node NAME [IP]      a node on x@1 with an identity layer holding
#                               etc/hostname and etc/machine-id
#   root_of NAME, upper_of NAME the node's mount point and upper dir
#   is_mounted DIR              an overlay is mounted at DIR

nfsroot_setup() {
	cat >"$BRAMBLE_CONFIG" <<-EOF
	[cluster]
	server_ip = ${1:-10.42.0.1}
	prefix_len = 24
	nfs_backend = ganesha
	EOF
	mkdir -p "$BRAMBLE_STATE"
	defer nfsroot_umount_all
}

# Deepest first, in passes: a mount made before the state dir was bound on
# itself has a copy in the bind and the original underneath.
nfsroot_umount_all() {
	local pass m
	for pass in 1 2 3 4 5; do
		grep -qF " $BRAMBLE_STATE" /proc/self/mounts || return 0
		grep -F " $BRAMBLE_STATE" /proc/self/mounts | cut -d' ' -f2 | sort -ru |
			while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
	done
}

nfsroot_image() {
	local src="$BATS_TEST_TMPDIR/src-$1"
	mkdir -p "$src"/{bin,sbin,etc,boot/firmware}
	cp /bin/busybox "$src/bin/busybox"
	ln -s ../bin/busybox "$src/sbin/init"
	echo raspberrypi >"$src/etc/hostname"
	echo "console=serial0,115200 root=/dev/mmcblk0p2 rootwait" >"$src/boot/firmware/cmdline.txt"
	echo "[all]" >"$src/boot/firmware/config.txt"
	imgtool image import -q "$src" --name "$1"
}

# Until `imgtool node add` renders nodes: the row and an identity layer by hand.
nfsroot_node() {
	local name=$1 ip=${2:-} ident="$BRAMBLE_STATE/nodes/$1/ident"
	python3 - "$BRAMBLE_STATE/bramble.db" "$name" "$ip" <<-'EOF'
	import sqlite3, sys
	db = sqlite3.connect(sys.argv[1])
	db.execute("INSERT INTO nodes (name, image, ver, ip, created) VALUES (?, 'x', 1, ?, 0)",
	           (sys.argv[2], sys.argv[3] or None))
	db.commit()
	EOF
	mkdir -p "$ident/etc"
	echo "$name" >"$ident/etc/hostname"
	cat /proc/sys/kernel/random/uuid | tr -d - >"$ident/etc/machine-id"
}

root_of() {
	echo "$BRAMBLE_STATE/nodes/$1/root"
}

upper_of() {
	echo "$BRAMBLE_STATE/nodes/$1/state/upper"
}

is_mounted() {
	grep -q " $1 overlay " /proc/self/mounts
}
