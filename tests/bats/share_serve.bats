#!/usr/bin/env bats
# Shares served by bootsrv (NFS-Ganesha in the head namespace) to real NFS
# clients: libnfs (nfs-cp, nfs-cat, nfs-ls, tests/nfsshare) in client
# namespaces holding the nodes' addresses. Changes apply to the running
# daemon, and the data and exports survive its restart.

load helpers
load nfsroot
load bootsrv_lib

setup() {
	bramble_setup
	need_root
	need_cmd ganesha.nfsd
	need_cmd nfs-cp
	bootsrv_net full
	defer nfsroot_umount_all
	imgtool node add a --ip 10.42.0.101 >/dev/null
	imgtool node add b --ip 10.42.0.102 >/dev/null
	imgtool node add c --ip 10.42.0.103 >/dev/null
	A=$(client 1)
	B=$(client 2)
	C=$(client 3)
}

# client N: a namespace with node N's address 10.42.0.(100+N)
client() {
	local ns
	ns=$(net_name "s$1")
	net_client "$HEAD" "$ns" "02:00:00:00:01:$(printf %02x "$1")" "10.42.0.$((100 + $1))/24"
	echo "$ns"
}

url() {	# url SHARE PATH [ARGS]: an NFSv4 URL of a file on a share
	echo "nfs://10.42.0.1/shares/$1$2?version=4${3:+&$3}"
}

dir_of() {
	imgtool share show "$1" --json | jq -r .path
}

@test "a file written on node A is read on B; a non-member is refused; root is squashed" {
	imgtool share add data --nodes a,b >/dev/null
	local d
	d=$(dir_of data)
	install -d -o 1000 -g 1000 "$d/alice"
	install -d -m 1777 "$d/open"
	bootsrv_start
	echo "from a" >"$BATS_TEST_TMPDIR/f.txt"
	run ip netns exec "$A" nfs-cp "$BATS_TEST_TMPDIR/f.txt" "$(url data /alice/f.txt uid=1000\&gid=1000)"
	assert_success
	run ip netns exec "$B" nfs-cat "$(url data /alice/f.txt uid=1000\&gid=1000)"
	assert_success
	assert_output "from a"
	assert_equal "$(stat -c %u "$d/alice/f.txt")" 1000
	# root on a node is nobody on the share: a file it makes is not root's,
	# and root's directory is not its to write
	run ip netns exec "$A" nfs-cp "$BATS_TEST_TMPDIR/f.txt" "$(url data /open/root.txt)"
	assert_success
	assert_equal "$(stat -c %u "$d/open/root.txt")" 65534
	run ip netns exec "$A" nfs-cp "$BATS_TEST_TMPDIR/f.txt" "$(url data /root.txt)"
	assert_failure
	assert_file_not_exists "$d/root.txt"
	# c is not a member: the server refuses its address (v4 and v3)
	run ip netns exec "$C" nfs-cat "$(url data /alice/f.txt)"
	assert_failure
	run ip netns exec "$C" nfs-ls "nfs://10.42.0.1/shares/data"
	assert_failure
}

@test "a read-only share refuses writes; a v3 share serves v3 clients" {
	imgtool share add docs --ro --proto v3 --squash none >/dev/null
	echo manual >"$(dir_of docs)/manual.txt"
	bootsrv_start
	run ip netns exec "$A" nfs-cat "nfs://10.42.0.1/shares/docs/manual.txt"
	assert_success
	assert_output manual
	run ip netns exec "$B" nfs-cat "$(url docs /manual.txt)"
	assert_output manual
	echo x >"$BATS_TEST_TMPDIR/x"
	run ip netns exec "$A" nfs-cp "$BATS_TEST_TMPDIR/x" "nfs://10.42.0.1/shares/docs/x"
	assert_failure
	run ip netns exec "$A" nfs-cp "$BATS_TEST_TMPDIR/x" "$(url docs /x)"
	assert_failure
	assert_file_not_exists "$(dir_of docs)/x"
}

@test "an NFSv4 lock held on node A blocks node B until A lets go" {
	imgtool share add data --nodes a,b --squash none >/dev/null
	bootsrv_start
	mkfifo "$BATS_TEST_TMPDIR/hold"
	ip netns exec "$A" nfsshare lock "$(url data /lockfile)" <"$BATS_TEST_TMPDIR/hold" \
		>"$BATS_TEST_TMPDIR/a.out" 2>&1 &
	local holder=$!
	exec 8>"$BATS_TEST_TMPDIR/hold"
	wait_for 10 grep -qx locked "$BATS_TEST_TMPDIR/a.out" || { cat "$BATS_TEST_TMPDIR/a.out"; false; }
	run ip netns exec "$B" nfsshare trylock "$(url data /lockfile)"
	assert_failure 1
	assert_output busy
	exec 8>&-	# A unlocks and exits
	wait "$holder"
	run ip netns exec "$B" nfsshare trylock "$(url data /lockfile)"
	assert_success
	assert_output locked
}

@test "bootsrv applies share and membership changes live and keeps shares across a restart" {
	imgtool share add data --nodes a >/dev/null
	echo kept >"$(dir_of data)/kept.txt"
	bootsrv_start
	run ip netns exec "$B" nfs-cat "$(url data /kept.txt)"
	assert_failure
	# a share change: b may mount at once, no restart
	imgtool share set data nodes=a,b >/dev/null
	run ip netns exec "$B" nfs-cat "$(url data /kept.txt)"
	assert_success
	assert_output kept
	# status, /status.json, /metrics and the page show it with its members and usage
	run bootsrv status
	assert_line --regexp '^share data: /srv/data on 2 nodes, rw, [0-9.]+ MiB used, [0-9.]+ GiB free$'
	local json
	json=$(ip netns exec "$HEAD" curl -sf http://127.0.0.1:8042/status.json)
	[ "$(jq -r '.shares[0] | "\(.name) \(.members | join(",")) \(.bytes_used > 0)"' <<<"$json")" = "data a,b true" ]
	run ip netns exec "$HEAD" curl -sf http://127.0.0.1:8042/metrics
	assert_line 'bramble_share_members{share="data"} 2'
	assert_line --regexp '^bramble_share_used_bytes\{share="data"\} [1-9][0-9]*$'
	assert_line --regexp '^bramble_share_free_bytes\{share="data"\} [1-9][0-9]*$'
	run ip netns exec "$HEAD" curl -sf http://127.0.0.1:8042/
	assert_output --partial '<table id="shares">'
	assert_output --partial '<td class="mono">/srv/data</td><td>a, b</td><td>rw, root squash, NFSv4.1</td>'
	# a membership change through the inventory: node d joins 'all'
	imgtool share add everyone >/dev/null
	echo hi >"$(dir_of everyone)/hi"
	local D
	D=$(client 4)
	run ip netns exec "$D" nfs-cat "$(url everyone /hi)"
	assert_failure
	imgtool node add d --ip 10.42.0.104 >/dev/null
	run ip netns exec "$D" nfs-cat "$(url everyone /hi)"
	assert_success
	assert_output hi
	# node set: b moves to another address, which the export follows
	imgtool node set b ip=10.42.0.112 >/dev/null
	grep -q 10.42.0.112 "$BRAMBLE_STATE/run/ganesha/shares.d/data.conf"
	run ip netns exec "$B" nfs-cat "$(url data /kept.txt)"
	assert_failure
	# a share removed: its export goes
	imgtool share rm everyone >/dev/null
	run ip netns exec "$D" nfs-cat "$(url everyone /hi)"
	assert_failure
	# restart: the share is served again with its data
	bootsrv_stop
	bootsrv_start
	run ip netns exec "$A" nfs-cat "$(url data /kept.txt)"
	assert_success
	assert_output kept
}
