# Helpers for the PXE node tests (model pxe: iPXE, kernel + initrd, NFS root).
#
#   pxe_image                 path of an x86_64 NFS-root system from
#                             scripts/mkpxeimage, built once per test run
#   pxe_setup                 $PXE (that path) and $KVER (its kernel version)
#   site_router               (after load bootsrv_lib) the site's router on
#                             $HEAD's bridge for proxy mode: udhcpd gives
#                             addresses, dnsmasq sends IPv6 router
#                             advertisements (see below)
#   need_vm                   skip unless QEMU and tap devices are available
#   need_boot_stack           need_root, need_vm, dnsmasq and NFS-Ganesha
#   vm_dir NAME               a directory for scripts/vm, stopped at teardown
#   console_says DIR LINE REGEX   type LINE on the VM's shell, wait for REGEX

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

# The site router of bootsrv_lib.bash (site_dhcp_start) also sending IPv6
# router advertisements, as site routers do: Debian 12's iPXE waits about
# 15 s for one before it uses its DHCPv4 answer. A ULA prefix, inside the
# test's namespaces only.
site_router() {
	local r
	site_dhcp_start
	r=$(net_name r)
	ip -n "$r" addr add fd42:42::fe/64 dev eth0 nodad
	ip netns exec "$r" dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 \
		--interface=eth0 --bind-interfaces --enable-ra --dhcp-range=::,constructor:eth0,ra-only \
		--pid-file= --log-facility=- </dev/null >"$BATS_TEST_TMPDIR/ra.log" 2>&1 3>&- &
	defer kill $!
	# advertising before bootsrv starts, as a site router that has run for a
	# while is: bootsrv's auto probe asks once, at its start
	wait_for 10 grep -q 'RTR-ADVERT(eth0)' "$BATS_TEST_TMPDIR/ra.log"
}

pxe_setup() {
	PXE=$(pxe_image)
	KVER=$(basename "$PXE"/boot/vmlinuz-* | sed 's/^vmlinuz-//')
}

need_vm() {
	[ -c /dev/net/tun ] || skip "no /dev/net/tun: the VM's tap device cannot be made"
	command -v qemu-system-x86_64 >/dev/null ||
		skip "no qemu-system-x86_64 (apt-get install qemu-system-x86)"
}

need_boot_stack() {
	need_root
	need_vm
	need_cmd dnsmasq
	need_cmd ganesha.nfsd
}

vm_dir() {
	local d="$BATS_TEST_TMPDIR/vm-$1"
	defer vm stop "$d"
	echo "$d"
}

console_says() {
	local mark
	mark=$(vm mark "$1")
	vm send "$1" "$2"
	vm wait "$1" "$3" --from "$mark" --timeout 20
}
