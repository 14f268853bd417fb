# Helpers of the nfsroot tests (load nfsroot, after helpers and node).
#
#   nfsroot_setup               per-test setup (node_setup), bramble.conf for the
#                               Ganesha backend at 10.42.0.1/24, a deferred unmount
#                               of everything under the state dir (node roots, the
#                               state dir's shared bind) even on failure, and image
#                               x@1 (node_image: /sbin/init -> busybox)
#   root_of NAME, upper_of NAME the node's mount point and upper dir
#   is_mounted DIR              an overlay is mounted at DIR

nfsroot_setup() {
	node_setup
	need_root
	cat >"$BRAMBLE_CONFIG" <<-EOF
	[cluster]
	server_ip = 10.42.0.1
	prefix_len = 24
	nfs_backend = ganesha
	EOF
	mkdir -p "$BRAMBLE_STATE"
	defer nfsroot_umount_all
	node_image x
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

root_of() {
	echo "$BRAMBLE_STATE/nodes/$1/root"
}

upper_of() {
	echo "$BRAMBLE_STATE/nodes/$1/state/upper"
}

is_mounted() {
	grep -q " $1 overlay " /proc/self/mounts
}
