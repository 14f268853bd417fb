# shellcheck shell=bash
# What makes a disk image look like Raspberry Pi OS (bookworm), shared by
# scripts/mkimage (synthetic) and scripts/mkrealimage (built from Debian).
# Sourced by bash after common.sh, not run.
#
#   pi_boot_config DIR ROOT-PARTUUID   Pi OS's config.txt and cmdline.txt
#   pi_fstab ROOT BOOT-PARTUUID ROOT-PARTUUID   Pi OS's /etc/fstab
#   make_boot_fs IMG MIB SPC SRC       FAT32 "bootfs" (volume id $diskid) holding SRC/*
#   pi_services ROOT                   first boot (init=) and resize services
#   pi_swapfile ROOT                   bookworm's dphys-swapfile on the root

pi_boot_config() {
	cat >"$1/config.txt" <<-'EOF'
	# For more options and information see
	# http://rptl.io/configtxt
	# Some settings may impact device functionality. See link above for details

	# Uncomment some or all of these to enable the optional hardware interfaces
	#dtparam=i2c_arm=on
	#dtparam=i2s=on
	#dtparam=spi=on

	# Enable audio (loads snd_bcm2835)
	dtparam=audio=on

	# Additional overlays and parameters are documented
	# /boot/firmware/overlays/README

	# Automatically load overlays for detected cameras
	camera_auto_detect=1

	# Automatically load overlays for detected DSI displays
	display_auto_detect=1

	# Automatically load initramfs files, if found
	auto_initramfs=1

	# Enable DRM VC4 V3D driver
	dtoverlay=vc4-kms-v3d
	max_framebuffers=2

	# Don't have the firmware create an initial video= setting in cmdline.txt.
	# Use the kernel's default instead.
	disable_fw_kms_setup=1

	# Run in 64-bit mode
	arm_64bit=1

	# Disable compensation for displays with overscan
	disable_overscan=1

	# Run as fast as firmware / board allows
	arm_boost=1

	[cm4]
	# Enable host mode on the 2711 built-in XHCI USB controller.
	# This line should be removed if the legacy DWC2 controller is required
	# (e.g. for USB device mode) or if USB support is not required.
	otg_mode=1

	[cm5]
	dtoverlay=dwc2,dr_mode=host

	[all]
	EOF
	printf 'console=serial0,115200 console=tty1 root=PARTUUID=%s rootfstype=ext4 fsck.repair=yes rootwait quiet init=/usr/lib/raspberrypi-sys-mods/firstboot\n' \
		"$2" >"$1/cmdline.txt"
}

pi_fstab() {
	cat >"$1/etc/fstab" <<-EOF
	proc            /proc           proc    defaults          0       0
	PARTUUID=$2  /boot/firmware  vfat    defaults          0       2
	PARTUUID=$3  /               ext4    defaults,noatime  0       1
	# a swapfile is not a swap partition, no line here
	#   use  dphys-swapfile swap[on|off]  for that
	EOF
}

# FAT32 without mounting (no vfat here): mkfs.vfat + mcopy.
make_boot_fs() {
	local img=$1 mib=$2 spc=$3 src=$4
	truncate -s "${mib}M" "$img"
	# Pi OS's label is lower case; mkfs.vfat warns about that. --invariant
	# first: it would reset the volume id given by -i.
	mkfs.vfat -F 32 -S 512 -s "$spc" -n bootfs --invariant -i "$diskid" "$img" >"$TMP/mkfs.log" 2>&1 ||
		die "mkfs.vfat failed: $(tail -n 1 "$TMP/mkfs.log")"
	tree_epoch "$src"
	MTOOLS_SKIP_CHECK=1 mcopy -s -m -i "$img" "$src"/* ::/ || die "mcopy into the boot file system failed"
}

# What Pi OS runs on first boot: the importer must disable these for
# network boot, so they are here to be found.
pi_services() {
	local r=$1
	mkdir -p "$r/usr/lib/raspberrypi-sys-mods" "$r/etc/init.d" "$r/etc/rc3.d" "$r/usr/sbin" \
		"$r/usr/lib/systemd/system" "$r/etc/systemd/system/multi-user.target.wants"
	cat >"$r/usr/lib/raspberrypi-sys-mods/firstboot" <<-'EOF'
	#!/bin/sh
	# Pi OS runs this as init= on first boot: grow the root partition,
	# regenerate the file system UUIDs, then remove init= from cmdline.txt.
	echo "firstboot: would resize the root partition"
	sed -i 's| init=/usr/lib/raspberrypi-sys-mods/firstboot||' /boot/firmware/cmdline.txt
	exec /sbin/init
	EOF
	chmod 0755 "$r/usr/lib/raspberrypi-sys-mods/firstboot"
	cat >"$r/etc/init.d/resize2fs_once" <<-'EOF'
	#!/bin/sh
	### BEGIN INIT INFO
	# Provides:          resize2fs_once
	# Required-Start:
	# Required-Stop:
	# Default-Start: 3
	# Default-Stop:
	# Short-Description: Resize the root filesystem to fill partition
	# Description:
	### END INIT INFO
	. /lib/lsb/init-functions
	case "$1" in
	  start)
	    log_daemon_msg "Starting resize2fs_once"
	    ROOT_DEV=$(findmnt / -o source -n) &&
	    resize2fs "$ROOT_DEV" &&
	    update-rc.d resize2fs_once remove &&
	    rm /etc/init.d/resize2fs_once &&
	    log_end_msg $?
	    ;;
	  *)
	    echo "Usage: $0 start" >&2
	    exit 3
	    ;;
	esac
	EOF
	chmod 0755 "$r/etc/init.d/resize2fs_once"
	ln -s ../init.d/resize2fs_once "$r/etc/rc3.d/S01resize2fs_once"
}

# bookworm's swap file on the root (trixie has rpi-swap instead).
pi_swapfile() {
	local r=$1
	cat >"$r/usr/lib/systemd/system/dphys-swapfile.service" <<-'EOF'
	[Unit]
	Description=dphys-swapfile - set up, mount/unmount, and delete a swap file
	Documentation=man:dphys-swapfile(8)
	ConditionPathExists=/etc/dphys-swapfile
	After=local-fs.target
	Requires=local-fs.target

	[Service]
	Type=oneshot
	ExecStart=/sbin/dphys-swapfile setup
	ExecStart=/sbin/dphys-swapfile swapon
	ExecStop=/sbin/dphys-swapfile swapoff
	RemainAfterExit=yes

	[Install]
	WantedBy=multi-user.target
	EOF
	ln -s /lib/systemd/system/dphys-swapfile.service \
		"$r/etc/systemd/system/multi-user.target.wants/dphys-swapfile.service"
	# It does what it says: an importer that leaves it enabled gets a swap
	# file on the node's root (on NFS, where swap cannot work).
	cat >"$r/usr/sbin/dphys-swapfile" <<-'EOF'
	#!/bin/sh
	# dphys-swapfile, cut down: setup makes the swap file /etc/dphys-swapfile
	# names, swapon and swapoff switch it.
	CONF_SWAPFILE=/var/swap CONF_SWAPSIZE=100
	. /etc/dphys-swapfile
	case $1 in
	setup) [ -f "$CONF_SWAPFILE" ] || { dd if=/dev/zero of="$CONF_SWAPFILE" bs=1M count="$CONF_SWAPSIZE" &&
		chmod 0600 "$CONF_SWAPFILE" && mkswap "$CONF_SWAPFILE"; } ;;
	swapon) swapon "$CONF_SWAPFILE" ;;
	swapoff) swapoff "$CONF_SWAPFILE" ;;
	*) echo "usage: dphys-swapfile setup|swapon|swapoff" >&2; exit 2 ;;
	esac
	EOF
	chmod 0755 "$r/usr/sbin/dphys-swapfile"
	cat >"$r/etc/dphys-swapfile" <<-'EOF'
	# /etc/dphys-swapfile - user settings for dphys-swapfile package
	# where we want the swapfile to be, this is the default
	#CONF_SWAPFILE=/var/swap

	# set size to absolute value, leaving empty (default) then uses computed value
	CONF_SWAPSIZE=200

	# restrict size (computed and absolute!) to maximally this limit
	#CONF_MAXSWAP=2048
	EOF
}
