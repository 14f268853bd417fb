# Test networks: a head-node network namespace with a bridge, and client
# namespaces plugged into it with veth pairs. Everything is deferred for
# teardown (processes in the namespaces are killed, namespaces deleted).
#
#   net_head NS ADDR/LEN          head namespace with bridge br0 at ADDR; br0's
#                                 MAC is fixed (02:62:72:68:65:64), not its ports'
#   net_client HEAD NS MAC [ADDR/LEN]
#                                 client namespace, its eth0 on HEAD's br0
#   net_port NS                   the head's end (bridge port) of client NS's veth
#   net_name TAG                  a namespace name unique to this test run
#
# Only addresses inside these namespaces are ever used.

net_name() {
	# Short: interface names derived from it must fit in 15 characters.
	printf 'b%s%s' "$(printf '%s' "$BATS_TEST_TMPDIR$1" | md5sum | cut -c1-6)" "$1"
}

net_kill_ns() {
	local pids
	pids=$(ip netns pids "$1" 2>/dev/null) || return 0
	[ -z "$pids" ] || kill $pids 2>/dev/null || true
	sleep 0.2
	pids=$(ip netns pids "$1" 2>/dev/null)
	[ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
	ip netns del "$1" 2>/dev/null || true
}

net_head() {
	local ns=$1 addr=$2
	ip netns add "$ns"
	defer net_kill_ns "$ns"
	ip -n "$ns" link set lo up
	# An address of its own: a bridge without one takes its lowest port's,
	# and changes it as clients join, stranding clients that learned the
	# old one (their frames reach the head marked for another host).
	ip -n "$ns" link add br0 address 02:62:72:68:65:64 type bridge forward_delay 0 stp_state 0
	ip -n "$ns" addr add "$addr" dev br0
	ip -n "$ns" link set br0 up
}

net_port() {
	printf 'v%s' "$(printf '%s' "$1" | md5sum | cut -c1-8)"
}

net_client() {
	local head=$1 ns=$2 mac=$3 addr=${4:-}
	local port
	port=$(net_port "$ns")
	ip netns add "$ns"
	defer net_kill_ns "$ns"
	ip -n "$ns" link set lo up
	ip -n "$head" link add "$port" type veth peer name eth0 netns "$ns"
	ip -n "$ns" link set eth0 address "$mac"
	ip -n "$head" link set "$port" master br0 up
	ip -n "$ns" link set eth0 up
	[ -z "$addr" ] || ip -n "$ns" addr add "$addr" dev eth0
}
