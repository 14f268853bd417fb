#!/usr/bin/env bats
# imgtool node list --format ansible: the inventory as Ansible reads it,
# checked with ansible-inventory and ansible from Debian's ansible-core.

load helpers
load node

setup() {
	node_setup
	need_cmd ansible-inventory
	node_image os
	node_image k8s.base
	imgtool node add a1 --mac dc:a6:32:0a:00:01 --image os --ip 10.42.0.11 \
		--var rack=r1 --var role=web --var ansible_user=pi --var config.gpu_mem=16
	imgtool node add a2 --mac dc:a6:32:0a:00:02 --model 5 --image k8s.base --ip 10.42.0.12 \
		--var rack=r1 --var role=db-primary
	imgtool node add a3 --image os --var rack=r2	# unbound, no address
	imgtool node add a4 --model pxe			# no image, no variables
	imgtool node set a3 var.rack=r3
	imgtool node list --format ansible >"$BATS_TEST_TMPDIR/inv.json"
}

# ansible CMD...: Ansible's own files in the test dir, no colours
ansible_run() {
	HOME="$BATS_TEST_TMPDIR" ANSIBLE_NOCOLOR=1 ANSIBLE_LOCAL_TEMP="$BATS_TEST_TMPDIR/ansible-tmp" \
		"$@" 2>"$BATS_TEST_TMPDIR/ansible.err"
}

@test "ansible-inventory --list: hosts, ansible_host, variables and groups" {
	ansible_run ansible-inventory -i "$BATS_TEST_TMPDIR/inv.json" --list >"$BATS_TEST_TMPDIR/list.json"
	# read by the inventory plugin without a warning (a file it cannot parse
	# is only a warning, and an empty inventory)
	run cat "$BATS_TEST_TMPDIR/ansible.err"
	assert_output ""
	run python3 - "$BATS_TEST_TMPDIR/list.json" <<-'PY'
	import json, sys
	inv = json.load(open(sys.argv[1]))
	hv = inv["_meta"]["hostvars"]
	want = {
	    "a1": {"ansible_host": "10.42.0.11", "ansible_user": "pi", "bramble_model": "4",
	           "bramble_image": "os", "bramble_version": 1, "bramble_mac": "dc:a6:32:0a:00:01",
	           "rack": "r1", "role": "web"},
	    "a2": {"ansible_host": "10.42.0.12", "bramble_model": "5", "bramble_image": "k8s.base",
	           "bramble_version": 1, "bramble_mac": "dc:a6:32:0a:00:02", "rack": "r1",
	           "role": "db-primary"},
	    "a3": {"bramble_model": "4", "bramble_image": "os", "bramble_version": 1, "rack": "r3"},
	    "a4": {"bramble_model": "pxe"},
	}
	assert hv == want, hv
	groups = {g: sorted(v.get("hosts", [])) for g, v in inv.items() if g not in ("_meta", "all")}
	want_groups = {
	    "image_os": ["a1", "a3"], "image_k8s_base": ["a2"],
	    "model_4": ["a1", "a3"], "model_5": ["a2"], "model_pxe": ["a4"],
	    "rack_r1": ["a1", "a2"], "rack_r3": ["a3"], "role_web": ["a1"], "role_db_primary": ["a2"],
	}
	assert groups == want_groups, groups
	assert sorted(inv["all"]["children"]) == sorted(list(want_groups) + ["ungrouped"]), inv["all"]
	print("ok")
	PY
	assert_success
	assert_output ok
}

@test "ansible-inventory --graph and ansible's host patterns pick the groups" {
	run ansible_run ansible-inventory -i "$BATS_TEST_TMPDIR/inv.json" --graph
	assert_success
	assert_line '  |--@image_os:'
	assert_line '  |--@rack_r1:'
	refute_output --partial ansible_user
	refute_output --partial gpu_mem
	run ansible_run ansible-inventory -i "$BATS_TEST_TMPDIR/inv.json" --graph model_4
	assert_output "$(printf '%s\n' '@model_4:' '  |--a1' '  |--a3')"
	run ansible_run ansible -i "$BATS_TEST_TMPDIR/inv.json" 'rack_r1:&image_os' --list-hosts
	assert_success
	assert_output "$(printf '%s\n' '  hosts (1):' '    a1')"
}

@test "ansible-inventory: ansible_user is the node's login user; login.* make no group" {
	printf '[login]\nuser = alice\n' >"$BRAMBLE_CONFIG"
	imgtool node set a2 login.user=bob login.password_hash='$6$salt$hash'
	imgtool node list --format ansible >"$BATS_TEST_TMPDIR/inv.json"
	ansible_run ansible-inventory -i "$BATS_TEST_TMPDIR/inv.json" --list >"$BATS_TEST_TMPDIR/list.json"
	run python3 - "$BATS_TEST_TMPDIR/list.json" <<-'PY'
	import json, sys
	inv = json.load(open(sys.argv[1]))
	hv = inv["_meta"]["hostvars"]
	print(" ".join("%s=%s" % (h, hv[h].get("ansible_user")) for h in sorted(hv)))
	print(sorted(g for g in inv if g.startswith("login")), [k for h in hv for k in hv[h] if "login" in k])
	PY
	assert_success
	# a1's own ansible_user variable wins
	assert_line "a1=pi a2=bob a3=alice a4=alice"
	assert_line "[] []"
}

@test "list: --json is --format json; an unknown format is one line and exit 2" {
	run imgtool node list --format json
	assert_success
	json=$output
	run imgtool node list --json
	assert_equal "$output" "$json"
	assert_equal "$(jq -r '.[2].vars.rack' <<<"$json")" r3
	run imgtool node list --format yaml
	assert_failure 2
	assert_output "imgtool: node list: 'yaml' is not an output format: use --format table, json or ansible"
	run imgtool node list --format
	assert_failure 2
	# an empty inventory is an empty one for Ansible too
	BRAMBLE_STATE="$BATS_TEST_TMPDIR/empty" imgtool node list --format ansible \
		>"$BATS_TEST_TMPDIR/empty.json"
	run ansible_run ansible -i "$BATS_TEST_TMPDIR/empty.json" all --list-hosts
	assert_output --partial 'hosts (0):'
}
