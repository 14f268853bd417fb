#!/usr/bin/env bats
# imgtool share add/set/rm/list/show: the share table, its members, the
# nodes' fstab lines and the export entries; bad input changes nothing.

load helpers
load node
load nfsroot

setup() {
	node_setup
	defer nfsroot_umount_all	# node rm shares the state dir's mount
	node_image os
	imgtool node add 'node[01-03]' --image os --ip 10.42.0.11 >/dev/null
	imgtool node add pi5 --image os --model 5 --var rack=r2 >/dev/null
}

db_exec() {
	python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()' \
		"$BRAMBLE_STATE/bramble.db" "$1"
}

fstab_of() {
	cat "$(ident_of "$1")/etc/fstab"
}

@test "add: defaults, the members' fstab lines, the export entry, list and show" {
	run imgtool share add data
	assert_success
	assert_output "share data: $(realpath "$BRAMBLE_STATE")/shares/data, mounted at /srv/data by all"
	assert_dir_exists "$BRAMBLE_STATE/shares/data"
	for n in node01 node02 node03 pi5; do
		run fstab_of "$n"
		assert_line "10.42.0.1:/shares/data	/srv/data	nfs	rw,vers=4.1,proto=tcp,_netdev,x-systemd.automount,x-systemd.mount-timeout=30,timeo=100,retrans=3	0 0"
	done
	# pi5 has no address: the export admits the cluster network
	run cat "$BRAMBLE_STATE/run/ganesha/shares.d/data.conf"
	assert_line "	Pseudo = \"/shares/data\";"
	assert_line "	Protocols = 4;"
	assert_line "	Squash = Root_Squash;"
	assert_line "	CLIENT { Clients = 10.42.0.0/24; Access_Type = RW; }"

	echo hello >"$BRAMBLE_STATE/shares/data/f"
	run imgtool share list
	assert_success
	assert_line --index 1 --regexp "^data +/.*/shares/data +/srv/data +node01,node02,node03,pi5 +rw,root-squash,v4 +[0-9.]+K +[0-9.]+[KMGT]$"
	run imgtool share show data --json
	assert_success
	[ "$(jq -r '.members | join(",")' <<<"$output")" = node01,node02,node03,pi5 ]
	[ "$(jq -r .export <<<"$output")" = /shares/data ]
	[ "$(jq -r '.bytes_used > 0 and .bytes_free > 0' <<<"$output")" = true ]
}

@test "add: selectors and ranges pick the members; only they get the mount and the export" {
	imgtool share add scratch --nodes 'node[01-02]' --ro --squash all --proto v3 >/dev/null
	run fstab_of node01
	assert_line "10.42.0.1:/shares/scratch	/srv/scratch	nfs	ro,vers=3,nolock,proto=tcp,_netdev,x-systemd.automount,x-systemd.mount-timeout=30,timeo=100,retrans=3	0 0"
	run fstab_of node03
	refute_output --partial scratch
	run cat "$BRAMBLE_STATE/run/ganesha/shares.d/scratch.conf"
	assert_line "	Protocols = 3, 4;"
	assert_line "	Squash = All_Squash;"
	assert_line "	CLIENT { Clients = 10.42.0.11, 10.42.0.12; Access_Type = RO; }"

	imgtool share add rack --nodes var.rack=r2 >/dev/null
	imgtool share add fives --nodes model=5 >/dev/null
	imgtool share add img --nodes image=os >/dev/null
	run fstab_of pi5
	assert_output --partial /srv/rack
	assert_output --partial /srv/fives
	assert_output --partial /srv/img
	run fstab_of node01
	refute_output --partial /srv/rack
	refute_output --partial /srv/fives
	assert_output --partial /srv/img
	# a node added later that matches a selector is a member at once
	imgtool node add node04 --image os --model 5 --ip 10.42.0.14 >/dev/null
	run fstab_of node04
	assert_output --partial /srv/fives
	run cat "$BRAMBLE_STATE/run/ganesha/shares.d/fives.conf"
	assert_line --partial "Clients = 10.42.0.0/24"	# pi5 has no address
}

@test "add home --mount /home; set changes the export and the fstab; node diff shows it" {
	run imgtool share add home --mount /home --nodes node01
	assert_success
	run fstab_of node01
	assert_line --partial "10.42.0.1:/shares/home	/home	nfs	rw,vers=4.1,"
	# node02 is not a member: no export for it
	refute [ -e "$BRAMBLE_STATE/run/ganesha/shares.d/home.conf" -a "$(grep -c 10.42.0.12 "$BRAMBLE_STATE/run/ganesha/shares.d/home.conf")" != 0 ]
	cp "$BRAMBLE_STATE/nodes/node02/built.manifest" "$BRAMBLE_STATE/nodes/node02/booted.manifest"
	run imgtool node diff node02
	assert_success
	run imgtool share set home nodes=node01,node02 ro=yes squash=none
	assert_success
	run imgtool node diff node02
	assert_failure
	assert_output "M ident/etc/fstab"
	run fstab_of node02
	assert_line --partial "10.42.0.1:/shares/home	/home	nfs	ro,vers=4.1,"
	run cat "$BRAMBLE_STATE/run/ganesha/shares.d/home.conf"
	assert_line "	Squash = No_Root_Squash;"
	assert_line "	CLIENT { Clients = 10.42.0.11, 10.42.0.12; Access_Type = RO; }"
	# membership follows the inventory: node02 removed, its address leaves the export
	imgtool node rm node02 >/dev/null
	imgtool share set home ro=yes >/dev/null	# (no daemon running: a share verb syncs)
	run cat "$BRAMBLE_STATE/run/ganesha/shares.d/home.conf"
	assert_line "	CLIENT { Clients = 10.42.0.11; Access_Type = RO; }"
}

@test "kernel backend: an exports.d entry per share, restricted to the members" {
	printf '[paths]\nexports_dir = %s\nexportfs = true\n[cluster]\nnfs_backend = kernel\n' \
		"$BATS_TEST_TMPDIR/exports.d" >"$BRAMBLE_CONFIG"
	mkdir -p "$BATS_TEST_TMPDIR/exports.d" "$BATS_TEST_TMPDIR/data"
	imgtool share add data --path "$BATS_TEST_TMPDIR/data" --nodes node01,node03 --squash none >/dev/null
	local id
	id=$(imgtool share show data --json | jq .export_id)
	run cat "$BATS_TEST_TMPDIR/exports.d/bramble.share-data.exports"
	assert_line "$(realpath "$BATS_TEST_TMPDIR/data") 10.42.0.11(rw,no_subtree_check,no_root_squash,fsid=$id,sync) 10.42.0.13(rw,no_subtree_check,no_root_squash,fsid=$id,sync)"
	run fstab_of node01
	assert_line --partial "10.42.0.1:$(realpath "$BATS_TEST_TMPDIR/data")	/srv/data	nfs	rw,vers=4.1,"
	# node publish (all) keeps the share entry: it is not a node's
	imgtool node unpublish >/dev/null
	assert_file_exists "$BATS_TEST_TMPDIR/exports.d/bramble.share-data.exports"
	run imgtool share rm data
	assert_success
	assert_output "removed share data (its directory kept)"
	assert_file_not_exists "$BATS_TEST_TMPDIR/exports.d/bramble.share-data.exports"
	assert_dir_exists "$BATS_TEST_TMPDIR/data"
}

@test "rm: the data of a default share goes unless --keep-data; members lose the mount" {
	imgtool share add a >/dev/null
	imgtool share add b >/dev/null
	echo x >"$BRAMBLE_STATE/shares/a/x"
	run imgtool share rm a
	assert_success
	assert_output "removed share a"
	assert_dir_not_exists "$BRAMBLE_STATE/shares/a"
	run fstab_of node01
	refute_output --partial /srv/a
	assert_file_not_exists "$BRAMBLE_STATE/run/ganesha/shares.d/a.conf"
	run imgtool share rm b --keep-data
	assert_success
	assert_dir_exists "$BRAMBLE_STATE/shares/b"
	run db_query "SELECT count(*) FROM shares"
	assert_output 0
}

@test "bad input is refused with one line and changes nothing" {
	mkdir -p "$BATS_TEST_TMPDIR/p/d1/inner" "$BATS_TEST_TMPDIR/d2"
	: >"$BATS_TEST_TMPDIR/file"
	imgtool share add taken --path "$BATS_TEST_TMPDIR/p/d1" >/dev/null
	local before s=$BRAMBLE_STATE t=$BATS_TEST_TMPDIR
	before=$(state_digest)
	local -a cases=(
		"x --path $t/file|share path $t/file is not a directory"
		"x --path $t/nosuch|share path $t/nosuch: No such file or directory"
		"x --path $s/images|overlaps the state directory's images/"
		"x --path $s/nodes/node01|overlaps the state directory's nodes/"
		"x --path $s/objects|overlaps the state directory's objects/"
		"x --path $s|overlaps the state directory's images/"
		"x --path $t/p/d1/inner|overlaps share taken"
		"x --path $t/p|overlaps share taken"
		"taken --path $t/d2|share taken exists already"
		"Bad_Name|is not a share name"
		"x --nodes node09|unknown node 'node09'"
		"x --nodes 'node[01-05]'|unknown node 'node04'"
		"x --nodes image=nosuch|no image named 'nosuch'"
		"x --nodes model=9|is not a model"
		"x --nodes colour=red|is not a selector"
		"x --nodes node01,,node02|has an empty item"
		"x --mount srv/x|is not absolute"
		"x --mount /srv/../etc|'..' component"
		"x --mount /|would hide a system directory"
		"x --mount /etc|would hide the node's /etc"
		"x --mount /usr/local/x|would hide the node's /usr"
		"x --mount /var|would hide a system directory"
		"x --mount /proc/x|would hide the node's /proc"
		"x --mount /dev|would hide the node's /dev"
		"x --mount '/srv/a b'|contains ' '"
		"x --mount /srv/taken|mount path /srv/taken is share taken's already"
		"x --squash some|'some' is not a squash mode"
		"x --proto v2|'v2' is not an NFS protocol"
	)
	for c in "${cases[@]}"; do
		eval "run imgtool share add ${c%%|*}"
		assert_failure
		assert_equal "${#lines[@]}" 1
		assert_output --partial "${c#*|}"
		assert_equal "$(state_digest)" "$before"
	done
	local -a sets=(
		"taken squash=x|'x' is not a squash mode"
		"taken ro=maybe|ro: 'maybe' is not yes or no"
		"taken colour=red|'colour' is not a share setting"
		"taken mount=/boot|would hide the node's /boot"
		"taken nodes=ghost|unknown node 'ghost'"
		"taken path=$t/file|is not a directory"
		"ghost ro=yes|no share named 'ghost'"
	)
	for c in "${sets[@]}"; do
		eval "run imgtool share set ${c%%|*}"
		assert_failure
		assert_equal "${#lines[@]}" 1
		assert_output --partial "${c#*|}"
		assert_equal "$(state_digest)" "$before"
	done
	run imgtool share rm ghost
	assert_failure
	assert_output --partial "no share named 'ghost'"
	assert_equal "$(state_digest)" "$before"
}

@test "rm: refused while a running rollout moves a member" {
	imgtool share add data --nodes node02 >/dev/null
	db_exec "INSERT INTO rollouts (id, kind, target, batch, timeout, state, started)
		VALUES (1, 'rollout', 'os@1', 1, 60, 'running', 0);
		INSERT INTO rollout_nodes (rollout, node, batch, to_image, to_ver, state)
		VALUES (1, 'node02', 1, 'os', 1, 'rebooting');"
	local before
	before=$(state_digest)
	run imgtool share rm data
	assert_failure
	assert_output "imgtool: error: share data is in use by a running rollout (member node02): wait for it ('bootsrv rollout --status --wait') and remove the share then"
	assert_equal "$(state_digest)" "$before"
	db_exec "UPDATE rollouts SET state = 'done'"
	run imgtool share rm data
	assert_success
}

@test "fsck names a share whose directory is gone and a directory of no share" {
	imgtool share add data >/dev/null
	mkdir -p "$BATS_TEST_TMPDIR/ext"
	imgtool share add ext --path "$BATS_TEST_TMPDIR/ext" >/dev/null
	run imgtool fsck
	assert_success
	rmdir "$BATS_TEST_TMPDIR/ext"
	mkdir "$BRAMBLE_STATE/shares/old"
	run imgtool fsck
	assert_failure
	assert_line "share ext: its directory $(realpath "$BATS_TEST_TMPDIR")/ext is missing: restore it, or 'imgtool share rm ext'"
	assert_line "shares/old: a directory of no share (left by an interrupted 'imgtool share rm'?): remove it, or share it again with 'imgtool share add old --path $BRAMBLE_STATE/shares/old'"
	# nothing to repair: the data is the users'
	run imgtool fsck --repair
	assert_failure
	assert_dir_exists "$BRAMBLE_STATE/shares/old"
}
