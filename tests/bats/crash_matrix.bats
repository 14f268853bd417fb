#!/usr/bin/env bats
# The crash matrix: kill -9 at every named crash point (lib/crashpoint.h)
# of image import, image rm, image exec's commit, the node verbs and node
# publish/unpublish, and at random moments of an import and a batch node
# add. After each kill the next command must succeed and `imgtool fsck`
# must find nothing. A point no longer hit fails the test (the command
# must die by SIGKILL), so renaming one cannot silently drop its case.

load helpers
load node
load nfsroot

# nfsroot_setup: Ganesha config for node publish, the deferred unmount of
# what node rm and publish mount in the state dir, image x@1.
setup() {
	nfsroot_setup
	SRC=$BATS_TEST_TMPDIR/src
	node_src "$SRC"
	# a shell for image exec (the host's busybox runs natively)
	ln -s busybox "$SRC/usr/bin/sh"
	ln -s usr/bin "$SRC/bin"
	imgtool -q image import "$SRC" --name os
	imgtool -q node add node01 --mac dc:a6:32:01:02:03 --image os
	CASES=0
}

teardown() {
	run_deferred
}

# crash POINT CMD...: CMD dies by SIGKILL at POINT.
crash() {
	local point=$1
	shift
	run env BRAMBLE_CRASHPOINT="$point" "$@"
	[ "$status" = 137 ] ||
		fail "point $point: '$*' exited $status instead of being killed there: $output"
}

# recovers POINT CMD...: after the kill, CMD (the next command) succeeds
# and fsck finds nothing.
recovers() {
	local point=$1
	shift
	run "$@"
	[ "$status" = 0 ] || fail "point $point: the next command '$*' failed: $output"
	run imgtool fsck
	[ "$status" = 0 ] || fail "point $point: fsck after '$*' found: $output"
	CASES=$((CASES + 1))
}

# matrix CMD...: for each point of $POINTS, crash CMD there, then run it
# again as the next command.
matrix() {
	local point
	for point in $POINTS; do
		crash "$point" "$@"
		recovers "$point" "$@"
	done
}

count() {
	echo "# $BATS_TEST_DESCRIPTION: $CASES cases" >&3
}

@test "crash matrix: image import, and the recovery of what it left" {
	POINTS="import-recovered import-staged import-boot-copied copied import-netready publish-synced published publish-committed import-done"
	matrix imgtool -q image import "$SRC" --name os
	# a disk image: the mounted partitions and loop devices
	img=$(synth_image base)
	crash mounted imgtool -q image import "$img" --name base
	recovers mounted imgtool -q image import "$img" --name base
	# the recovery of a version left without its row is itself killed; the
	# version holds a file of its own, so its removal makes garbage objects
	cp -a "$SRC" "$BATS_TEST_TMPDIR/src2"
	echo only here >"$BATS_TEST_TMPDIR/src2/etc/unique"
	crash published imgtool -q image import "$BATS_TEST_TMPDIR/src2" --name os
	for point in trash-made trash-moved recovered-leftovers; do
		crash "$point" imgtool -q image import "$SRC" --name os
	done
	recovers recovered-leftovers imgtool -q image import "$SRC" --name os
	count
}

@test "crash matrix: image rm" {
	for point in unlisted trash-made trash-moved rm-discarded; do
		imgtool -q image import "$SRC" --name other
		crash "$point" imgtool -q image rm other@1
		# the objects only it held are for gc; gc also finishes the rm
		recovers "$point" imgtool -q image gc
		run imgtool image list
		refute_output --partial other
	done
	count
}

@test "crash matrix: image exec and its commit" {
	POINTS="exec-mounted exec-ran exec-stage-made exec-tree-built exec-staged publish-synced published publish-committed exec-committed"
	matrix imgtool -q image exec os -- /bin/sh -c 'date +%N >/etc/changed'
	count
}

@test "crash matrix: node add, set, replace, rm" {
	local i=10 point
	for point in node-planned node-committed node-dirs-made ssh-key-made ssh-pub-moved \
		node-keys-made tree-file-written node-ident-synced batch-synced node-written \
		atomic-write-synced node-boot-swept; do
		i=$((i + 1))
		crash "$point" imgtool -q node add "node$i" --mac "dc:a6:32:01:02:$i" --image os
		recovers "$point" imgtool -q node build
	done
	# each a real change (the address is in every node's hosts file), so
	# every step has something to write
	i=50
	for point in node-planned node-committed tree-file-written node-ident-synced \
		batch-synced node-written node-boot-swept; do
		i=$((i + 1))
		crash "$point" imgtool -q node set node01 "ip=10.42.0.$i"
		recovers "$point" imgtool -q node set node01 "ip=10.42.0.$i"
	done
	i=0
	for point in node-committed tree-file-written batch-synced node-written node-boot-swept; do
		i=$((i + 1))
		crash "$point" imgtool -q node replace node01 --mac "02:00:00:00:00:0$i"
		recovers "$point" imgtool -q node replace node01 --mac "02:00:00:00:00:0$i"
	done
	# node11 was never added (killed before its commit); node12 was
	[ "$(db_query "SELECT count(*) FROM nodes WHERE name = 'node11'")" = 0 ]
	for point in node-committed node-rm-boot node-rm-files; do
		crash "$point" imgtool -q node rm node12
		recovers "$point" imgtool -q node build
		[ "$(db_query "SELECT count(*) FROM nodes WHERE name = 'node12'")" = 0 ]
		imgtool -q node add node12 --mac dc:a6:32:01:02:12 --image os
	done
	# the next command's finishing of a removal is killed too
	crash node-rm-files imgtool -q node rm node12
	crash reconciled-removals imgtool -q node build
	recovers reconciled-removals imgtool -q node build
	count
}

@test "crash matrix: node publish and unpublish" {
	crash nfs-mounted imgtool -q node publish node01
	recovers nfs-mounted imgtool -q node publish node01
	crash nfs-unexported imgtool -q node unpublish node01
	recovers nfs-unexported imgtool -q node unpublish node01
	count
}

# kill_after SECONDS CMD...: start CMD, kill -9 it after SECONDS unless it
# ended first (either way the state must be whole).
kill_after() {
	local delay=$1
	shift
	"$@" >/dev/null 2>&1 &
	local pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" || true
}

@test "crash matrix: kill -9 at random moments of an import and a batch node add" {
	local run delay
	head -c 40M /dev/urandom >"$SRC/usr/lib/big"
	for run in 1 2 3; do
		delay=$(printf '0.%02d' $((RANDOM % 90 + 5)))
		kill_after "$delay" imgtool -q image import "$SRC" --name os
		recovers "import killed after ${delay}s" imgtool -q image import "$SRC" --name os
	done
	rm "$SRC/usr/lib/big"
	for run in a b c; do
		delay=$(printf '0.%02d' $((RANDOM % 90 + 5)))
		kill_after "$delay" imgtool -q node add "$run[01-16]" --image os
		recovers "node add $run[01-16] killed after ${delay}s" imgtool -q node build
	done
	count
}
