#!/usr/bin/env bats
# Templates: user overlays, variables, and template errors naming file:line.

load helpers
load node

setup() {
	node_setup
	node_image os
	OV="$BATS_TEST_TMPDIR/site"
	mkdir -p "$OV/root/etc" "$OV/boot"
}

@test "template: a later overlay dir overrides by path, also through bramble.conf" {
	echo '{{name}}.{{cluster}}' >"$OV/root/etc/hostname.tmpl"
	cat >"$OV/boot/cmdline.txt.tmpl" <<-'EOF'
	root=/dev/nfs nfsroot={{nfsroot}} rw ip=dhcp{{#if cmdline}} {{cmdline}}{{/if}}
	EOF
	printf 'static file\n' >"$OV/root/etc/issue"
	mkdir -p "$OV/root/home/pi"
	echo 'export RACK={{rack}}' >"$OV/root/home/pi/.rack.tmpl"
	unset BRAMBLE_OVERLAYS
	printf '[cluster]\nname = lab\n[paths]\noverlay_dirs = %s:%s:/nonexistent\n' \
		"$REPO/overlays" "$OV" >"$BRAMBLE_CONFIG"
	imgtool node add node01 --mac 02:00:00:00:00:01 --image os --var cmdline=quiet --var rack=r4
	assert_equal "$(cat "$(ident_of node01)/etc/hostname")" node01.lab
	assert_equal "$(cat "$(ident_of node01)/home/pi/.rack")" 'export RACK=r4'
	# a directory the layer shares with the image keeps the image's owner and mode
	assert_equal "$(stat -c '%u:%g %a' "$(ident_of node01)/home/pi")" '1000:1000 750'
	assert_equal "$(cat "$(ident_of node01)/etc/issue")" "static file"
	assert_equal "$(cat "$(boot_of 02:00:00:00:00:01)/cmdline.txt")" \
		"root=/dev/nfs nfsroot=10.42.0.1:/nodes/node01,vers=3,tcp,nolock,noacl rw ip=dhcp quiet"
	# the defaults still come from the first dir
	[ -f "$(ident_of node01)/etc/fstab" ]
}

@test "template: an unknown variable is an error naming file and line; nothing changes" {
	imgtool node add node01 --mac 02:00:00:00:00:01 --image os
	printf 'Welcome to {{name}}\nrack {{rakc}}\n' >"$OV/root/etc/motd.tmpl"
	export BRAMBLE_OVERLAYS="$REPO/overlays:$OV"
	local before
	before=$(state_digest)
	run imgtool node add node02 --image os
	assert_failure
	assert_output "imgtool: error: node node01: $OV/root/etc/motd.tmpl:2: unknown variable 'rakc' (README.md, Templates, lists the variables)"
	assert_equal "$(state_digest)" "$before"
	run imgtool node build
	assert_failure
	assert_output --partial "motd.tmpl:2: unknown variable 'rakc'"
	assert_equal "$(state_digest)" "$before"
	# a variable the node has makes it render
	imgtool node set node01 var.rakc=r9
	assert_equal "$(cat "$(ident_of node01)/etc/motd")" "Welcome to node01
rack r9"
}

@test "template: syntax errors, a too big config.txt, a file under a merged-/usr symlink" {
	export BRAMBLE_OVERLAYS="$REPO/overlays:$OV"
	local before
	before=$(state_digest)
	printf 'a\n{{#each nodes}}\n{{name}}\n' >"$OV/root/etc/x.tmpl"
	run imgtool node add node01 --image os
	assert_failure
	assert_output --partial "$OV/root/etc/x.tmpl:2: block opened here is never closed with {{/each}}"
	assert_equal "$(state_digest)" "$before"
	rm "$OV/root/etc/x.tmpl"

	{ echo '{{image_config}}'; for i in $(seq 300); do echo "# padding line $i"; done; } \
		>"$OV/boot/config.txt.tmpl"
	run imgtool node add node01 --mac 02:00:00:00:00:01 --image os
	assert_failure
	assert_output --regexp 'node node01: config.txt is [0-9]+ bytes; a netbooting Pi ignores what lies past 4096'
	assert_equal "$(state_digest)" "$before"
	rm "$OV/boot/config.txt.tmpl"

	mkdir -p "$OV/root/lib/firmware"
	echo blob >"$OV/root/lib/firmware/x.bin"
	run imgtool node add node01 --image os
	assert_failure
	assert_output --partial "$OV/root/lib/firmware/x.bin: /lib is a symlink in image os@1"
	assert_equal "$(state_digest)" "$before"
}

@test "template: no overlay dir at all is a clear error" {
	export BRAMBLE_OVERLAYS=/nonexistent/a:/nonexistent/b
	run imgtool node add node01 --image os
	assert_failure
	assert_output --partial "no overlay templates in '/nonexistent/a:/nonexistent/b'"
}

@test "template: the timesyncd drop-in names the head, the configured servers, or nothing when off" {
	local dropin
	imgtool node add node01 --mac 02:00:00:00:00:01 --image os
	dropin="$(ident_of node01)/etc/systemd/timesyncd.conf.d/bramble.conf"
	run grep -v '^#' "$dropin"
	assert_output "[Time]
NTP=10.42.0.1"
	printf '[cluster]\nntp_server = 10.42.0.5,192.0.2.7\n' >"$BRAMBLE_CONFIG"
	imgtool node build
	assert_file_contains "$dropin" '^NTP=10\.42\.0\.5 192\.0\.2\.7$'
	printf '[cluster]\nntp_server = off\n' >"$BRAMBLE_CONFIG"
	imgtool node build
	run grep -v '^#' "$dropin"
	assert_output ''
	# a name is refused: DHCP option 42 carries addresses
	local before
	before=$(state_digest)
	printf '[cluster]\nntp_server = pool.ntp.org\n' >"$BRAMBLE_CONFIG"
	run imgtool node build
	assert_failure
	assert_output "imgtool: error: $BRAMBLE_CONFIG:2: cluster.ntp_server: 'pool.ntp.org' is not an IPv4 address: DHCP option 42 carries addresses, not names; list addresses (A,B) or set off"
	assert_equal "$(state_digest)" "$before"
}
