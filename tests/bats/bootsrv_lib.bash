# Helpers for the bootsrv tests: a head namespace with bramble.conf for
# it, bootsrv run inside it (stopped at teardown), clients on the bridge.
#
#   bootsrv_setup [MODE]      a test's setup: root, dnsmasq and Ganesha needed,
#                             then bootsrv_net MODE
#   bootsrv_net [MODE]        head netns $HEAD (br0 10.42.0.1/24), config for MODE
#                             (proxy|full, default full) with dhcp_range .100-.200
#   bootsrv_start             bootsrv run in $HEAD; waits until it serves
#   bootsrv_stop              SIGTERM and wait for it
#   bootsrv_log               its stderr so far
#   pi_opt97 FOURCC REV SERIAL  option 97 as udhcpc -x wants it (hex)
#   wait_for SECONDS CMD...   retry CMD until it succeeds
#   pisim_boot NAME MAC [OPTS]  boot an emulated Pi in its own namespace on the
#                             bridge; its JSON summary in $BATS_TEST_TMPDIR/NAME.json
#   took_ms VAR CMD...        run CMD, assert it succeeded, its duration in ms in VAR
#   paused_import NAME        an import of the synthetic image as NAME, paused
#                             while it holds the state lock: rm "$pause" lets it
#                             go on, $imp is its pid (killed at teardown)
#   json_get FILE EXPR        a Python expression over a JSON file (d is the object)
#   site_dhcp_start           the site's DHCP server (busybox udhcpd, 10.42.0.254)

load net

bootsrv_setup() {
	bramble_setup
	need_root
	need_cmd dnsmasq
	need_cmd ganesha.nfsd
	bootsrv_net "$@"
}

bootsrv_net() {
	local mode=${1:-full}
	HEAD=$(net_name h)
	net_head "$HEAD" 10.42.0.1/24
	cat >"$BRAMBLE_CONFIG" <<-EOF
	[cluster]
	interface = br0
	server_ip = 10.42.0.1
	prefix_len = 24
	dhcp_mode = $mode
	dhcp_range = 10.42.0.100,10.42.0.200
	nfs_backend = ganesha
	EOF
	BOOTSRV_LOG="$BATS_TEST_TMPDIR/bootsrv.log"
	# dnsmasq serves TFTP as an unprivileged user: it must reach the state dir
	local d=$BATS_TEST_TMPDIR
	while [ "$d" != / ] && [ "$d" != /tmp ]; do chmod o+x "$d"; d=$(dirname "$d"); done
}

bootsrv_start() {
	ip netns exec "$HEAD" bootsrv run -v >"$BOOTSRV_LOG" 2>&1 &
	BOOTSRV_PID=$!
	defer bootsrv_stop
	# the log line, not the socket: a SIGKILLed bootsrv leaves its socket file
	for _ in $(seq 100); do
		grep -q '^bootsrv: info: serving [0-9]* node' "$BOOTSRV_LOG" && return 0
		kill -0 "$BOOTSRV_PID" 2>/dev/null || break
		sleep 0.2
	done
	cat "$BOOTSRV_LOG" >&2
	return 1
}

bootsrv_stop() {
	[ -n "${BOOTSRV_PID:-}" ] || return 0
	kill -TERM "$BOOTSRV_PID" 2>/dev/null || true
	for _ in $(seq 150); do
		kill -0 "$BOOTSRV_PID" 2>/dev/null || break
		sleep 0.1
	done
	wait "$BOOTSRV_PID" 2>/dev/null || true
	BOOTSRV_PID=
}

bootsrv_log() {
	cat "$BOOTSRV_LOG"
}

pi_opt97() {
	local fourcc=$1 rev=$2 serial=$3 le
	le() { printf '%s' "$1" | sed 's/\(..\)\(..\)\(..\)\(..\)/\4\3\2\1/'; }
	printf '00%s%s00000000%s' "$(printf '%s' "$fourcc" | xxd -p)" "$(le "$rev")" "$(le "$serial")"
}

wait_for() {
	local secs=$1; shift
	for _ in $(seq $((secs * 5))); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	"$@"
}

# A node row without an image (no root to publish): enough for DHCP tests.
db_add_bare_node() {
	python3 - "$BRAMBLE_STATE/bramble.db" "$@" <<-'PY'
	import sqlite3, sys, time
	db, name, mac = sys.argv[1:4]
	ip = sys.argv[4] if len(sys.argv) > 4 else None
	c = sqlite3.connect(db)
	c.execute("INSERT INTO nodes (name, mac, model, ip, created) VALUES (?, ?, '4', ?, ?)",
	          (name, mac, ip, int(time.time())))
	c.commit()
	PY
}

sqlite3_q() {
	python3 -c 'import sqlite3,sys
for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]): print("|".join(map(str, r)))' \
		"$BRAMBLE_STATE/bramble.db" "$1"
}

pisim_boot() {
	local name=$1 mac=$2 ns
	shift 2
	ns=$(net_name "$name")
	ip netns list | grep -qw "$ns" || net_client "$HEAD" "$ns" "$mac"
	ip netns exec "$ns" pisim --iface eth0 --mac "$mac" --heartbeat --json -q "$@" \
		>"$BATS_TEST_TMPDIR/$name.json"
}

took_ms() {
	local var=$1 t0 t1
	shift
	t0=$(date +%s%N)
	run "$@"
	t1=$(date +%s%N)
	assert_success
	printf -v "$var" %d $(((t1 - t0) / 1000000))
}

paused_import() {
	pause="$BATS_TEST_TMPDIR/import.paused"
	BRAMBLE_PAUSEPOINT=copied BRAMBLE_PAUSEFILE=$pause \
		imgtool image import -q "$(synth_image base)" --name "$1" 3>&- &
	imp=$!
	defer kill "$imp"
	defer rm -f "$pause"
	wait_for 60 test -e "$pause"
}

json_get() {
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}

# The site router of proxy mode: udhcpd handing out .100-.200 from 10.42.0.254.
site_dhcp_start() {
	local r
	r=$(net_name r)
	net_client "$HEAD" "$r" 02:00:00:00:00:fe 10.42.0.254/24
	cat >"$BATS_TEST_TMPDIR/udhcpd.conf" <<-EOF
	start 10.42.0.100
	end 10.42.0.200
	interface eth0
	lease_file $BATS_TEST_TMPDIR/udhcpd.leases
	option subnet 255.255.255.0
	EOF
	: >"$BATS_TEST_TMPDIR/udhcpd.leases"
	ip netns exec "$r" busybox udhcpd -f "$BATS_TEST_TMPDIR/udhcpd.conf" </dev/null 2>/dev/null 3>&- &
	defer kill $!
}
