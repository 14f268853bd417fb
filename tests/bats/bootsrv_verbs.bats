#!/usr/bin/env bats
# bootsrv's client verbs without a daemon: read from the database, adopt
# done by the client itself, bad input refused with one line and no change.

load helpers

setup() {
	bramble_setup
	need_root
	imgtool node add n1 >/dev/null
}

@test "status without a daemon: nodes from the database, services stopped" {
	run bootsrv status
	assert_success
	assert_line --regexp '^n1 +- +- +4 +- +offline +- +-$'
	assert_line 'dnsmasq: stopped'
	assert_line 'nfs: stopped'
	run bootsrv status --json
	assert_output --partial '"daemon": false'
}

@test "adopt without a daemon binds the node to the given MAC" {
	run bootsrv adopt n1 --mac DC-A6-32-70-00-01
	assert_success
	assert_output "n1 adopted dc:a6:32:70:00:01"
	run imgtool node show n1
	assert_output --partial dc:a6:32:70:00:01
	run bootsrv status
	assert_line --regexp '^n1 +dc:a6:32:70:00:01 '
}

@test "adopt: bad input is refused with one line and changes nothing" {
	before=$(state_digest)
	run bootsrv adopt nosuch --mac dc:a6:32:70:00:02
	assert_failure
	assert_output "bootsrv: error: no node 'nosuch': add it first with 'imgtool node add nosuch --image NAME'"
	run bootsrv adopt n1
	assert_failure
	assert_output --partial "no unknown Pi has asked to boot: power the new board on"
	run bootsrv adopt n1 --mac zz:zz
	assert_failure
	assert_output "bootsrv: error: 'zz:zz' is not a MAC address (expected e.g. dc:a6:32:01:02:03)"
	run bootsrv adopt
	assert_failure 2
	run bootsrv status --bogus
	assert_failure 2
	run bootsrv discover extra
	assert_failure 2
	assert_equal "$(state_digest)" "$before"
}

@test "discover without a daemon: nothing seen yet" {
	run bootsrv discover
	assert_success
	assert_output "no unknown Pi has asked to boot"
	run bootsrv discover --json
	assert_output --partial '"discovered": []'
}

@test "every verb has --help" {
	for v in run status discover adopt; do
		run bootsrv "$v" --help
		assert_success
		assert_line --index 0 --partial "usage: bootsrv $v"
	done
}
