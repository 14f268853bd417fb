# Helpers of the image store tests (load image, after helpers).
#
#   mount_part IMG N DIR    partition N of IMG mounted read-only at DIR from a
#                           loop device the test made itself (both deferred)
#   version_dir NAME VER    the version's directory in $BRAMBLE_STATE
#   our_loops IMG           loop devices backed by IMG or by the state dir
#   our_mounts              mounts under the test's temp dir
#   wait_gone CMD...        retry CMD (a check) for a few seconds: the kernel
#                           detaches an autoclear loop device asynchronously
#   assert_root_is_partition IMG ROOT
#                           ROOT equals partition 2 of IMG in content and
#                           metadata but for the netboot-ready changes
#   assert_root_is_tree SRC ROOT   the same against a directory

mount_part() {
	local img=$1 n=$2 dir=$3 start sectors dev
	read -r start sectors < <(partx -g -o START,SECTORS --nr "$n" "$img")
	dev=$(losetup -r -f --show -o $((start * 512)) --sizelimit $((sectors * 512)) "$img")
	defer losetup -d "$dev"
	mkdir -p "$dir"
	mount -o ro,noload "$dev" "$dir"
	defer umount "$dir"
}

version_dir() {
	echo "$BRAMBLE_STATE/images/$1/$2"
}

our_loops() {
	losetup -a | grep -F -e "$1" -e "$BRAMBLE_STATE" || true
}

our_mounts() {
	grep -F "$BATS_TEST_TMPDIR" /proc/mounts || true
}

wait_gone() {
	local i
	for i in $(seq 50); do
		[ -z "$("$@")" ] && return 0
		sleep 0.1
	done
	"$@"
	return 1
}

# What making a synthetic image netboot-ready changes in its root, as
# rsync -naHAXc --itemize-changes PARTITION/ VERSION_ROOT/ prints it, sorted.
NETREADY_DIFF='*deleting   etc/systemd/system/dphys-swapfile.service
*deleting   etc/systemd/system/resize2fs_once.service
.d..t...... etc/
.d..t...... etc/rc3.d/
.d..t...... etc/systemd/system/
.d..t...... etc/systemd/system/multi-user.target.wants/
>fcst...... etc/fstab
cL+++++++++ etc/rc3.d/S01resize2fs_once -> ../init.d/resize2fs_once
cL+++++++++ etc/systemd/system/multi-user.target.wants/dphys-swapfile.service -> /lib/systemd/system/dphys-swapfile.service'

assert_root_is_tree() {
	run bash -c "rsync -naHAXc --delete --itemize-changes '$1/' '$2/' | LC_ALL=C sort"
	assert_success
	assert_output "$NETREADY_DIFF"
}

assert_root_is_partition() {
	local mnt
	mnt=$(mktemp -d "$BATS_TEST_TMPDIR/part.XXXXXX")
	mount_part "$1" 2 "$mnt"
	assert_root_is_tree "$mnt" "$2"
}
