#!/usr/bin/env bats
# Node roots served by NFS-Ganesha in a head network namespace, read with
# libnfs (nfs-cat, nfs-ls, imgtool node verify) from client namespaces that
# hold the nodes' addresses.

load helpers
load net
load ganesha
load node
load nfsroot

setup() {
	need_cmd ganesha.nfsd
	nfsroot_setup
	HEAD=$(net_name h)
	net_head "$HEAD" 10.42.0.1/24
}

# Ganesha serving the state's run/ganesha; started before any root is
# mounted, so every root reaches it by mount propagation.
serve() {
	imgtool node unpublish >/dev/null	# renders run/ganesha, shares the state dir
	ganesha_start "$HEAD" "$BRAMBLE_STATE/run/ganesha" 10.42.0.1
}

# client N: namespace with node N's address 10.42.0.(100+N)
client() {
	local ns
	ns=$(net_name "c$1")
	net_client "$HEAD" "$ns" "02:00:00:00:00:$(printf %02x "$1")" "10.42.0.$((100 + $1))/24"
	echo "$ns"
}

# The client namespace $1 reads node $2's hostname from its root.
served() {
	run ip netns exec "$1" nfs-cat "nfs://10.42.0.1/nodes/$2/etc/hostname"
	assert_success
	assert_output "$2"
}

# The client namespace $1 may not mount node $2's root.
refused() {
	run ip netns exec "$1" nfs-ls "nfs://10.42.0.1/nodes/$2"
	assert_failure
	assert_output --partial MNT3ERR_ACCES
}

# n1 and n2 published and served, client namespaces $c1 and $c2 with their addresses.
two_served_nodes() {
	imgtool node add n1 --image x --ip 10.42.0.101 >/dev/null
	imgtool node add n2 --image x --ip 10.42.0.102 >/dev/null
	serve
	imgtool node publish >/dev/null
	c1=$(client 1)
	c2=$(client 2)
}

@test "16 nodes on one image: own hostname and machine-id, private writes, own address only" {
	local i n c
	imgtool node add 'node[01-16]' --image x --ip 10.42.0.101 >/dev/null
	serve
	run imgtool node publish
	assert_success
	[ "$(grep -c '^published node' <<<"$output")" = 16 ]
	for i in $(seq 1 16); do
		n=$(printf node%02d "$i")
		c=$(client "$i")
		served "$c" "$n"
		run ip netns exec "$c" nfs-cat "nfs://10.42.0.1/nodes/$n/etc/machine-id"
		assert_output "$(cat "$BRAMBLE_STATE/nodes/$n/ident/etc/machine-id")"
		eval "C$i=$c"
	done
	# the whole check, as node03 mounts its root
	run ip netns exec "$C3" imgtool node verify node03
	assert_success
	assert_output "node03: NFS root 10.42.0.1:/nodes/node03 is fine"

	# a file node01 writes lands in its own state only
	echo "from node01" >"$BATS_TEST_TMPDIR/a.txt"
	ip netns exec "$C1" nfs-cp "$BATS_TEST_TMPDIR/a.txt" nfs://10.42.0.1/nodes/node01/a.txt
	[ "$(cat "$(upper_of node01)/a.txt")" = "from node01" ]
	[ ! -e "$(upper_of node02)/a.txt" ]
	[ ! -e "$BRAMBLE_STATE/images/x/1/root/a.txt" ]
	run ip netns exec "$C2" nfs-cat nfs://10.42.0.1/nodes/node02/a.txt
	assert_failure
	run ip netns exec "$C1" nfs-cat nfs://10.42.0.1/nodes/node01/a.txt
	assert_output "from node01"

	# node02's address cannot mount node01's root
	refused "$C2" node01
	run ip netns exec "$C2" imgtool node verify node01
	assert_failure
	assert_output --partial "node01: cannot mount 10.42.0.1:/nodes/node01:"
	assert_output --partial "(not published, or not for this address)"
}

# The head's address as client namespace $1 will send to it: its ARP entry.
head_mac_seen_by() {
	ip -n "$1" neigh show 10.42.0.1 | grep -o 'lladdr [0-9a-f:]*' | cut -d' ' -f2
}

@test "a node keeps reaching the head as more nodes join the network" {
	two_served_nodes
	# A bridge without an address of its own takes its ports' lowest: c2
	# learns the head's address while that is c1's port's, then a port
	# lower still joins. (00:00:5e:00:53:xx: documentation addresses.)
	ip -n "$HEAD" link set "$(net_port "$c1")" address 00:00:5e:00:53:02
	served "$c2" n2
	ip -n "$HEAD" link set "$(net_port "$(client 3)")" address 00:00:5e:00:53:01
	assert_equal "$(head_mac_seen_by "$c2")" "$(ip -n "$HEAD" -br link show br0 | awk '{print $3}')"
	served "$c2" n2
}

@test "roots are mounted nosuid,nodev on the head; the node still sees setuid bits and devices" {
	local src="$BATS_TEST_TMPDIR/src-y"
	node_src "$src"
	cp /bin/busybox "$src/usr/bin/su" && chmod 4755 "$src/usr/bin/su"
	mkdir -p "$src/dev" && mknod -m 0666 "$src/dev/null" c 1 3
	imgtool image import -q "$src" --name y
	imgtool node add n1 --image y --ip 10.42.0.101 >/dev/null
	serve
	imgtool node publish >/dev/null
	run findmnt -no OPTIONS "$(root_of n1)"
	assert_output --regexp '(^|,)nosuid,nodev(,|$)'
	# what Ganesha serves: the mode and device number as they are
	assert_equal "$(stat -c '%A' "$(root_of n1)/usr/bin/su")" -rwsr-xr-x
	assert_equal "$(stat -c '%F %t:%T' "$(root_of n1)/dev/null")" "character special file 1:3"
	c1=$(client 1)
	run ip netns exec "$c1" nfs-ls nfs://10.42.0.1/nodes/n1/dev
	assert_line --regexp '^crw-rw-rw- .* null$'
	run ip netns exec "$c1" nfs-cat nfs://10.42.0.1/nodes/n1/etc/hostname
	assert_output n1
}

@test "unpublish and rm of a served node withdraw its export and unmount it; the others stay" {
	two_served_nodes
	served "$c1" n1
	run imgtool node unpublish n1
	assert_success
	assert_output "unpublished n1"
	! is_mounted "$(root_of n1)"
	refused "$c1" n1
	served "$c2" n2
	# and back
	run imgtool node publish n1
	assert_success
	served "$c1" n1
	# removing a served node withdraws and unmounts it before deleting it
	run imgtool node rm n2
	assert_success
	! is_mounted "$(root_of n2)"
	[ ! -e "$BRAMBLE_STATE/nodes/n2" ]
	refused "$c2" n2
}

@test "verify reports what is wrong with a served root, in words" {
	two_served_nodes
	# break the roots the way a bad image or identity layer would, before
	# Ganesha has looked at them (it caches attributes)
	rm "$(root_of n1)/sbin/init"
	ln -s ../bin/nosuch "$(root_of n1)/sbin/init"
	echo other >"$(root_of n1)/etc/hostname"
	rm "$(root_of n2)/sbin/init"
	run ip netns exec "$c1" imgtool node verify n1
	assert_failure
	assert_line "n1: /sbin/../bin/nosuch is missing (a link from /sbin/init points there): the node cannot start"
	assert_line "n1: /etc/hostname says 'other', expected the node name 'n1'"
	[ "${#lines[@]}" = 2 ]
	run ip netns exec "$c2" imgtool node verify n2
	assert_failure
	assert_output "n2: /sbin/init is missing: the node cannot start"
}

@test "verify of a root no server serves says what it tried and what to check" {
	imgtool node add n1 --image x --ip 10.42.0.101 >/dev/null
	imgtool node publish >/dev/null	# mounted and exported, but no Ganesha runs
	c1=$(client 1)
	run ip netns exec "$c1" imgtool node verify n1
	assert_failure
	assert_output "n1: cannot mount 10.42.0.1:/nodes/n1: nfs_service failed (tried NFSv3 over TCP as the node mounts it: rpcbind on port 111, then mountd and nfs): check that 10.42.0.1 serves NFS (rpcinfo -p 10.42.0.1 lists mountd and nfs) and that this host reaches it (ip route get 10.42.0.1)"
}

@test "another node's address sees neither that root nor the other exports in /nodes (v3, v4)" {
	two_served_nodes
	refused "$c2" n1
	run ip netns exec "$c2" nfs-ls 'nfs://10.42.0.1/nodes/n1?version=4'
	assert_failure
	assert_output --partial NFS4ERR_NOENT
	# Ganesha's v4 pseudo fs lists only the junctions this client may use
	run ip netns exec "$c2" nfs-ls 'nfs://10.42.0.1/nodes?version=4'
	assert_success
	assert_output --regexp '^d[rwx-]+ +[0-9]+ +0 +0 +[0-9]+ n2$'
	run ip netns exec "$c1" nfs-ls 'nfs://10.42.0.1/nodes?version=4'
	assert_output --regexp '^d[rwx-]+ +[0-9]+ +0 +0 +[0-9]+ n1$'
	run ip netns exec "$c2" nfs-ls 'nfs://10.42.0.1/?version=4'
	assert_output --regexp '^d[rwx-]+ +[0-9]+ +0 +0 +[0-9]+ nodes$'
	# v3 has no pseudo fs to browse: /nodes itself is no export
	run ip netns exec "$c2" nfs-ls 'nfs://10.42.0.1/nodes'
	assert_failure
	assert_output --partial MNT3ERR_ACCES
}
