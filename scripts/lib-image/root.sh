# shellcheck shell=bash
# A small busybox-based root file system, shared by scripts/mkimage (the Pi
# image's ext4 root) and scripts/mkpxeimage (the PXE node's NFS root).
# Sourced by bash after common.sh.
#
# Attributes that need privileges to create (owners other than the builder,
# device nodes, security.* xattrs) are not made in the staging tree but
# recorded in a manifest, $ATTRS, and applied by one of two functions:
#   root_apply DIR         for real, on a directory (needs root)
#   root_debugfs DIR IMG   inside an ext4 image made with mkfs.ext4 -d DIR
#                          (no mount, no root), also normalising owners to
#                          root and every inode's times to $EPOCH
#
#   root_base DIR BUSYBOX HOSTNAME INITTAB_LINE...   the skeleton
#   root_own PATH UID GID / root_chr PATH MAJ MIN MODE /
#   root_xattr PATH NAME HEXVALUE / root_cap_net_raw PATH   (PATH from /)

# The busybox applets the root links; the rest are reachable as `busybox X`.
ROOT_BIN_APPLETS="sh ash cat cp chmod chown date dd df dmesg du echo false grep
head hostname kill ln login ls mkdir mknod more mount mv ps pwd rm rmdir sed sleep
stat sync tail tar touch true umount uname vi wc"
ROOT_SBIN_APPLETS="getty halt ifconfig ip mdev poweroff reboot route swapoff
swapon switch_root udhcpc"

root_attrs_init() {
	ATTRS=$1
	: >"$ATTRS"
}

root_own() { printf 'own\t%s\t%s\t%s\n' "$1" "$2" "$3" >>"$ATTRS"; }
root_chr() { printf 'chr\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$ATTRS"; }
root_xattr() { printf 'xattr\t%s\t%s\t%s\n' "$1" "$2" "$3" >>"$ATTRS"; }

# security.capability, VFS_CAP_REVISION_2 with the effective bit, permitted
# CAP_NET_RAW (bit 13): what `setcap cap_net_raw+ep` writes.
root_cap_net_raw() {
	root_xattr "$1" security.capability 0100000200200000000000000000000000000000
}

root_base() {
	local d=$1 busybox=$2 host=$3 a
	shift 3
	# Merged /usr as Debian 12 and Pi OS have it: /bin, /sbin, /lib are
	# symlinks, so a copier that follows them leaves the image.
	mkdir -p "$d"/{etc/init.d,dev,proc,sys,run,mnt,home/pi,usr/bin,usr/sbin,usr/lib/bramble,var/log,var/lib,var/tmp}
	ln -s usr/bin "$d/bin"
	ln -s usr/sbin "$d/sbin"
	ln -s usr/lib "$d/lib"
	install -d -m 0700 "$d/root"
	install -d -m 1777 "$d/tmp"
	install -m 0755 "$busybox" "$d/usr/bin/busybox" || die "cannot copy $busybox"
	for a in $ROOT_BIN_APPLETS; do ln -s busybox "$d/usr/bin/$a"; done
	for a in $ROOT_SBIN_APPLETS; do ln -s ../bin/busybox "$d/usr/sbin/$a"; done
	ln -s ../bin/busybox "$d/usr/sbin/init"
	root_chr /dev/console 5 1 0600
	root_chr /dev/null 1 3 0666

	printf '%s\n' "$host" >"$d/etc/hostname"
	cat >"$d/etc/hosts" <<-HOSTS
	127.0.0.1	localhost
	::1		localhost ip6-localhost ip6-loopback
	ff02::1		ip6-allnodes
	ff02::2		ip6-allrouters

	127.0.1.1	$host
	HOSTS
	cat >"$d/etc/passwd" <<-'PASSWD'
	root:x:0:0:root:/root:/bin/sh
	daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
	nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
	pi:x:1000:1000:,,,:/home/pi:/bin/sh
	PASSWD
	cat >"$d/etc/group" <<-'GROUP'
	root:x:0:
	daemon:x:1:
	shadow:x:42:
	users:x:100:pi
	nogroup:x:65534:
	pi:x:1000:
	GROUP
	# Locked passwords, as Pi OS ships since 2022 (set at first boot).
	cat >"$d/etc/shadow" <<-'SHADOW'
	root:*:19675:0:99999:7:::
	daemon:*:19675:0:99999:7:::
	nobody:*:19675:0:99999:7:::
	pi:*:19675:0:99999:7:::
	SHADOW
	chmod 0640 "$d/etc/shadow"
	root_own /etc/shadow 0 42
	printf 'PATH=/sbin:/bin:/usr/sbin:/usr/bin\nexport PATH\n' >"$d/home/pi/.profile"
	root_own /home/pi 1000 1000
	root_own /home/pi/.profile 1000 1000

	{
		echo "# busybox init; bramble synthetic root"
		echo "::sysinit:/etc/init.d/rcS"
		printf '%s\n' "$@"
		echo "::ctrlaltdel:/sbin/reboot"
		echo "::shutdown:/bin/umount -a -r"
	} >"$d/etc/inittab"
	cat >"$d/etc/init.d/rcS" <<-'RCS'
	#!/bin/sh
	# Run once by busybox init: kernel file systems, hostname, and the
	# heartbeat that bramble's node identity layer installs.
	PATH=/sbin:/bin:/usr/sbin:/usr/bin
	export PATH
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	grep -q ' /dev devtmpfs ' /proc/mounts || mount -t devtmpfs devtmpfs /dev 2>/dev/null
	mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
	mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp
	hostname -F /etc/hostname
	echo "bramble-node: hostname=$(hostname)"
	if [ -x /usr/lib/bramble/heartbeat ]; then
		/usr/lib/bramble/heartbeat </dev/null >/dev/null 2>&1 &
		echo "bramble-node: heartbeat started"
	fi
	RCS
	chmod 0755 "$d/etc/init.d/rcS"
}

# Apply the manifest to a real directory.
root_apply() {
	local d=$1 kind p a b c
	while IFS=$'\t' read -r kind p a b c; do
		case $kind in
		own) chown -h "$a:$b" "$d$p" ;;
		chr) rm -f "$d$p" && mknod -m "$c" "$d$p" c "$a" "$b" ;;
		xattr) setfattr -h -n "$a" -v "0x$b" "$d$p" ;;
		esac || die "cannot set $kind on $d$p (needs root)"
	done <"$ATTRS"
}

# debugfs commands that give the ext4 made from DIR the manifest's
# attributes, root ownership elsewhere and $EPOCH times (mkfs.ext4 -d copies
# the builder's uid and each file's real ctime).
root_debugfs_cmds() {
	local d=$1 tmp=$2 kind p a b c n=0
	(cd "$d" && find . -print0) | while IFS= read -r -d '' p; do
		p=${p#.}
		printf 'sif "%s" uid 0\nsif "%s" gid 0\nsif "%s" ctime @%s\n' "${p:-/}" "${p:-/}" "${p:-/}" "$EPOCH"
	done
	while IFS=$'\t' read -r kind p a b c; do
		case $kind in
		own) printf 'sif "%s" uid %s\nsif "%s" gid %s\n' "$p" "$a" "$p" "$b" ;;
		chr)
			# debugfs 1.47's mknod takes a name in the current directory.
			printf 'cd "%s"\nmknod "%s" c %s %s\ncd /\n' "${p%/*}" "${p##*/}" "$a" "$b"
			printf 'sif "%s" mode 02%04o\n' "$p" "$((8#$c))"
			for f in atime mtime ctime crtime; do printf 'sif "%s" %s @%s\n' "$p" "$f" "$EPOCH"; done
			;;
		xattr)
			n=$((n + 1))
			printf '%b' "$(sed 's/../\\x&/g' <<<"$b")" >"$tmp/xattr.$n"
			printf 'ea_set -f "%s" "%s" %s\n' "$tmp/xattr.$n" "$p" "$a"
			;;
		esac
	done <"$ATTRS"
}

root_debugfs() {
	local d=$1 img=$2 tmp
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/root-debugfs.XXXXXX") || die "cannot make a temp dir"
	root_debugfs_cmds "$d" "$tmp" >"$tmp/cmds"
	# debugfs reports failed commands on stderr but always exits 0. It
	# stamps the superblock with the real time; faketime keeps it $EPOCH.
	local ft=()
	! command -v faketime >/dev/null ||
		ft=(env TZ=UTC faketime -f "$(date -u -d "@$EPOCH" '+%Y-%m-%d %H:%M:%S')")
	"${ft[@]}" debugfs -w -f "$tmp/cmds" "$img" >/dev/null 2>"$tmp/err"
	if grep -v '^debugfs [0-9]' "$tmp/err" | grep -q .; then
		cat "$tmp/err" >&2
		rm -rf "$tmp"
		die "debugfs could not apply the root's attributes to $img"
	fi
	rm -rf "$tmp"
}
