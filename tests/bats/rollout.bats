#!/usr/bin/env bats
# bootsrv rollout/rollback with emulated Pis: the reboot hook re-runs pisim
# for the node in its namespace with a new boot id (DHCP, TFTP, NFS root,
# heartbeat). bootsrv holds the node (its DHCP unanswered), switches its root
# when its DHCP shows it is down, and waits for the heartbeat naming the new
# version; pisim retries DHCP every 4 s, as the Pi's firmware does.

load helpers
load bootsrv_lib

setup() {
	bootsrv_setup full
	imgtool image import -q "$(synth_image base)" --name os
	# os@2: the same tree plus one file (a second import is a version too,
	# without needing qemu for image exec)
	imgtool image import -q "$(synth_image base)" --name os
	HOOK=$BATS_TEST_TMPDIR/reboot-hook
	cat >"$HOOK" <<-EOF
	#!/bin/sh
	# test reboot hook: \$1 node, \$2 address, \$3 MAC, \$4 the version to boot
	d=$BATS_TEST_TMPDIR
	echo "\$4 \$BRAMBLE_NODE \$BRAMBLE_NODE_MAC" >>"\$d/hooks.\$1"
	# the root the node runs on while the hook reboots it: still there, unswitched
	root=$BRAMBLE_STATE/nodes/\$1
	echo "\$(cat "\$root/ident/etc/bramble/image") \$(mountpoint -q "\$root/root" && echo mounted)" \
		>>"\$d/root.\$1"
	if [ -e "\$d/fail.\$1" ]; then echo "power relay for \$1 does not answer" >&2; exit 1; fi
	opts=--heartbeat
	[ -e "\$d/nonfs.\$1" ] && opts=--no-nfs
	# from the test's mount namespace: a copy of bootsrv's (ip netns exec run
	# by bootsrv's child) would keep the nodes' overlays mounted once bootsrv
	# is killed, their upper dirs then in use for the restarted one
	setsid nsenter --mount=/proc/$$/ns/mnt ip netns exec "\$(cat "\$d/ns.\$1")" \\
		pisim --iface eth0 --mac "\$3" \$opts \\
		--boot-id "\$(cat /proc/sys/kernel/random/uuid)" --json -q \\
		>>"\$d/\$1.json" 2>>"\$d/\$1.err" </dev/null &
	EOF
	chmod +x "$HOOK"
}

teardown() { run_deferred; }

mac_of() { printf 'dc:a6:32:70:00:%02x' "$1"; }

# add_nodes N: n1..nN on os@1
add_nodes() {
	for i in $(seq "$1"); do
		imgtool -q node add "n$i" --mac "$(mac_of "$i")" --image os@1
		net_name "n$i" >"$BATS_TEST_TMPDIR/ns.n$i"
	done
}

# boot_all N: first boot of n1..nN, all up
boot_all() {
	local pids=() i
	for i in $(seq "$1"); do
		pisim_boot "n$i" "$(mac_of "$i")" & pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
	for i in $(seq "$1"); do
		wait_for 15 sh -c "bootsrv status | grep -q '^n$i .* up '"
	done
}

heartbeat() {	# heartbeat NODE FIELD
	sed -n "s/^$2=//p" "$BRAMBLE_STATE/nodes/$1/state/upper/var/lib/bramble/heartbeat"
}

# DISCOVERs the node's latest emulated boot sent before it was answered
discovers() {
	tail -n1 "$BATS_TEST_TMPDIR/$1.json" | python3 -c 'import json, sys
print(json.load(sys.stdin)["dhcp"]["discovers"])'
}

db_version() {
	sqlite3_q "SELECT image || '@' || ver FROM nodes WHERE name = '$1'"
}

# Everything that says which version a node boots agrees: its row, its
# identity layer's /etc/bramble/image and its boot dir's cmdline.txt root.
assert_on() {
	local node=$1 want=$2
	assert_equal "$(db_version "$node")" "$want"
	assert_equal "$(cat "$BRAMBLE_STATE/nodes/$node/ident/etc/bramble/image")" "$want"
}

@test "rollout of 8 nodes in batches of 2, then rollback: heartbeats name each version" {
	add_nodes 8
	bootsrv_start
	boot_all 8
	for i in $(seq 8); do first[$i]=$(heartbeat "n$i" boot_id); done
	run bootsrv rollout os@2 --batch 2 --timeout 60 --reboot-cmd "$HOOK"
	assert_success
	assert_line --partial "rollout of 8 nodes to os@2 in 4 batches of 2"
	assert_line --partial "batch 4 of 4 done"
	assert_line --partial "done: 8 nodes on os@2"
	# batches in order: n1 and n2 were up before n3 was touched
	up2=$(grep -n "n2: up on os@2" <<<"$output" | cut -d: -f1)
	rb3=$(grep -n "n3: rebooting" <<<"$output" | cut -d: -f1)
	[ "$up2" -lt "$rb3" ]
	for i in $(seq 8); do
		assert_on "n$i" os@2
		assert_equal "$(heartbeat "n$i" image)" os@2
		refute [ "$(heartbeat "n$i" boot_id)" = "${first[$i]}" ]
		assert_equal "$(cat "$BATS_TEST_TMPDIR/hooks.n$i")" "os@2 n$i $(mac_of "$i")"
		# rebooted on its old root, switched once down
		assert_equal "$(cat "$BATS_TEST_TMPDIR/root.n$i")" "os@1 mounted"
		rb=$(grep -n "n$i: rebooting (hook pid [0-9]*); its root is switched when it asks to boot" <<<"$output" | cut -d: -f1)
		sw=$(grep -n "n$i: switched root from os@1 to os@2 while it was down" <<<"$output" | cut -d: -f1)
		[ "$rb" -lt "$sw" ]
		# held: its first DISCOVER went unanswered, a retry after the switch was not
		[ "$(discovers "n$i")" -ge 2 ]
	done
	# no hold outlives the rollout: every node is in dnsmasq's hosts file
	for i in $(seq 8); do assert_file_contains "$BRAMBLE_STATE/run/dnsmasq.hosts" "^$(mac_of "$i"),"; done
	run bootsrv status
	assert_line --regexp '^n8 .* os@2 +up '
	# back, all of them: the nodes the latest rollout moved
	run bootsrv rollback --batch 4 --timeout 60 --reboot-cmd "$HOOK"
	assert_success
	assert_line --partial "rollback of 8 nodes to previous versions in 2 batches of 4"
	assert_line --partial "done: 8 nodes on previous versions"
	for i in $(seq 8); do
		assert_on "n$i" os@1
		assert_equal "$(heartbeat "n$i" image)" os@1
		assert_equal "$(sed -n 2p "$BATS_TEST_TMPDIR/root.n$i")" "os@2 mounted"
	done
	run bootsrv rollout --status
	assert_line --index 0 "rollback 2 to previous versions: done"
	assert_line --regexp '^n1 +1 +os@2 +os@1 +done'
}

@test "proxy DHCP: a held node gets the site's address offer but no boot offer until it is switched" {
	sed -i 's/^dhcp_mode = full$/dhcp_mode = proxy/' "$BRAMBLE_CONFIG"
	site_dhcp_start
	add_nodes 2
	bootsrv_start
	boot_all 2
	run bootsrv rollout os@2 --batch 2 --timeout 60 --reboot-cmd "$HOOK"
	assert_success
	assert_line --partial "done: 2 nodes on os@2"
	for i in 1 2; do
		assert_line --partial "n$i: switched root from os@1 to os@2 while it was down"
		assert_on "n$i" os@2
		assert_equal "$(heartbeat "n$i" image)" os@2
		[ "$(discovers "n$i")" -ge 2 ]
		assert_equal "$(tail -n1 "$BATS_TEST_TMPDIR/n$i.json" | python3 -c 'import json, sys
d = json.load(sys.stdin)["dhcp"]; print(d["proxy"], d["address_server"])')" "True 10.42.0.254"
	done
}

@test "a failing reboot hook stops the rollout: its batch goes back, later nodes untouched" {
	add_nodes 6
	bootsrv_start
	boot_all 6
	first4=$(heartbeat n4 boot_id)
	touch "$BATS_TEST_TMPDIR/fail.n3"
	run bootsrv rollout os@2 --batch 2 --timeout 60 --reboot-cmd "$HOOK"
	assert_failure 1
	assert_line --partial "n3 failed: reboot hook exited with status 1: power relay for n3 does not answer"
	assert_line --partial "batch 2 failed: switching it back"
	# n3 never went down: only let go, its root never touched
	assert_line --partial "n3: never switched: let go, it boots os@1"
	refute_line --partial "n3: switched root"
	assert_line "bootsrv: error: rollout 1 failed: n3 reboot hook exited with status 1: power relay for n3 does not answer"
	# n4 rebooted with n3: switched if its DHCP came before n3's hook failed,
	# then rebooted and switched back the same way; else only let go
	if grep -q "n4: switched root from os@1 to os@2" <<<"$output"; then
		assert_line --partial "n4: rebooting (hook pid"
		assert_line --partial "n4: switched root back to os@1 while it was down"
		assert_equal "$(cat "$BATS_TEST_TMPDIR/hooks.n4")" "os@2 n4 $(mac_of 4)
os@1 n4 $(mac_of 4)"
	else
		assert_line --partial "n4: never switched: let go, it boots os@1"
		assert_equal "$(cat "$BATS_TEST_TMPDIR/hooks.n4")" "os@2 n4 $(mac_of 4)"
	fi
	assert_on n1 os@2
	assert_on n2 os@2
	for n in n3 n4 n5 n6; do assert_on "$n" os@1; done
	# n4 came back on os@1 with a new boot; n5 and n6 were never touched
	wait_for 20 sh -c "grep -q image=os@1 '$BRAMBLE_STATE/nodes/n4/state/upper/var/lib/bramble/heartbeat' &&
		! grep -q 'boot_id=$first4' '$BRAMBLE_STATE/nodes/n4/state/upper/var/lib/bramble/heartbeat'"
	for i in $(seq 6); do assert_file_contains "$BRAMBLE_STATE/run/dnsmasq.hosts" "^$(mac_of "$i"),"; done
	assert_not_exist "$BATS_TEST_TMPDIR/hooks.n5"
	assert_not_exist "$BATS_TEST_TMPDIR/hooks.n6"
	run bootsrv rollout --status
	assert_line --index 0 "rollout 1 to os@2: failed"
	assert_line --regexp '^n3 +2 +os@1 +os@2 +reverted +reboot hook exited with status 1'
	assert_line --regexp '^n5 +3 +os@1 +os@2 +pending'
}

@test "a node that does not come back in time: the phase it reached is named" {
	add_nodes 2
	bootsrv_start
	boot_all 2
	touch "$BATS_TEST_TMPDIR/nonfs.n2"	# its next boot stops after TFTP
	# long enough for n1: a DHCP retry (4 s) after its switch, then its boot
	run bootsrv rollout os@2 --batch 2 --timeout 15 --reboot-cmd "$HOOK"
	assert_failure 1
	assert_line --partial "n1: up on os@2"
	assert_line "bootsrv: error: rollout 1 failed: n2 not back on os@2 within 15 s: no heartbeat: it loaded its kernel, but no heartbeat came from its root (NFS mount or init failed?)"
	# both were switched: both go back through a reboot, switched when down
	assert_line --partial "n1: switched root back to os@1 while it was down"
	assert_line --partial "n2: switched root back to os@1 while it was down"
	assert_on n1 os@1
	assert_on n2 os@1
	wait_for 20 sh -c "grep -q image=os@1 '$BRAMBLE_STATE/nodes/n1/state/upper/var/lib/bramble/heartbeat'"
}

@test "bootsrv killed mid-rollout: restarted, it resumes; no node is left half-switched" {
	add_nodes 4
	BRAMBLE_CRASHPOINT=rollout-switched bootsrv_start
	boot_all 4
	run bootsrv rollout os@2 --batch 2 --timeout 60 --reboot-cmd "$HOOK"
	assert_failure 1
	assert_output --partial "bootsrv stopped; the rollout resumes when it starts again"
	wait_for 10 sh -c "! kill -0 $BOOTSRV_PID"
	# what systemd does to a crashed unit's processes (KillMode=control-group):
	# rpcbind outlives a killed bootsrv
	for p in $(ip netns pids "$HEAD"); do kill -9 "$p" 2>/dev/null || true; done
	# killed between the first switched node's new row and its publishing
	# (n1 or n2, whichever asked to boot first): the row and the derived
	# files already agree (one transaction, rebuilt in place)
	run sqlite3_q "SELECT group_concat(name || '=' || image || '@' || ver) FROM nodes ORDER BY name"
	assert_output --regexp '^(n1=os@2,n2=os@1|n1=os@1,n2=os@2),n3=os@1,n4=os@1$'
	for i in 1 2 3 4; do assert_on "n$i" "$(db_version "n$i")"; done
	# the switched one and its batch mate are held, still rebooting
	run sqlite3_q "SELECT group_concat(state) FROM rollout_nodes WHERE batch = 0"
	assert_output rebooting,rebooting
	# and fsck finds nothing to repair (the roots still mounted are nodes')
	run imgtool fsck
	assert_success
	rm -f "$BRAMBLE_STATE/run/bootsrv.sock"	# the dead daemon's
	bootsrv_start
	run bootsrv rollout --status --wait
	assert_success
	assert_line --partial "bootsrv restarted: resuming at batch 1 of 2"
	assert_line --partial "done: 4 nodes on os@2"
	for i in 1 2 3 4; do
		assert_on "n$i" os@2
		assert_equal "$(heartbeat "n$i" image)" os@2
	done
	run sqlite3_q "SELECT count(*) FROM rollouts WHERE state = 'done'"
	assert_output 1
	for i in 1 2 3 4; do assert_file_contains "$BRAMBLE_STATE/run/dnsmasq.hosts" "^$(mac_of "$i"),"; done
	run imgtool fsck
	assert_success
}

@test "a rollout waits for the state lock an import holds; bootsrv answers meanwhile" {
	printf '[bootsrv]\nhttp_listen = 10.42.0.1:8042\n' >>"$BRAMBLE_CONFIG"
	add_nodes 1
	bootsrv_start
	boot_all 1
	paused_import os2
	out=$BATS_TEST_TMPDIR/rollout.out
	bootsrv rollout os@2 --timeout 120 --reboot-cmd "$HOOK" >"$out" 2>&1 3>&- &
	ro=$!
	defer kill "$ro"
	wait_for 30 grep -q "n1: its root is switched once the state lock is free" "$out"
	assert_file_contains "$out" "holds $BRAMBLE_STATE/lock"
	# held and not switched: out of dnsmasq's hosts file, its row and root on os@1
	run grep -c "^$(mac_of 1)," "$BRAMBLE_STATE/run/dnsmasq.hosts"
	assert_output 0
	assert_on n1 os@1
	took_ms ctl bootsrv status
	assert_line --regexp '^n1 +dc:a6:32:70:00:01 '
	took_ms page ip netns exec "$HEAD" curl -sf --max-time 10 http://10.42.0.1:8042/
	assert_output --partial n1
	echo "# rollout waiting for the lock: bootsrv status ${ctl} ms, / ${page} ms" >&3
	# only a wait on the lock comes near this bound
	[ "$ctl" -lt 5000 ] && [ "$page" -lt 5000 ]
	run grep -c "its root is switched once the state lock" "$out"
	assert_output 1		# said once, not every tick
	rm "$pause"
	wait "$imp"
	wait "$ro"
	assert_file_contains "$out" "n1: switched root from os@1 to os@2 while it was down"
	assert_file_contains "$out" "done: 1 node on os@2"
	assert_on n1 os@2
	assert_equal "$(heartbeat n1 image)" os@2
	assert_file_contains "$BRAMBLE_STATE/run/dnsmasq.hosts" "^$(mac_of 1),"
}

@test "the default reboot hook: ssh as root with the cluster key, checking the node's host keys" {
	for i in 1 2; do
		imgtool -q node add "n$i" --mac "$(mac_of "$i")" --image os@1 --ip "10.42.0.5$i"
		net_name "n$i" >"$BATS_TEST_TMPDIR/ns.10.42.0.5$i"
		mac_of "$i" >"$BATS_TEST_TMPDIR/mac.10.42.0.5$i"
	done
	# the identity layer authorizes the cluster key for root
	assert_equal "$(cat "$BRAMBLE_STATE/nodes/n1/ident/etc/bramble/authorized_keys.root")" \
		"$(cat "$BRAMBLE_STATE/keep/cluster_ed25519.pub")"
	assert_file_contains "$BRAMBLE_STATE/nodes/n1/ident/etc/ssh/sshd_config.d/bramble.conf" \
		'^AuthorizedKeysFile .* /etc/bramble/authorized_keys.%u$'
	# an ssh that records how it was called and reboots the emulated Pi
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	cat >"$BATS_TEST_TMPDIR/bin/ssh" <<-EOF
	#!/bin/sh
	d=$BATS_TEST_TMPDIR
	for a; do case \$a in root@*) ip=\${a#root@} ;; esac; done
	echo "\$*" >"\$d/ssh.\$ip"
	setsid ip netns exec "\$(cat "\$d/ns.\$ip")" pisim --iface eth0 --mac "\$(cat "\$d/mac.\$ip")" \\
		--heartbeat --json -q >>"\$d/\$ip.json" 2>&1 </dev/null &
	EOF
	chmod +x "$BATS_TEST_TMPDIR/bin/ssh"
	PATH="$BATS_TEST_TMPDIR/bin:$PATH" bootsrv_start
	for i in 1 2; do pisim_boot "n$i" "$(mac_of "$i")"; done
	run bootsrv rollout os@2 --batch 2 --timeout 60
	assert_success
	assert_line --partial "done: 2 nodes on os@2"
	for i in 1 2; do
		assert_equal "$(cat "$BATS_TEST_TMPDIR/ssh.10.42.0.5$i")" "-n -i $BRAMBLE_STATE/keep/cluster_ed25519 -o BatchMode=yes -o ConnectTimeout=10 -o ConnectionAttempts=3 -o StrictHostKeyChecking=yes -o UserKnownHostsFile=$BRAMBLE_STATE/run/known_hosts.n$i root@10.42.0.5$i nohup reboot >/dev/null 2>&1 &"
		assert_file_contains "$BRAMBLE_STATE/run/known_hosts.n$i" \
			"^10.42.0.5$i $(cut -d' ' -f1-2 "$BRAMBLE_STATE/nodes/n$i/keep/ssh/ssh_host_ed25519_key.pub")"
		assert_on "n$i" os@2
	done
}

@test "rollout/rollback bad input: one line, nothing started" {
	add_nodes 2
	run bootsrv rollout os@2
	assert_failure
	assert_output "bootsrv: error: bootsrv is not running: rollouts run in the daemon, start it ('bootsrv run' or systemctl start bootsrv)"
	bootsrv_start
	check() {
		run bootsrv "$@"
		assert_failure
		assert_equal "${#lines[@]}" 1
		assert_equal "$(sqlite3_q 'SELECT count(*) FROM rollouts')" 0
	}
	check rollout nosuch
	assert_output --partial "unknown image 'nosuch'"
	check rollout os@7
	assert_output --partial "image os has no version 7"
	check rollout os@2 --nodes n1,ghost
	assert_output --partial "no node 'ghost'"
	check rollout os@1
	assert_output --partial "no node of image os to move"
	check rollout os@2 --batch 0
	assert_output --partial "--batch 0: give a whole number"
	check rollout os@2 --nodes 'n[1-'
	assert_output --partial "n[1-"
	check rollout
	assert_output --partial "give one NAME@VER"
	check rollback
	assert_output --partial "nothing to roll back"
	check rollback --nodes n1
	assert_output --partial "n1 has no earlier version to return to"
	for n in n1 n2; do assert_on "$n" os@1; done
}
