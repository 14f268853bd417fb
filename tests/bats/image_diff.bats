#!/usr/bin/env bats
# imgtool image diff: added, removed and changed paths between two
# versions (of one image or of two), compared by content and metadata.

load helpers
load image

setup() {
	bramble_setup
	need_root
}

@test "diff: +, -, M sorted by path; content-only and mode changes; with itself: nothing" {
	need_binfmt_arm64
	imgtool -q image import "$(synth_image base)" --name a
	# hostname: other bytes, same size and mtime: only its content tells.
	imgtool -q image exec a -- /bin/sh -c '
		cp -p /etc/hostname /tmp/h
		printf R | dd of=/etc/hostname bs=1 count=1 conv=notrunc 2>/dev/null
		touch -r /tmp/h /etc/hostname
		chmod 4755 /opt/torture/sparse
		rm /opt/torture/symlink /home/pi/private
		mkdir /mnt/new && echo 1 > /mnt/new/file
		echo z > /boot/firmware/zz.txt'
	run imgtool image diff a@1 a@2
	assert_success
	assert_output "+ boot/zz.txt
M root/etc/hostname
- root/home/pi/private
+ root/mnt/new
+ root/mnt/new/file
M root/opt/torture/sparse
- root/opt/torture/symlink"
	# One version: what it was made from, to it.
	run imgtool image diff a@2
	assert_output "$(imgtool image diff a@1 a@2)"
	run imgtool image diff a@2 a@1
	assert_line "- boot/zz.txt"
	assert_line "+ root/home/pi/private"
	run imgtool image diff a@1 a@1
	assert_success
	assert_output ""
}

@test "diff across images: the versions' own differences" {
	imgtool -q image import "$(synth_image base)" --name a
	imgtool -q image import "$(synth_image other --hostname other --disk-id 0badcafe)" --name b
	run imgtool image diff a b@1
	assert_success
	assert_line "M boot/cmdline.txt"
	assert_line "M root/etc/fstab"
	assert_line "M root/etc/hostname"
	refute_line --partial "root/bin"
	refute_line --partial "root/opt"
}

@test "diff bad input: one line, nothing changed" {
	imgtool -q image import "$(synth_image base)" --name a
	before=$(state_digest)
	check() {
		run imgtool image diff "$@"
		assert_failure
		assert_equal "${#lines[@]}" 1
		assert_equal "$(state_digest)" "$before"
	}
	check a@1 nosuch
	assert_output --partial "unknown image 'nosuch'"
	check a@1 a@9
	assert_output --partial "image a has no version 9"
	check a@1
	assert_output --partial "a@1 was imported, not made by 'imgtool image exec'"
	check
	assert_output --partial "give two versions"
	check a b c
	assert_output --partial "give two versions"
	check 'a@x' a
	assert_output --partial "'a@x' is not NAME@VERSION"
}
