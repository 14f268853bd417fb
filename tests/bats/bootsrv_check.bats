#!/usr/bin/env bats
# bootsrv check: the preflight of a head node, in a head namespace with its
# bridge. A good head passes; each fault gives its one PROBLEM line (with
# the fix) and exit status 1.

load helpers
load bootsrv_lib

setup() {
	bramble_setup
	need_root
	need_cmd dnsmasq
	bootsrv_net full
}

teardown() { run_deferred; }

check() {
	ip netns exec "$HEAD" bootsrv check "$@"
}

# The PROBLEM lines of the last `run check`.
problems() {
	printf '%s\n' "${lines[@]}" | grep '^PROBLEM' || true
}

@test "check: a good head passes every check" {
	run check
	assert_success
	assert_line --regexp '^ok +interface br0 holds 10.42.0.1/24$'
	for p in 67/udp 69/udp 111/tcp 111/udp 2049/tcp 8042/tcp; do
		assert_line --regexp "^ok +port $p \(.*\) is free$"
	done
	assert_line --regexp '^ok +overlayfs mounts a node root with index=on,nfs_export=on$'
	assert_line --regexp '^ok +dnsmasq is /'
	assert_line --regexp '^ok +no other DHCP server answers on br0 \(full mode\)$'
	assert_line --regexp '^ok +bridge br0 forwards at once'
	assert_line --regexp '^ok +bridge br0 keeps its address 02:62:72:68:65:64 \(set, not taken from its ports\)$'
	assert_line --regexp '^note +on the switch, make the Pis. ports edge ports'
	assert_line "all checks passed"
	assert_equal "$(problems)" ""
	# the test overlay is gone again
	run grep -c "$BRAMBLE_STATE" /proc/self/mountinfo
	assert_output 0
	assert_equal "$(ls -A "$BRAMBLE_STATE/tmp")" ""
}

@test "check: a missing interface is one problem with the fix" {
	sed -i 's/^interface = br0/interface = nope0/' "$BRAMBLE_CONFIG"
	run check
	assert_failure 1
	assert_equal "$(problems)" "PROBLEM interface 'nope0' does not exist: set cluster.interface in bramble.conf to the cluster network's interface"
	assert_line "1 problem"
}

@test "check: a server_ip the interface does not hold is a problem" {
	sed -i 's/^server_ip = .*/server_ip = 10.42.0.9/' "$BRAMBLE_CONFIG"
	run check
	assert_failure 1
	assert_equal "$(problems)" "PROBLEM cluster.server_ip 10.42.0.9 is not an address of interface br0: add it (ip addr add 10.42.0.9/24 dev br0) or fix bramble.conf"
}

@test "check: a foreign TFTP server on port 69 is named with its pid" {
	ip netns exec "$HEAD" python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 69)); time.sleep(120)' &
	pid=$!
	defer kill "$pid"
	wait_for 5 sh -c "ip netns exec $HEAD ss -lun | grep -q ':69 '"
	run check
	assert_failure 1
	assert_equal "$(problems)" "PROBLEM port 69/udp (TFTP) is held by python3 (pid $pid): bootsrv's dnsmasq serves TFTP: stop that TFTP server (systemctl disable --now NAME)"
}

@test "check: proxy mode with no DHCP server on the segment is a problem" {
	sed -i 's/^dhcp_mode = full/dhcp_mode = proxy/' "$BRAMBLE_CONFIG"
	run check
	assert_failure 1
	assert_equal "$(problems)" "PROBLEM no DHCP server answered on br0 within 4 s: proxy mode needs the site's DHCP server (the router) to give the Pis addresses: connect it, or set dhcp_mode = full with a dhcp_range"
}

@test "check: proxy mode finds the site's DHCP server" {
	sed -i 's/^dhcp_mode = full/dhcp_mode = proxy/' "$BRAMBLE_CONFIG"
	site_dhcp_start
	run check
	assert_success
	assert_line --regexp '^ok +DHCP server 10.42.0.254 answers on br0'
}

@test "check: full mode with another DHCP server on the segment is a problem" {
	site_dhcp_start
	run check
	assert_failure 1
	assert_equal "$(problems)" "PROBLEM another DHCP server (10.42.0.254) answers on br0: in full mode bramble must be the only one: turn that one off for this segment, or set dhcp_mode = proxy"
}

@test "check: a bridge with STP and a forward delay gets the command that fixes it" {
	ip -n "$HEAD" link set br0 type bridge stp_state 1 forward_delay 1500
	run check
	assert_failure 1
	assert_equal "$(problems)" "PROBLEM bridge br0 has STP on and a forward delay of 15 s: a Pi's port stays blocked longer than its bootloader waits for DHCP: ip link set br0 type bridge stp_state 0 forward_delay 0 (and the same in the bridge's network configuration)"
}

@test "check: a bridge that takes its address from its ports gets the command that fixes it" {
	# br0 as a bridge is made without an address (net_head gives it one)
	ip -n "$HEAD" link del br0
	ip -n "$HEAD" link add br0 type bridge forward_delay 0 stp_state 0
	ip -n "$HEAD" addr add 10.42.0.1/24 dev br0
	ip -n "$HEAD" link set br0 up
	mac=$(ip netns exec "$HEAD" cat /sys/class/net/br0/address)
	run check
	assert_failure 1
	assert_equal "$(problems)" "PROBLEM bridge br0 takes its address (now $mac) from its ports and changes it when a port joins or leaves: nodes that learned the old one lose the head until they ask ARP again: ip link set br0 address $mac (and the same address in the bridge's network configuration)"
	# check changes nothing; the command it gives is the fix
	assert_equal "$(ip netns exec "$HEAD" cat /sys/class/net/br0/addr_assign_type)" 1
	ip -n "$HEAD" link set br0 address "$mac"
	run check
	assert_success
	assert_line --regexp "^ok +bridge br0 keeps its address $mac "
}

@test "check: the ports of the running bootsrv of this state are fine" {
	need_cmd ganesha.nfsd
	bootsrv_start
	run check
	assert_success
	assert_line --regexp '^ok +port 67/udp \(DHCP\) is held by dnsmasq \(pid [0-9]+\), as it should$'
	assert_line --regexp '^ok +port 2049/tcp \(NFS\) is held by ganesha.nfsd \(pid [0-9]+\), as it should$'
	assert_line --regexp '^ok +port 111/tcp \(rpcbind\) is held by rpcbind \(pid [0-9]+\), as it should$'
	assert_line --regexp '^ok +port 8042/tcp \(status page\) is held by bootsrv \(pid [0-9]+\), as it should$'
	assert_line "all checks passed"
}

@test "check: usage" {
	run check extra
	assert_failure 2
	assert_output --partial "check takes no arguments"
	run ip netns exec "$HEAD" bootsrv check --help
	assert_success
	assert_output --partial "usage: bootsrv check"
}

@test "check: nfs_backend = kernel without a kernel NFS server is a problem" {
	[ ! -e /proc/fs/nfsd/threads ] || skip "this machine runs a kernel NFS server"
	sed -i 's/^nfs_backend = ganesha/nfs_backend = kernel/' "$BRAMBLE_CONFIG"
	run check
	assert_failure 1
	assert_line "PROBLEM the kernel NFS server is not running (no /proc/fs/nfsd/threads): apt-get install nfs-kernel-server; systemctl enable --now nfs-server"
	refute_line --partial "ganesha.nfsd"
}
