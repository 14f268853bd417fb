#!/usr/bin/env bats
# cluster.ipv6_ra = auto: bootsrv sends router advertisements (lifetime 0,
# so iPXE need not wait 15 s for one) only while no other router does. A
# router that answers its start-up solicitation late, or starts after it,
# still wins: bootsrv then restarts dnsmasq without advertisements. What
# the hosts get is read from a client's kernel (SLAAC addresses, routes).

load helpers
load bootsrv_lib
load pxe

setup() {
	bootsrv_setup proxy
	CLIENT=$(net_name c)
	net_client "$HEAD" "$CLIENT" 02:00:00:00:00:31
	ip netns exec "$CLIENT" sysctl -qw net.ipv6.conf.eth0.accept_ra=1
}

teardown() { run_deferred; }

client_has_prefix() {	# client_has_prefix PREFIX: a SLAAC address in it
	ip -n "$CLIENT" -6 addr show dev eth0 scope global | grep -q "inet6 $1"
}

@test "auto: bootsrv advertises on a quiet link and stops when a router turns up" {
	bootsrv_start
	assert_file_contains "$BOOTSRV_LOG" 'IPv6 router advertisements on br0 with router lifetime 0'
	ula=$(ip -n "$HEAD" -6 addr show dev br0 scope global | sed -n 's/.*inet6 \(fd[0-9a-f:]*\)::1\/64.*/\1/p')
	[ -n "$ula" ]
	# the client took bramble's prefix and no default route from it
	wait_for 10 client_has_prefix "$ula:"
	run ip -n "$CLIENT" -6 route show default
	assert_output ''
	dnsmasq1=$(cat "$BRAMBLE_STATE/run/dnsmasq.pid")

	site_router
	wait_for 10 grep -q 'advertises on br0: bramble stops sending router advertisements' "$BOOTSRV_LOG"
	# dnsmasq runs on, restarted without advertisements; bramble's ULA is gone
	wait_for 10 sh -c "[ \"\$(cat '$BRAMBLE_STATE/run/dnsmasq.pid')\" != $dnsmasq1 ]"
	kill -0 "$(cat "$BRAMBLE_STATE/run/dnsmasq.pid")"
	run grep -c '^enable-ra' "$BRAMBLE_STATE/run/dnsmasq.conf"
	assert_output 0
	run ip -n "$HEAD" -6 addr show dev br0 scope global
	refute_output --partial "$ula::1"
}

@test "auto: a router already advertising keeps bootsrv quiet" {
	site_router
	bootsrv_start
	assert_file_contains "$BOOTSRV_LOG" 'advertises on br0 already: sending no router advertisements'
	run grep -c '^enable-ra' "$BRAMBLE_STATE/run/dnsmasq.conf"
	assert_output 0
	# bramble added no ULA of its own (fdXX:XXXX:XXXX::1)
	run ip -n "$HEAD" -6 addr show dev br0 scope global
	refute_output --regexp 'inet6 fd[0-9a-f:]*::1/64'
}
