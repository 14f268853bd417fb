#!/usr/bin/env bats
# imgtool image import of an installed system made for PXE nodes: the kernel
# and initrd it finds and reports (lib/pxe_image.h), and the check that they
# can mount an NFS root, over initrds in every compression the kernel takes.

bats_require_minimum_version 1.5.0

load helpers
load pxe

setup() {
	bramble_setup
	need_root
	pxe_setup
}

# variant NAME: a copy of the PXE image to change.
variant() {
	local d="$BATS_TEST_TMPDIR/$1"
	cp -a "$PXE" "$d"
	echo "$d"
}

# repack DIR COMPRESSOR [EARLY]: rebuild DIR's initrd from its own files
# (minus those matching the grep -E pattern $DROP), compressed with
# COMPRESSOR; EARLY puts an uncompressed cpio first, as Debian's early
# microcode is.
repack() {
	local d=$1 comp=$2 early=${3:-} rd="$1/boot/initrd.img-$KVER" x="$BATS_TEST_TMPDIR/unpacked"
	rm -rf "$x" && mkdir -p "$x"
	(cd "$x" && gzip -dc "$rd" | cpio -id --quiet)
	[ -z "${DROP:-}" ] || (cd "$x" && find . | grep -E "$DROP" | xargs rm -f)
	: >"$rd"
	if [ -n "$early" ]; then
		mkdir -p "$BATS_TEST_TMPDIR/early/kernel/x86/microcode"
		echo fake >"$BATS_TEST_TMPDIR/early/kernel/x86/microcode/GenuineIntel.bin"
		(cd "$BATS_TEST_TMPDIR/early" && find . | cpio -o -H newc --quiet) >>"$rd"
	fi
	(cd "$x" && find . | cpio -o -H newc --quiet | $comp) >>"$rd"
}

@test "a PXE image's kernel and initrd are reported, with NFS root support" {
	run imgtool image import "$PXE" --name pxe
	assert_success
	assert_line "  pxe: kernel /boot/vmlinuz-$KVER, initrd /boot/initrd.img-$KVER (NFS root: yes)"
	refute_output --partial WARNING
}

@test "initrds in every compression, after an uncompressed early cpio, are read" {
	for comp in "gzip -9" "zstd -q" "xz --check=crc32" "lz4 -l -q" "bzip2" "cat"; do
		d=$(variant "v${comp%% *}")
		repack "$d" "$comp" early
		run imgtool image import "$d" --name "pxe-${comp%% *}"
		assert_success
		assert_line "  pxe: kernel /boot/vmlinuz-$KVER, initrd /boot/initrd.img-$KVER (NFS root: yes)"
	done
}

@test "an initrd without the NFS modules and mount helper is reported, on stderr too" {
	d=$(variant nonfs)
	DROP='/(nfs|nfsv3)\.ko$|/nfsmount$' repack "$d" "zstd -q"
	run --separate-stderr imgtool image import "$d" --name pxe
	assert_success
	assert_line "  pxe: kernel /boot/vmlinuz-$KVER, initrd /boot/initrd.img-$KVER"
	assert_line "  pxe: WARNING: the initrd has no nfs module (nfs.ko) and the kernel no built-in NFS client; the initrd has no nfsv3 module (nfsv3.ko); the initrd has no NFS mount helper (klibc's nfsmount or mount.nfs)"
	[[ $stderr == *"$d: the initrd has no nfs module"* ]]
}

@test "no initrd, no kernel: warned; the kernel is found without Debian's links" {
	d=$(variant noinitrd)
	rm "$d/initrd.img" "$d"/boot/initrd.img-*
	run imgtool image import "$d" --name a
	assert_success
	assert_line "  pxe: kernel /boot/vmlinuz-$KVER, initrd none"
	assert_line "  pxe: WARNING: no initrd for the kernel (/boot/initrd.img-KVER)"

	# no /vmlinuz link: the highest /boot/vmlinuz-* with its initrd
	d=$(variant nolinks)
	rm "$d/vmlinuz" "$d/initrd.img"
	cp "$d/boot/vmlinuz-$KVER" "$d/boot/vmlinuz-5.10.0-9-amd64"
	run imgtool image import "$d" --name b
	assert_line "  pxe: kernel /boot/vmlinuz-$KVER, initrd /boot/initrd.img-$KVER (NFS root: yes)"

	# an absolute link resolves inside the image, not on this machine
	d=$(variant abslink)
	ln -sfn "/boot/vmlinuz-$KVER" "$d/vmlinuz"
	ln -sfn "/../../boot/initrd.img-$KVER" "$d/initrd.img"
	run imgtool image import "$d" --name c
	assert_line "  pxe: kernel /boot/vmlinuz-$KVER, initrd /boot/initrd.img-$KVER (NFS root: yes)"

	d=$(variant nokernel)
	rm "$d/vmlinuz" "$d"/boot/vmlinuz-*
	run imgtool image import "$d" --name d
	assert_success
	assert_line "  pxe: WARNING: no kernel (/vmlinuz, /boot/vmlinuz-*): PXE nodes cannot boot it"
}

@test "a damaged initrd is a warning naming the problem, not a failed import" {
	d=$(variant damaged)
	rd="$d/boot/initrd.img-$KVER"
	head -c 300000 "$rd" >"$rd.cut" && mv "$rd.cut" "$rd"
	run imgtool image import "$d" --name pxe
	assert_success
	assert_line --regexp "^  pxe: WARNING: cannot check the initrd: gzip -d failed on .*/initrd.img-$KVER: its compressed part is damaged$"
}
