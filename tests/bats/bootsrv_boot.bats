#!/usr/bin/env bats
# Booting through bootsrv: emulated Pis (pisim) in client namespaces on the
# head's bridge go DHCP -> TFTP -> NFS root -> heartbeat; bootsrv follows
# them to "up". Real clients (curl tftp://, nfs-cat) check the same files.
# Files on the node roots are read from the upper dirs: the overlays live
# in bootsrv's mount namespace.

load helpers
load bootsrv_lib

setup() {
	bootsrv_setup full
	imgtool image import -q "$(synth_image base)" --name os
}

teardown() { run_deferred; }

node_state() {	# node_state NAME -> state in bootsrv status --json
	bootsrv status --json | python3 -c "import json,sys
for n in json.load(sys.stdin)['nodes']:
    if n['name'] == sys.argv[1]: print(n['state'], n.get('running_image', '-'), n.get('last_boot_ms', '-'))" "$1"
}

upper() { echo "$BRAMBLE_STATE/nodes/$1/state/upper"; }

@test "8 Pi 4s and a Pi 5 boot in parallel through bootsrv to up" {
	for i in 1 2 3 4 5 6 7 8; do
		imgtool node add "n$i" --mac "dc:a6:32:10:00:0$i" --image os
	done
	imgtool node add n9 --mac 2c:cf:67:10:00:09 --model 5 --image os
	bootsrv_start
	pids=()
	for i in 1 2 3 4 5 6 7 8; do
		pisim_boot "n$i" "dc:a6:32:10:00:0$i" --model 4 & pids+=($!)
	done
	pisim_boot n9 2c:cf:67:10:00:09 --model 5 & pids+=($!)
	fails=0
	for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
	assert_equal "$fails" 0
	for i in 1 2 3 4 5 6 7 8 9; do
		assert_equal "$(json_get "$BATS_TEST_TMPDIR/n$i.json" "d['hostname']")" "n$i"
		assert_file_contains "$(upper "n$i")/var/lib/bramble/heartbeat" "hostname=n$i"
		wait_for 10 sh -c "bootsrv status --json | grep -q '\"name\": \"n$i\"'"
	done
	for i in 1 2 3 4 5 6 7 8 9; do
		wait_for 10 sh -c "bootsrv status | grep -q '^n$i .* up '"
	done
	run bootsrv status
	assert_line --regexp '^n9 +2c:cf:67:10:00:09 +[0-9a-f-]+ +5 +os@1 +up +[0-9.]+s '
	run sqlite3_q "SELECT count(DISTINCT node) FROM boot_events WHERE kind = 'up'"
	assert_output 9
	run sqlite3_q "SELECT count(*) FROM boot_events WHERE node = 'n1' AND kind = 'tftp'"
	[ "$output" -ge 4 ]
}

@test "an unknown Pi is discovered, adopted, and boots as the adopted node" {
	imgtool node add spare --image os
	bootsrv_start
	run pisim_boot stray dc:a6:32:20:00:01 --dhcp-timeout 6s --model 4 --serial 1a2b3c4d
	assert_failure
	run bootsrv discover
	assert_line --regexp '^dc:a6:32:20:00:01 +1a2b3c4d +4 '
	run bootsrv adopt spare
	assert_success
	assert_output "spare adopted dc:a6:32:20:00:01"
	run bootsrv discover
	assert_output "no unknown Pi has asked to boot"
	pisim_boot stray dc:a6:32:20:00:01 --model 4 --serial 1a2b3c4d
	assert_equal "$(json_get "$BATS_TEST_TMPDIR/stray.json" "d['hostname']")" spare
	assert_file_contains "$(upper spare)/var/lib/bramble/heartbeat" hostname=spare
	wait_for 10 sh -c "bootsrv status | grep -q '^spare .*dc:a6:32:20:00:01 .* up '"
}

@test "a node replaced by a new board keeps its identity and files" {
	imgtool node add n1 --mac dc:a6:32:30:00:01 --image os
	bootsrv_start
	pisim_boot old dc:a6:32:30:00:01 --model 4
	mkdir -p "$(upper n1)/home/pi" && echo precious >"$(upper n1)/home/pi/data"
	id1=$(cat "$BRAMBLE_STATE/nodes/n1/ident/etc/machine-id")
	run bootsrv adopt n1 --mac dc:a6:32:30:00:02
	assert_success
	pisim_boot new dc:a6:32:30:00:02 --model 4
	assert_equal "$(json_get "$BATS_TEST_TMPDIR/new.json" "d['hostname']")" n1
	assert_equal "$(cat "$BRAMBLE_STATE/nodes/n1/ident/etc/machine-id")" "$id1"
	assert_equal "$(cat "$(upper n1)/home/pi/data")" precious
	C=$(net_name new)
	run ip netns exec "$C" nfs-cat nfs://10.42.0.1/nodes/n1/home/pi/data
	assert_output precious
	# the old board gets nothing any more
	run pisim_boot old dc:a6:32:30:00:01 --model 4 --dhcp-timeout 6s
	assert_failure
}

@test "dnsmasq killed mid-run: the next boots still work; a node added meanwhile is served" {
	imgtool node add n1 --mac dc:a6:32:40:00:01 --image os
	bootsrv_start
	pisim_boot n1 dc:a6:32:40:00:01
	pkill -KILL -f "dnsmasq --conf-file=$BRAMBLE_STATE/run/dnsmasq.conf"
	# imgtool tells the running daemon: hosts file reloaded, root published
	imgtool node add n2 --mac dc:a6:32:40:00:02 --image os
	assert_file_contains "$BRAMBLE_STATE/run/dnsmasq.hosts" dc:a6:32:40:00:02
	assert_file_exists "$BRAMBLE_STATE/run/ganesha/exports.d/n2.conf"
	pisim_boot n2 dc:a6:32:40:00:02
	assert_equal "$(json_get "$BATS_TEST_TMPDIR/n2.json" "d['hostname']")" n2
	run bootsrv status --json
	assert_output --partial '"restarts": 1'
	# the restarted dnsmasq runs ahead of ordinary processes too (TFTP round trips)
	run awk '{ print $19 }' "/proc/$(cat "$BRAMBLE_STATE/run/dnsmasq.pid")/stat"
	assert_output -10
}

@test "real clients: curl tftp:// gets the image's bytes, nfs-cat reads the root" {
	need_cmd curl
	imgtool node add n1 --mac dc:a6:32:50:00:01 --image os
	bootsrv_start
	C=$(net_name c)
	net_client "$HEAD" "$C" dc:a6:32:50:00:01 10.42.0.77/24
	boot="$BRAMBLE_STATE/images/os/1/boot"
	for f in start4.elf fixup4.dat; do
		ip netns exec "$C" curl -sf -o "$BATS_TEST_TMPDIR/$f" "tftp://10.42.0.1/$f"
		cmp "$boot/$f" "$BATS_TEST_TMPDIR/$f"
	done
	run ip netns exec "$C" nfs-cat nfs://10.42.0.1/nodes/n1/etc/hostname
	assert_output n1
	run ip netns exec "$C" nfs-ls nfs://10.42.0.1/nodes/n1/
	assert_line --partial etc
	# another MAC on the same segment gets no file
	C2=$(net_name d)
	net_client "$HEAD" "$C2" dc:a6:32:50:00:99 10.42.0.78/24
	run ip netns exec "$C2" curl -sf -o /dev/null --max-time 10 tftp://10.42.0.1/start4.elf
	assert_failure
}

@test "proxy DHCP: the site's DHCP server gives the address, bootsrv the boot menu" {
	sed -i 's/^dhcp_mode = full/dhcp_mode = proxy/' "$BRAMBLE_CONFIG"
	imgtool node add n1 --mac dc:a6:32:60:00:01 --image os
	site_dhcp_start
	bootsrv_start
	assert_file_contains "$BRAMBLE_STATE/run/dnsmasq.conf" 'dhcp-range=10.42.0.1,proxy'
	# time servers are the site DHCP server's to name
	run grep ntp-server "$BRAMBLE_STATE/run/dnsmasq.conf"
	assert_failure
	pisim_boot n1 dc:a6:32:60:00:01
	assert_equal "$(json_get "$BATS_TEST_TMPDIR/n1.json" "d['dhcp']['proxy']")" True
	assert_equal "$(json_get "$BATS_TEST_TMPDIR/n1.json" "d['dhcp']['address_server']")" 10.42.0.254
	assert_equal "$(json_get "$BATS_TEST_TMPDIR/n1.json" "d['hostname']")" n1
	wait_for 10 sh -c "bootsrv status | grep -q '^n1 .* up '"
}
