#!/usr/bin/env bats
# The nodes' login user: bramble.conf [login], per-node login.KEY=VALUE, what
# the identity layer gets (user settings, ssh keys, ssh on, Pi OS's wizard
# masked, the cloud-init seed), and the script that makes the user.

load helpers
load node

HASH='$6$bramble$VFqPJtrsVGPWn4J3CeugacEfhnjnDYS0ogTot9VVtEqLUxeyj.i.roSV9/VCM7XZOw2/6h6cWjC/GytesUWr2/'

setup() {
	node_setup
	node_image os
	KEYS=$BATS_TEST_TMPDIR/keys
	printf '# the admins\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAdmin alice@desk\n\n%s\n' \
		'from="10.0.0.0/8" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOther ops' >"$KEYS"
	printf '[login]\nuser = alice\npassword_hash = %s\nauthorized_keys = %s\n' "$HASH" "$KEYS" \
		>"$BRAMBLE_CONFIG"
}

# The cloud-init seed's user-data of node $1 as JSON (parsed by PyYAML).
user_data() {
	python3 -c 'import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1])), sort_keys=True))' \
		"$(ident_of "$1")/var/lib/cloud/seed/nocloud/user-data"
}

@test "login: [login] renders the user, its keys, ssh on and the wizard masked into every node" {
	imgtool node add node01 --mac 02:00:00:00:00:01 --image os
	local id
	id=$(ident_of node01)
	assert_equal "$(grep -v '^#' "$id/etc/bramble/login.conf")" "user=alice
password_hash='$HASH'"
	# sshd reads /etc/bramble/authorized_keys.%u (sshd_config.d/bramble.conf)
	cmp "$KEYS" "$id/etc/bramble/authorized_keys.alice"
	grep -qx 'AuthorizedKeysFile .* /etc/bramble/authorized_keys.%u' \
		"$id/etc/ssh/sshd_config.d/bramble.conf"
	assert_equal "$(readlink "$id/etc/systemd/system/multi-user.target.wants/ssh.service")" \
		/lib/systemd/system/ssh.service
	assert_equal "$(readlink "$id/etc/systemd/system/multi-user.target.wants/bramble-login.service")" \
		/etc/systemd/system/bramble-login.service
	assert_equal "$(readlink "$id/etc/systemd/system/userconfig.service")" /dev/null
	[ -x "$id/usr/lib/bramble/login" ]
	# the NoCloud seed says the same, as YAML cloud-init reads
	assert_equal "$(user_data node01)" "$(python3 -c 'import json,sys
print(json.dumps({"hostname": "node01", "manage_etc_hosts": False, "ssh_deletekeys": False,
  "ssh_genkeytypes": [], "growpart": {"mode": "off"}, "resize_rootfs": False, "users": [{
  "name": "alice", "shell": "/bin/bash", "lock_passwd": False, "passwd": sys.argv[1],
  "sudo": "ALL=(ALL) NOPASSWD:ALL",
  "groups": ["adm", "dialout", "cdrom", "sudo", "audio", "video", "plugdev", "games", "users",
             "input", "render", "netdev", "gpio", "i2c", "spi"],
  "ssh_authorized_keys": ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAdmin alice@desk",
                          "from=\"10.0.0.0/8\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOther ops"]}]},
  sort_keys=True))' "$HASH")"
	grep -qx 'instance-id: bramble-bramble-node01' "$id/var/lib/cloud/seed/nocloud/meta-data"
	grep -qx '  config: disabled' "$id/var/lib/cloud/seed/nocloud/network-config"
}

@test "login: a node's login.KEY=VALUE overrides the cluster's; empty gives it back" {
	imgtool node add node01 --mac 02:00:00:00:00:01 --image os
	imgtool node add node02 --mac 02:00:00:00:00:02 --image os
	printf 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBob bob@lab\n' >"$BATS_TEST_TMPDIR/bob.keys"
	imgtool node set node02 login.user=bob login.authorized_keys="$BATS_TEST_TMPDIR/bob.keys"
	grep -qx 'user=bob' "$(ident_of node02)/etc/bramble/login.conf"
	cmp "$BATS_TEST_TMPDIR/bob.keys" "$(ident_of node02)/etc/bramble/authorized_keys.bob"
	[ ! -e "$(ident_of node02)/etc/bramble/authorized_keys.alice" ]
	grep -qx "password_hash='$HASH'" "$(ident_of node02)/etc/bramble/login.conf"
	grep -qx 'user=alice' "$(ident_of node01)/etc/bramble/login.conf"
	assert_equal "$(user_data node02 | python3 -c 'import json,sys; u=json.load(sys.stdin)["users"][0]; print(u["name"], u["ssh_authorized_keys"])')" \
		"bob ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBob bob@lab']"
	imgtool node set node02 login.user= login.authorized_keys=
	grep -qx 'user=alice' "$(ident_of node02)/etc/bramble/login.conf"
	[ -e "$(ident_of node02)/etc/bramble/authorized_keys.alice" ]
	[ ! -e "$(ident_of node02)/etc/bramble/authorized_keys.bob" ]
	# no [login]: no user, no keys file, a seed without users
	: >"$BRAMBLE_CONFIG"
	imgtool node build
	grep -qx 'user=' "$(ident_of node01)/etc/bramble/login.conf"
	[ ! -e "$(ident_of node01)/etc/bramble/authorized_keys.alice" ]
	assert_equal "$(user_data node01)" '{"growpart": {"mode": "off"}, "hostname": "node01", "manage_etc_hosts": false, "resize_rootfs": false, "ssh_deletekeys": false, "ssh_genkeytypes": []}'
}

@test "login: bad settings are one-line errors that change nothing" {
	imgtool node add node01 --mac 02:00:00:00:00:01 --image os
	local before
	before=$(state_digest)
	run imgtool node set node01 login.user=Alice
	assert_failure
	assert_output "imgtool: error: login.user: 'Alice' is not a user name: lower-case letters, digits, '_', '-', starting with a letter or '_', at most 32"
	run imgtool node set node01 login.user=root
	assert_failure
	assert_output --partial "'root' logs in with the cluster key already"
	run imgtool node set node01 login.shell=/bin/zsh
	assert_failure
	assert_output "imgtool: error: 'login.shell' is not a login setting: login.user, login.password_hash or login.authorized_keys"
	run imgtool node set node01 "login.password_hash=secret'; rm -rf /"
	assert_failure
	assert_output --partial "is not a password hash: make one with 'openssl passwd -6'"
	run imgtool node set node01 login.authorized_keys=keys.txt
	assert_failure
	assert_output --partial "'keys.txt' is not an absolute path"
	run imgtool node set node01 login.authorized_keys="$BATS_TEST_TMPDIR/missing"
	assert_failure
	assert_output --partial "login.authorized_keys (the ssh keys of user alice; fix the path in bramble.conf [login] or 'imgtool node set'): "
	assert_output --partial "$BATS_TEST_TMPDIR/missing"
	assert_equal "$(state_digest)" "$before"
	printf '[login]\nuser = 1st\n' >"$BRAMBLE_CONFIG"
	run imgtool node build
	assert_failure
	assert_output --partial "$BRAMBLE_CONFIG:2: login.user: '1st' is not a user name"
	assert_equal "$(state_digest)" "$before"
}

# Run the node's login script against a private copy of this machine's /etc
# and /home (a mount namespace: useradd and usermod are the real ones).
login_run() {
	local id=$1 etc=$BATS_TEST_TMPDIR/etc home=$BATS_TEST_TMPDIR/home
	[ -d "$etc" ] || { cp -a /etc "$etc" && mkdir -p "$etc/sudoers.d"; }
	mkdir -p "$home"
	unshare -m sh -c 'mount --make-rprivate / && mount --bind "$1" /etc &&
		mount --bind "$3" /home &&
		BRAMBLE_LOGIN_CONF="$2/etc/bramble/login.conf" "$2/usr/lib/bramble/login" &&
		getent passwd alice | cut -d: -f1,6,7 && getent shadow alice | cut -d: -f2 &&
		id -nG alice && stat -c %U /home/alice &&
		stat -c "%a %U" /etc/sudoers.d/010_bramble-login && cat /etc/sudoers.d/010_bramble-login' \
		sh "$etc" "$id" "$home"
}

@test "login: the node's script makes the user with the hash, once, and sets a new hash" {
	getent passwd alice >/dev/null && skip "this machine has a user alice"
	imgtool node add node01 --mac 02:00:00:00:00:01 --image os
	run login_run "$(ident_of node01)"
	assert_success
	assert_line --index 0 --regexp '^bramble-login: made user alice \(groups .*sudo.*\)$'
	assert_line --index 1 'alice:/home/alice:/bin/bash'
	assert_line --index 2 "$HASH"
	assert_line --index 3 --regexp '(^| )sudo( |$)'
	assert_line --index 4 alice
	assert_line --index 5 '440 root'
	assert_line --index 6 'alice ALL=(ALL) NOPASSWD: ALL'
	# again, with a new hash: the user is there, only the hash changes
	local new='$6$other$6ruTs5d1v2VmS5cJ1X0lf7w1SVpmY3OWvkpNsuYMTvOD7mqN0oG8cA6WJaBzjTvpTPS.ZLrTRtBqB/nqvQ.4r.'
	imgtool node set node01 login.password_hash="$new"
	run login_run "$(ident_of node01)"
	assert_success
	refute_line --partial 'made user'
	assert_line --index 1 "$new"
	# /etc of this machine is untouched
	! getent passwd alice
}
