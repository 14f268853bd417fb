# Helpers for the PXE node tests (model pxe: iPXE, kernel + initrd, NFS root).
#
#   pxe_image                 path of an x86_64 NFS-root system from
#                             scripts/mkpxeimage, built once per test run
#   site_router HEAD          the site's router on HEAD's bridge, in its own
#                             namespace: busybox udhcpd gives addresses
#                             (10.42.0.100-200), dnsmasq sends IPv6 router
#                             advertisements (see below); for proxy mode
#   need_vm                   skip unless QEMU and tap devices are available
#   vm_dir NAME               a directory for scripts/vm, stopped at teardown

pxe_image() {
	local out="$CACHE/pxe"
	if [ ! -d "$out" ]; then
		mkdir -p "$CACHE"
		(
			flock 9
			[ -d "$out" ] || mkpxeimage -o "$out" >&2
		) 9>"$CACHE/.lock"
	fi
	echo "$out"
}

# iPXE (Debian 12's build) waits about 15 s for an IPv6 router advertisement
# before it uses its DHCPv4 answer; a site router sends them, so this one
# does too (a ULA prefix, inside the test's namespaces only).
site_router() {
	local head=$1 r
	r=$(net_name r)
	net_client "$head" "$r" 02:00:00:00:00:fe 10.42.0.254/24
	ip -n "$r" addr add fd42:42::fe/64 dev eth0 nodad
	cat >"$BATS_TEST_TMPDIR/udhcpd.conf" <<-EOF
	start 10.42.0.100
	end 10.42.0.200
	interface eth0
	lease_file $BATS_TEST_TMPDIR/udhcpd.leases
	option subnet 255.255.255.0
	EOF
	: >"$BATS_TEST_TMPDIR/udhcpd.leases"
	ip netns exec "$r" busybox udhcpd -f -a 200 "$BATS_TEST_TMPDIR/udhcpd.conf" \
		</dev/null >"$BATS_TEST_TMPDIR/udhcpd.log" 2>&1 3>&- &
	ip netns exec "$r" dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 \
		--interface=eth0 --bind-interfaces --enable-ra --dhcp-range=::,constructor:eth0,ra-only \
		--pid-file= --log-facility=- </dev/null >"$BATS_TEST_TMPDIR/ra.log" 2>&1 3>&- &
}

need_vm() {
	[ -c /dev/net/tun ] || skip "no /dev/net/tun: the VM's tap device cannot be made"
	command -v qemu-system-x86_64 >/dev/null ||
		skip "no qemu-system-x86_64 (apt-get install qemu-system-x86)"
}

vm_dir() {
	local d="$BATS_TEST_TMPDIR/vm-$1"
	defer vm stop "$d"
	echo "$d"
}
