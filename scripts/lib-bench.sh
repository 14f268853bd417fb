# Sourced by scripts/bench-*: one machine-readable line per figure, which
# scripts/bench gathers into the summary table at the end of make bench.
#
#   bench_line MEASURE OURS BASELINE GOAL
#
# OURS and BASELINE are numbers in the unit MEASURE names (BASELINE "-" when
# there is none); GOAL is "<=X" or ">=X" on OURS, "ratio<=X" or "ratio>=X"
# on OURS / BASELINE, or "-" for a figure reported without a goal.
bench_line() {
	printf 'BENCH\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4"
}
