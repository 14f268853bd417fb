#!/usr/bin/env bats
# imgtool image list, rm and gc: what they show and free is what is on disk.

load helpers
load image

# add_node NAME IMAGE VER: a node row using a version (the node verbs are
# tested elsewhere; this is only what `image` commands read).
add_node() {
	python3 -c 'import sqlite3,sys
c = sqlite3.connect(sys.argv[1])
c.execute("INSERT INTO nodes (name, image, ver, created) VALUES (?, ?, ?, 0)", sys.argv[2:5])
c.commit()' "$BRAMBLE_STATE/bramble.db" "$1" "$2" "$3"
}

# du of the whole state dir, in bytes
state_bytes() {
	du -sb "$BRAMBLE_STATE" | cut -f1
}

@test "list: versions with files, size, unique bytes and nodes" {
	need_root
	img=$(synth_image base)
	run imgtool image list
	assert_success
	assert_output --partial "no images yet"
	imgtool -q image import "$img" --name bookworm
	imgtool -q image import "$img" --name bookworm
	add_node node02 bookworm 1
	add_node node01 bookworm 1
	run imgtool image list
	assert_success
	assert_line --index 0 --regexp "^IMAGE +VER +ARCH +CREATED +FILES +SIZE +UNIQUE +NODES$"
	assert_line --index 1 --regexp "^bookworm +1 +arm64 +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{5} +107 +67.5 M +0.[0-9] M  node01, node02$"
	assert_line --index 2 --regexp "^bookworm +2 +arm64 .* +107 +67.5 M +0.[0-9] M  -$"
	run imgtool image list --json
	assert_success
	python3 -c 'import json,sys
v = json.loads(sys.argv[1])
assert [(x["name"], x["version"], x["files"], x["nodes"]) for x in v] == \
	[("bookworm", 1, 107, ["node01", "node02"]), ("bookworm", 2, 107, [])], v
assert all(0 < x["unique_bytes"] < 1 << 20 and x["bytes"] == 70769557 for x in v), v
assert v[0]["source"] == sys.argv[2], v' "$output" "$img"
}

@test "list: unique bytes are what rm and gc free" {
	need_root
	img=$(synth_image base)
	other=$(synth_image other --hostname other --disk-id 0badcafe)
	imgtool -q image import "$img" --name a
	imgtool -q image import "$other" --name a
	unique=$(imgtool image list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[1]["unique_bytes"])')
	before=$(state_bytes)
	run imgtool image rm a@2
	assert_success
	run imgtool image gc
	assert_success
	after=$(state_bytes)
	echo "unique $unique, freed $((before - after))"
	# du also counts the emptied fan-out dirs and database pages: within 64 KiB.
	[ $((before - after - unique)) -lt 65536 ] && [ $((unique - (before - after))) -lt 65536 ]
}

@test "rm: refused while a node uses the version, naming the nodes" {
	need_root
	img=$(synth_image base)
	imgtool -q image import "$img" --name bookworm
	add_node node01 bookworm 1
	add_node node07 bookworm 1
	before=$(state_digest)
	run imgtool image rm bookworm@1
	assert_failure
	assert_output "imgtool: error: bookworm@1 is used by nodes node01, node07: move them to another version first"
	assert_equal "$(state_digest)" "$before"
}

@test "rm: the row and the directory go, other versions keep their files; gc frees the rest" {
	need_root
	img=$(synth_image base)
	imgtool -q image import "$img" --name bookworm
	imgtool -q image import "$img" --name bookworm
	run imgtool image rm bookworm@1
	assert_success
	assert_output --regexp "^removed bookworm@1; 'imgtool image gc' frees its 0.[0-9] MiB$"
	assert [ ! -e "$(version_dir bookworm 1)" ]
	run imgtool image list
	refute_line --regexp "^bookworm +1 "
	run imgtool image gc
	assert_success
	# Only what bookworm@1 alone held: its changed fstab and cmdline.txt.
	assert_output "freed 2 unused files, 0.0 MiB"
	assert_root_is_partition "$img" "$(version_dir bookworm 2)/root"
	# The last version gone, the name is free for another architecture.
	imgtool -q image rm bookworm@2
	run imgtool image gc
	assert_output --regexp "^freed [0-9]+ unused files, [1-9][0-9.]* MiB$"
	run find "$BRAMBLE_STATE/objects" "$BRAMBLE_STATE/images" -mindepth 1
	assert_output ""
	imgtool -q image import "$(synth_image host --arch host)" --name bookworm
}

@test "rm: bad specs are refused without change" {
	need_root
	img=$(synth_image base)
	imgtool -q image import "$img" --name bookworm
	before=$(state_digest)
	run imgtool image rm bookworm
	assert_failure
	assert_output "imgtool: error: 'bookworm': give the version to remove as NAME@VER (see 'imgtool image list')"
	run imgtool image rm bookworm@7
	assert_failure
	assert_output "imgtool: error: image bookworm has no version 7 (see 'imgtool image list')"
	run imgtool image rm nope@1
	assert_failure
	assert_output "imgtool: error: image nope has no version 1 (see 'imgtool image list')"
	assert_equal "$(state_digest)" "$before"
}

@test "help: every image verb explains itself" {
	for verb in import list rm gc; do
		run imgtool image "$verb" --help
		assert_success
		assert_line --index 0 --partial "usage: imgtool image $verb"
	done
	run imgtool image --help
	assert_success
	assert_output --partial "import "
	assert_output --partial "gc "
}
