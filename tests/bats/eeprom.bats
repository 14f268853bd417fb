#!/usr/bin/env bats
# imgtool eeprom: the printed settings are what the Pi bootloader reads.

load helpers

@test "eeprom prints a network boot order and the version floor per model" {
	run imgtool eeprom --model 4
	assert_success
	assert_line "BOOT_ORDER=0xf21"
	assert_line "NET_INSTALL_ENABLED=0"
	assert_output --partial "at least 2022-10-03"
	run imgtool eeprom --model 5 --network-first
	assert_success
	assert_line "BOOT_ORDER=0xf12"
	assert_output --partial "at least 2023-10-30"
}

@test "eeprom settings block parses as rpi-eeprom-config lines" {
	run imgtool eeprom
	assert_success
	# Every non-comment line of the block is KEY=VALUE or a [section] filter.
	block=$(printf '%s\n' "$output" | sed -n '/^\[all\]$/,/^$/p' | sed '/^$/d')
	while IFS= read -r line; do
		[[ $line =~ ^\[[a-z0-9]+\]$ || $line =~ ^[A-Z_]+=[0-9a-fx]+$ ]] || fail "bad line: $line"
	done <<<"$block"
}

@test "eeprom for a 3B+ says no EEPROM change is needed" {
	run imgtool eeprom --model 3
	assert_success
	assert_output --partial "out of the box"
	refute_output --partial "BOOT_ORDER"
}

@test "eeprom rejects an unknown model with one line" {
	run imgtool eeprom --model 7
	assert_failure 2
	assert_output "imgtool: eeprom: '7' is not a Pi model (expected 3, 4 or 5)"
}
