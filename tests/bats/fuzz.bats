#!/usr/bin/env bats
# The parsers under libFuzzer: a short run of every target (scripts/fuzz)
# in make test. Long campaigns are scripts/fuzz SECONDS, by hand.

load helpers

@test "fuzz: every target runs 5 s, executes over 1000 inputs, and nothing crashes" {
	local f t execs
	run "$REPO/scripts/fuzz" 5
	[ "$status" -ne 77 ] || skip "${lines[0]}"
	assert_success
	assert_line --regexp '^total .* 0 crashes$'
	for f in "$REPO"/tests/fuzz/fuzz_*.c; do
		t=${f##*/fuzz_}
		t=${t%.c}
		execs=$(awk -v t="$t" '$1 == t { print $2 }' <<<"$output")
		[ -n "$execs" ] || fail "no line for target $t"
		[ "$execs" -gt 1000 ] || fail "target $t executed only $execs inputs in 5 s"
	done
}
