#!/usr/bin/env bats
# imgtool image import refuses bad input with one line naming the problem,
# a non-zero exit, and the state directory exactly as it was.

load helpers
load image

# refuses REGEX CMD...: CMD fails with exactly one line, an error matching
# REGEX, and the state dir is unchanged.
refuses() {
	local want=$1 before
	shift
	imgtool image list >/dev/null	# the state dir and database exist
	before=$(state_digest)
	run "$@"
	assert_failure
	assert_equal "${#lines[@]}" 1
	assert_output --regexp "^imgtool: error: .*$want"
	assert_equal "$(state_digest)" "$before"
}

@test "bad input: not a disk image" {
	need_root
	head -c 1048576 /dev/urandom >"$BATS_TEST_TMPDIR/random.img"
	refuses "random.img is not a disk image: no MBR or GPT partition table" \
		imgtool image import "$BATS_TEST_TMPDIR/random.img" --name x
	echo "hello" >"$BATS_TEST_TMPDIR/text.img"
	refuses "text.img is not a disk image" imgtool image import "$BATS_TEST_TMPDIR/text.img" --name x
}

@test "bad input: truncated image" {
	need_root
	img=$(synth_image base)
	head -c $(($(stat -c %s "$img") - 1048576)) "$img" >"$BATS_TEST_TMPDIR/half.img"
	refuses "half.img is truncated: partition 2 ends at byte [0-9]+ but the image has [0-9]+ bytes" \
		imgtool image import "$BATS_TEST_TMPDIR/half.img" --name x
}

@test "bad input: truncated image with a GPT" {
	need_root
	img=$(synth_image gpt --gpt)
	head -c $(($(stat -c %s "$img") / 2)) "$img" >"$BATS_TEST_TMPDIR/half.img"
	refuses "half.img is truncated: its GPT describes a larger disk than the file" \
		imgtool image import "$BATS_TEST_TMPDIR/half.img" --name x
}

@test "bad input: truncated .xz" {
	need_root
	xz=$(synth_image base --xz)
	head -c $(($(stat -c %s "$xz") / 2)) "$xz" >"$BATS_TEST_TMPDIR/half.img.xz"
	refuses "half.img.xz: truncated .xz file" imgtool image import "$BATS_TEST_TMPDIR/half.img.xz" --name x
}

@test "bad input: corrupt .xz" {
	need_root
	xz=$(synth_image base --xz)
	cp "$xz" "$BATS_TEST_TMPDIR/bad.img.xz"
	size=$(stat -c %s "$xz")
	head -c 4096 /dev/urandom |
		dd of="$BATS_TEST_TMPDIR/bad.img.xz" bs=1 seek=$((size / 2)) conv=notrunc status=none
	refuses "bad.img.xz: corrupt .xz data" imgtool image import "$BATS_TEST_TMPDIR/bad.img.xz" --name x
}

@test "bad input: no FAT partition, no ext4 partition" {
	need_root
	img=$(synth_image nofat --no-fat)
	refuses "has no FAT boot partition \(partitions 2: ext4" imgtool image import "$img" --name x
	img=$(synth_image noext4 --no-ext4)
	refuses "has no ext4 root partition \(partitions 1: vfat" imgtool image import "$img" --name x
	img=$(synth_image gptnoext4 --gpt --no-ext4)
	refuses "has no ext4 root partition" imgtool image import "$img" --name x
}

@test "bad input: image names with '/' or spaces" {
	need_root
	img=$(synth_image base)
	refuses "'a/b' is not a valid image name" imgtool image import "$img" --name a/b
	refuses "'my image' is not a valid image name" imgtool image import "$img" --name "my image"
}

@test "bad input: --name of an image with another architecture" {
	need_root
	imgtool -q image import "$(synth_image base)" --name pi
	refuses "image pi holds arm64 versions but .*host.img is amd64: import it under another --name" \
		imgtool image import "$(synth_image host --arch host)" --name pi
}

@test "bad input: missing source file" {
	need_root
	refuses "$BATS_TEST_TMPDIR/nope.img does not exist" \
		imgtool image import "$BATS_TEST_TMPDIR/nope.img" --name x
}

@test "bad input: not root" {
	need_root
	need_cmd setpriv
	img=$(synth_image base)
	chmod 0755 "$BATS_TEST_TMPDIR"
	refuses "imgtool image import needs root" \
		setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
		imgtool image import "$img" --name x
}

@test "bad input: disk full during import (.img and .img.xz)" {
	need_root
	img=$(synth_image real --boot-size real)
	xz=$(synth_image real --boot-size real --xz)
	truncate -s 24M "$BATS_TEST_TMPDIR/small.ext4"
	mkfs.ext4 -q "$BATS_TEST_TMPDIR/small.ext4"
	mkdir "$BATS_TEST_TMPDIR/small"
	mount -o loop "$BATS_TEST_TMPDIR/small.ext4" "$BATS_TEST_TMPDIR/small"
	defer umount "$BATS_TEST_TMPDIR/small"
	export BRAMBLE_STATE=$BATS_TEST_TMPDIR/small/state
	refuses "disk full: .*free space" imgtool image import "$img" --name big
	refuses "disk full: .*free space" imgtool image import "$xz" --name big
	wait_gone our_loops "$img"
}
