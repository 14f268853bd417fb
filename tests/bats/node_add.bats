#!/usr/bin/env bats
# imgtool node add: the identity layer and boot dir a node gets.

load helpers
load node

setup() {
	node_setup
	node_image os
}

@test "add: a Pi 4 gets its identity layer and a boot dir sharing the image's files" {
	run imgtool node add node01 --mac DC-A6-32-01-02-03 --serial 9FFEFDEF --image os \
		--ip 10.42.0.11 --var rack=r7 --var config.gpu_mem=16
	assert_success
	local ident boot img
	ident=$(ident_of node01) boot=$(boot_of dc:a6:32:01:02:03)
	img="$BRAMBLE_STATE/images/os/1/boot"

	assert_equal "$(cat "$ident/etc/hostname")" node01
	assert_equal "$(cat "$ident/etc/bramble/image")" os@1
	grep -qx '10.42.0.11	node01' "$ident/etc/hosts"
	grep -q '^10.42.0.1:/nodes/node01	/	nfs	rw,vers=3,tcp,nolock,noacl' "$ident/etc/fstab"
	grep -q '^tmpfs.*/tmp' "$ident/etc/fstab"
	run grep -vE '^#' "$ident/etc/fstab"
	refute_output --regexp 'mmcblk|PARTUUID|/boot'
	[[ $(cat "$ident/etc/machine-id") =~ ^[0-9a-f]{32}$ ]]
	# heartbeat script, unit and its enabling symlink
	[ -x "$ident/usr/lib/bramble/heartbeat" ]
	sh -n "$ident/usr/lib/bramble/heartbeat"
	grep -qx 'ExecStart=/usr/lib/bramble/heartbeat' "$ident/etc/systemd/system/bramble-heartbeat.service"
	assert_equal "$(readlink "$ident/etc/systemd/system/multi-user.target.wants/bramble-heartbeat.service")" \
		/etc/systemd/system/bramble-heartbeat.service
	# sshd on (Pi OS ships it off): the rollout's reboot hook logs in
	assert_equal "$(readlink "$ident/etc/systemd/system/multi-user.target.wants/ssh.service")" \
		/lib/systemd/system/ssh.service
	# ssh host keys, private halves 0600, named for the node
	for t in ed25519 ecdsa; do
		assert_equal "$(stat -c %a "$ident/etc/ssh/ssh_host_${t}_key")" 600
		ssh-keygen -l -f "$ident/etc/ssh/ssh_host_${t}_key.pub" | grep -q 'root@node01'
	done
	# no slow RSA key unless asked for; sshd offers only the node's own keys
	[ ! -e "$ident/etc/ssh/ssh_host_rsa_key" ]
	assert_equal "$(grep '^HostKey' "$ident/etc/ssh/sshd_config.d/bramble.conf")" \
		"$(printf 'HostKey /etc/ssh/ssh_host_%s_key\n' ed25519 ecdsa)"
	# the identity layer's /usr/lib is not the image's /lib symlink turned into a dir
	[ ! -e "$ident/lib" ]

	# boot dir: the image's files as hardlinks (same inode, same bytes)
	for f in start4.elf kernel8.img bootcode.bin bcm2711-rpi-4-b.dtb overlays/vc4-kms-v3d.dtbo; do
		assert_equal "$(stat -c %i "$boot/$f")" "$(stat -c %i "$img/$f")"
		cmp "$boot/$f" "$img/$f"
	done
	# rendered cmdline.txt and config.txt
	assert_equal "$(cat "$boot/cmdline.txt")" \
		"console=serial0,115200 console=tty1 root=/dev/nfs nfsroot=10.42.0.1:/nodes/node01,vers=3,tcp,nolock,noacl rw ip=dhcp rootwait"
	[ "$(stat -c %i "$boot/config.txt")" != "$(stat -c %i "$img/config.txt")" ]
	grep -qx 'auto_initramfs=1' "$boot/config.txt"
	grep -qx 'gpu_mem=16' "$boot/config.txt"
	run grep '^#.*Raspberry Pi OS' "$boot/config.txt"
	assert_failure
	[ "$(stat -c %s "$boot/config.txt")" -lt 4096 ]
	# the serial prefix resolves to the same files
	assert_equal "$(readlink "$boot/9ffefdef")" .
	cmp "$boot/9ffefdef/start4.elf" "$img/start4.elf"
	cmp "$boot/9ffefdef/config.txt" "$boot/config.txt"
	# the user variable reaches templates
	run imgtool node show node01 --json
	assert_success
	assert_equal "$(echo "$output" | jq -r .vars.rack)" r7
	assert_equal "$(echo "$output" | jq -r .status)" ready
}

@test "add: the manifest lists each boot file's own SHA-256, recorded or not at import" {
	# the sums recorded with the version, then a version without them (made
	# before the table existed): both must give the files' real hashes
	for n in 1 2; do
		[ $n = 1 ] || sqlite3 "$BRAMBLE_STATE/bramble.db" "DELETE FROM boot_sums"
		run imgtool node add node0$n --mac dc:a6:32:01:02:0$n --image os
		assert_success
		local boot m
		boot=$(boot_of dc:a6:32:01:02:0$n) m=$BRAMBLE_STATE/nodes/node0$n/built.manifest
		(cd "$boot" && find . -type f -links +1 -printf '%P\n' | sort | xargs sha256sum) |
			awk '{ print $1, "boot/" $2 }' >"$BATS_TEST_TMPDIR/want"
		[ "$(wc -l <"$BATS_TEST_TMPDIR/want")" -gt 3 ]
		awk '$1 == "f" && $4 ~ /^boot\// { print $3, $4 }' "$m" | sort -k2 >"$BATS_TEST_TMPDIR/got"
		join -1 2 -2 2 <(sort -k2 "$BATS_TEST_TMPDIR/want") "$BATS_TEST_TMPDIR/got" |
			awk '$2 != $3 { print "hash differs: " $0; bad = 1 } END { exit bad }'
		[ "$(join -1 2 -2 2 <(sort -k2 "$BATS_TEST_TMPDIR/want") "$BATS_TEST_TMPDIR/got" | wc -l)" = \
			"$(wc -l <"$BATS_TEST_TMPDIR/want")" ]
	done
	run sqlite3 "$BRAMBLE_STATE/bramble.db" "SELECT count(*) FROM boot_sums"
	assert_output 0
	run imgtool fsck
	assert_success
}

@test "add: the other nodes' files are rewritten only where their content changes" {
	imgtool node add node01 --mac dc:a6:32:01:02:01 --image os --ip 10.42.0.11
	local ident=$(ident_of node01) boot=$(boot_of dc:a6:32:01:02:01) before
	# every file of node01, by inode and modification time (the boot files'
	# change time moves with every node linking them)
	files_of() { find "$ident" "$boot" "$BRAMBLE_STATE/nodes/node01/built.manifest" \
		-printf '%i %T@ %p\n' | sort -k3; }
	before=$(files_of)
	# an unaddressed node: node01's /etc/hosts lists addressed nodes only
	imgtool node add node02 --mac dc:a6:32:01:02:02 --image os
	assert_equal "$(files_of)" "$before"
	# an addressed one: node01's hosts (and so its directory) and manifest
	# change, nothing else
	imgtool node add node03 --mac dc:a6:32:01:02:03 --image os --ip 10.42.0.13
	grep -qx '10.42.0.13	node03' "$ident/etc/hosts"
	run diff <(echo "$before" | awk '{ print $3, $1, $2 }') <(files_of | awk '{ print $3, $1, $2 }')
	assert_equal "$(echo "$output" | grep '^>' | awk '{ print $2 }' | sed "s|$BRAMBLE_STATE/||")" \
		"$(printf 'nodes/node01/built.manifest\nnodes/node01/ident/etc\nnodes/node01/ident/etc/hosts')"
	run imgtool fsck
	assert_success
}

@test "add: the heartbeat script writes what bootsrv reads, through temp + rename" {
	need_root
	imgtool node add node01 --image os
	local root="$BATS_TEST_TMPDIR/chroot" ident
	ident=$(ident_of node01)
	mkdir -p "$root"/{bin,proc,etc/bramble,usr/lib/bramble,var/lib}
	cp "$BATS_TEST_TMPDIR/src-os/usr/bin/busybox" "$root/bin/busybox"
	for a in sh cat date mv mkdir sleep printf; do ln -s busybox "$root/bin/$a"; done
	cp "$ident/usr/lib/bramble/heartbeat" "$root/usr/lib/bramble/"
	cp "$ident/etc/bramble/image" "$root/etc/bramble/"
	# its own mount namespace for /proc; the shell's pid becomes the script's
	BRAMBLE_HEARTBEAT_INTERVAL=1 unshare -m --fork sh -c \
		"mount -t proc proc '$root/proc' && echo \$\$ >'$root.pid' &&
		 exec chroot '$root' /bin/sh /usr/lib/bramble/heartbeat" >/dev/null 2>&1 3>&- &
	local hb="$root/var/lib/bramble/heartbeat" t1
	for _ in $(seq 100); do [ -s "$root.pid" ] && break; sleep 0.1; done
	defer kill -KILL "$(cat "$root.pid")"
	for _ in $(seq 100); do [ -s "$hb" ] && break; sleep 0.1; done
	grep -qx 'image=os@1' "$hb"
	grep -qE '^boot_id=[0-9a-f-]{36}$' "$hb"
	grep -qx "hostname=$(hostname)" "$hb"
	t1=$(sed -n 's/^time=//p' "$hb")
	[ "$t1" -ge "$(($(date +%s) - 5))" ]
	# it keeps beating
	for _ in $(seq 50); do [ "$(sed -n 's/^time=//p' "$hb")" != "$t1" ] && break; sleep 0.1; done
	[ "$(sed -n 's/^time=//p' "$hb")" -gt "$t1" ]
	[ ! -e "$hb.tmp" ] || [ -s "$hb" ]
}

@test "add: a range of 16 unbound nodes, each with its own hostname and machine-id" {
	run imgtool node add 'node[01-16]' --image os --ip 10.42.0.101
	assert_success
	[ "$(ls "$BRAMBLE_STATE/nodes" | wc -l)" -eq 16 ]
	for i in $(seq -w 1 16); do
		assert_equal "$(cat "$(ident_of node$i)/etc/hostname")" "node$i"
	done
	[ "$(cat "$BRAMBLE_STATE"/nodes/*/ident/etc/machine-id | sort -u | wc -l)" -eq 16 ]
	[ "$(cat "$BRAMBLE_STATE"/nodes/*/keep/ssh/ssh_host_ed25519_key.pub | sort -u | wc -l)" -eq 16 ]
	# addresses count up; every node's hosts lists all 16
	assert_equal "$(db_query "SELECT ip FROM nodes WHERE name = 'node16'")" 10.42.0.116
	grep -qx '10.42.0.116	node16' "$(ident_of node01)/etc/hosts"
	grep -qx '10.42.0.101	node01' "$(ident_of node16)/etc/hosts"
	# unbound: no boot dir yet
	[ -z "$(ls "$BRAMBLE_STATE/tftp")" ]
	run imgtool node list --json
	assert_equal "$(echo "$output" | jq -r '[.[] | .status] | unique | join(",")')" unbound
	# a node added later shows up in everyone's hosts
	imgtool node add extra --mac 02:00:00:00:00:01 --image os --ip 10.42.0.50
	grep -qx '10.42.0.50	extra' "$(ident_of node07)/etc/hosts"
}

@test "add: cluster.ssh_host_keys picks the host key types; a bad list is refused" {
	printf '[cluster]\nssh_host_keys = ed25519,rsa\n' >"$BRAMBLE_CONFIG"
	imgtool node add node01 --image os
	ident=$(ident_of node01)
	ssh-keygen -l -f "$ident/etc/ssh/ssh_host_rsa_key.pub" | grep -q 'root@node01 (RSA)'
	[ ! -e "$ident/etc/ssh/ssh_host_ecdsa_key" ]
	assert_equal "$(grep '^HostKey' "$ident/etc/ssh/sshd_config.d/bramble.conf")" \
		"$(printf 'HostKey /etc/ssh/ssh_host_%s_key\n' ed25519 rsa)"
	local before
	before=$(state_digest)
	local -a cases=(
		"ed25519,dsa|'ed25519,dsa': 'dsa' is not an ssh host key type: give ed25519, ecdsa and/or rsa, each once"
		"rsa,rsa|'rsa,rsa': 'rsa' is named twice: give ed25519, ecdsa and/or rsa, each once"
		"|empty: give ed25519, ecdsa and/or rsa"
	)
	for c in "${cases[@]}"; do
		printf '[cluster]\nssh_host_keys = %s\n' "${c%%|*}" >"$BRAMBLE_CONFIG"
		run imgtool node add node02 --image os
		assert_failure
		assert_output "imgtool: error: $BRAMBLE_CONFIG:2: cluster.ssh_host_keys: ${c#*|}"
		assert_equal "$(state_digest)" "$before"
	done
}

@test "add: bad input is refused with one line and changes nothing" {
	imgtool node add taken --mac 02:00:00:00:00:01 --serial 0000abcd --image os --ip 10.42.0.9
	local before
	before=$(state_digest)
	local -a cases=(
		"node02 --mac 02:00:00:00:00:0g|not a MAC address"
		"node02 --serial 12345|not a Pi serial"
		"node02 --serial 100000009ffefdef|give the low 8"
		"node02 --ip 10.42.0.300|not an IPv4 address"
		"node02 --ip 192.168.1.5|outside the cluster network"
		"Node02|not a valid node name"
		"node_02|not a valid node name"
		"-- -node|not a valid node name"
		"node02 --image nosuch|unknown image 'nosuch'"
		"node02 --image os@9|image os has no version 9"
		"node02 --model 2|is not a model"
		"node02 --var name=x|built-in template variable"
		"node02 --var 'two words'=x|is not a variable"
		"node02 --mac 02-00-00-00-00-01|MAC 02:00:00:00:00:01 already belongs to node taken"
		"node02 --serial 0000ABCD|serial 0000abcd already belongs to node taken"
		"node02 --ip 10.42.0.9|IP 10.42.0.9 already belongs to node taken"
		"taken|node taken already exists"
		"n[1-3] --mac 02:00:00:00:00:05|name one board"
		"n[3-1]|must go up"
		"n[1-3] --ip 10.42.0.8|IP 10.42.0.9 already belongs to node taken"
	)
	for c in "${cases[@]}"; do
		eval "run imgtool node add ${c%%|*}"
		assert_failure
		assert_equal "${#lines[@]}" 1
		assert_output --partial "${c#*|}"
		assert_equal "$(state_digest)" "$before"
	done
}

@test "add: --help and the node group list the verbs" {
	run imgtool node --help
	assert_success
	for v in add import export set rm list show replace diff build; do
		assert_output --partial "  $v "
	done
	run imgtool node add --help
	assert_success
	assert_output --partial '--serial HEX'
}
