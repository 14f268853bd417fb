#!/usr/bin/env bats
# bootsrv's status page, /status.json and /metrics (bootsrv.http_listen),
# checked by clients no one here wrote: Python's prometheus_client parser
# for the metrics, headless Chromium for the page. The server listens on
# the head namespace's address only.

load helpers
load bootsrv_lib

URL=http://10.42.0.1:8042

setup() {
	bootsrv_setup full
	printf '[bootsrv]\nhttp_listen = 10.42.0.1:8042\n' >>"$BRAMBLE_CONFIG"
	imgtool image import -q "$(synth_image base)" --name os
}

teardown() { run_deferred; }

get() {	# get PATH: the body, from inside the head namespace
	ip netns exec "$HEAD" curl -sf "$URL$1"
}

# boot_all NAME...: boot nodes nN (MAC dc:a6:32:70:00:0N) in parallel, to up
boot_all() {
	local pids=() fails=0 p
	for n in "$@"; do
		pisim_boot "$n" "dc:a6:32:70:00:0${n#n}" --model 4 & pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
	[ "$fails" -eq 0 ]
	for n in "$@"; do
		wait_for 10 sh -c "bootsrv status | grep -q '^$n .* up '"
	done
}

@test "/metrics after three emulated boots: parsed by prometheus_client, values right" {
	# Debian's python3 (python3-prometheus-client), not another one on PATH
	/usr/bin/python3 -c 'import prometheus_client' 2>/dev/null ||
		skip "needs python3-prometheus-client"
	for i in 1 2 3 4; do imgtool node add "n$i" --mac "dc:a6:32:70:00:0$i" --image os; done
	bootsrv_start
	boot_all n1 n2 n3
	get /metrics >"$BATS_TEST_TMPDIR/metrics"
	start4=$(stat -c %s "$BRAMBLE_STATE/images/os/1/boot/start4.elf")
	run /usr/bin/python3 - "$BATS_TEST_TMPDIR/metrics" "$start4" <<-'PY'
	import sys
	from prometheus_client.parser import text_string_to_metric_families
	text = open(sys.argv[1]).read()
	start4 = int(sys.argv[2])
	s, types = {}, {}
	for fam in text_string_to_metric_families(text):
	    types[fam.name] = fam.type
	    for smp in fam.samples:
	        key = smp.name + "".join('{%s="%s"}' % kv for kv in sorted(smp.labels.items()))
	        s[key] = smp.value
	def check(cond, what):
	    if not cond:
	        sys.exit("wrong: %s\n%s" % (what, text))
	check(types.get("bramble_boot_duration_seconds") == "histogram", "histogram type")
	check(s['bramble_nodes{state="up"}'] == 3, "3 nodes up")
	check(s['bramble_nodes{state="offline"}'] == 1, "1 node offline")
	check(sum(v for k, v in s.items() if k.startswith("bramble_nodes{")) == 4, "4 nodes")
	check(s["bramble_boots_total"] >= 3, "boots_total >= 3")
	check(s["bramble_boots_failed_total"] == 0, "no failed boot")
	check(s["bramble_boot_duration_seconds_count"] == 3, "3 boot durations")
	check(s['bramble_boot_duration_seconds_bucket{le="+Inf"}'] == 3, "+Inf bucket")
	check(0 < s["bramble_boot_duration_seconds_sum"] < 3 * 300, "duration sum")
	buckets = sorted((float(k.split('"')[1]), v) for k, v in s.items()
	                 if k.startswith("bramble_boot_duration_seconds_bucket") and "+Inf" not in k)
	check(all(a[1] <= b[1] for a, b in zip(buckets, buckets[1:])), "cumulative buckets")
	check(s["bramble_tftp_bytes_total"] >= 3 * start4, "TFTP bytes >= 3 x start4.elf")
	check(s["bramble_dhcp_requests_total"] >= 3, "DHCP requests")
	for child in ("dnsmasq", "ganesha", "rpcbind"):
	    check(s['bramble_child_restarts_total{child="%s"}' % child] == 0, child + " restarts")
	check(s["bramble_discovered_pis"] == 0, "nothing discovered")
	print("ok")
	PY
	assert_success
	assert_output ok
}

@test "/status.json is bootsrv status --json, with each node's boot timeline" {
	imgtool node add n1 --mac dc:a6:32:70:00:01 --image os
	imgtool node add n2 --mac dc:a6:32:70:00:02 --image os
	bootsrv_start
	boot_all n1
	get /status.json >"$BATS_TEST_TMPDIR/http.json"
	bootsrv status --json >"$BATS_TEST_TMPDIR/cli.json"
	run python3 - "$BATS_TEST_TMPDIR/http.json" "$BATS_TEST_TMPDIR/cli.json" <<-'PY'
	import json, sys
	h, c = (json.load(open(f)) for f in sys.argv[1:3])
	assert sorted(h) == sorted(c), (sorted(h), sorted(c))
	assert [(n["name"], n["state"]) for n in h["nodes"]] == [("n1", "up"), ("n2", "offline")]
	assert [(n["name"], n["state"]) for n in c["nodes"]] == [("n1", "up"), ("n2", "offline")]
	t = h["nodes"][0]["timeline"]
	assert sorted(t) == ["dhcp", "nfs", "tftp", "up"], t
	assert t["dhcp"] <= t["tftp"] <= t["nfs"] <= t["up"], t
	assert h["nodes"][1]["timeline"] == {}
	print("ok")
	PY
	assert_success
	assert_output ok
	# other paths and methods
	run ip netns exec "$HEAD" curl -s -o /dev/null -w '%{http_code}' "$URL/nope"
	assert_output 404
	run ip netns exec "$HEAD" curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/metrics"
	assert_output 405
}

@test "http_listen = off serves nothing; a bad address is refused at start" {
	sed -i 's/^http_listen = .*/http_listen = off/' "$BRAMBLE_CONFIG"
	bootsrv_start
	run get /metrics
	assert_failure
	bootsrv_stop
	sed -i 's/^http_listen = .*/http_listen = 10.42.0.1:99999/' "$BRAMBLE_CONFIG"
	run ip netns exec "$HEAD" bootsrv run
	assert_failure 1
	assert_output --partial "bootsrv.http_listen: '10.42.0.1:99999': the port must be a number from 1 to 65535"
}

# sd_check FILE WANT: FILE is Prometheus http_sd JSON (checked strictly against
# the format) whose target groups, keyed by their node label, are WANT (JSON)
sd_check() {
	python3 - "$1" "$2" <<-'PY'
	import json, re, sys
	doc, want = json.load(open(sys.argv[1])), json.loads(sys.argv[2])
	assert isinstance(doc, list), doc
	got = {}
	for g in doc:
	    assert isinstance(g, dict) and sorted(g) == ["labels", "targets"], g
	    targets, labels = g["targets"], g["labels"]
	    assert isinstance(targets, list) and targets, g
	    for t in targets:
	        m = re.fullmatch(r"([^\s:/]+):(\d{1,5})", t) if isinstance(t, str) else None
	        assert m and 1 <= int(m.group(2)) <= 65535, t
	    assert isinstance(labels, dict), g
	    for k, v in labels.items():
	        assert re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", k) and not k.startswith("__"), k
	        assert isinstance(v, str) and v, (k, v)
	    got[labels["node"]] = g
	assert got == want, (got, want)
	print("ok")
	PY
}

@test "/sd/node_exporter: Prometheus http_sd targets of the nodes with an address" {
	bootsrv_start
	run ip netns exec "$HEAD" curl -sf -D "$BATS_TEST_TMPDIR/headers" "$URL/sd/node_exporter"
	assert_success
	assert_output '[]'
	grep -qi '^content-type: application/json' "$BATS_TEST_TMPDIR/headers"
	# inventory changes show at once; n3 gets a pool address when it boots, n4 none
	imgtool node add n1 --mac dc:a6:32:70:00:01 --model 4 --image os --ip 10.42.0.11
	imgtool node add n2 --model 5 --ip 10.42.0.12
	imgtool node add n3 --mac dc:a6:32:70:00:03 --image os
	imgtool node add n4 --mac dc:a6:32:70:00:04 --image os
	get /sd/node_exporter >"$BATS_TEST_TMPDIR/sd.json"
	n1='"n1": {"targets": ["10.42.0.11:9100"], "labels": {"node": "n1", "model": "4",
		"mac": "dc:a6:32:70:00:01", "image": "os", "version": "1"}}'
	n2='"n2": {"targets": ["10.42.0.12:9100"], "labels": {"node": "n2", "model": "5"}}'
	run sd_check "$BATS_TEST_TMPDIR/sd.json" "{$n1, $n2}"
	assert_success
	assert_output ok
	boot_all n3
	n3ip=$(bootsrv status --json | jq -r '.nodes[] | select(.name == "n3") | .ip')
	[[ $n3ip == 10.42.0.1[0-9][0-9] ]]
	get /sd/node_exporter >"$BATS_TEST_TMPDIR/sd.json"
	n3='"n3": {"targets": ["'$n3ip':9100"], "labels": {"node": "n3", "model": "4",
		"mac": "dc:a6:32:70:00:03", "image": "os", "version": "1"}}'
	run sd_check "$BATS_TEST_TMPDIR/sd.json" "{$n1, $n2, $n3}"
	assert_success
	# the port is bootsrv.node_exporter_port
	bootsrv_stop
	echo 'node_exporter_port = 9909' >>"$BRAMBLE_CONFIG"
	bootsrv_start
	get /sd/node_exporter >"$BATS_TEST_TMPDIR/sd.json"
	want="{$n1, $n2, $n3}"
	run sd_check "$BATS_TEST_TMPDIR/sd.json" "${want//:9100/:9909}"
	assert_success
	# a port out of range is refused at start, naming the key
	bootsrv_stop
	sed -i 's/^node_exporter_port = .*/node_exporter_port = 70000/' "$BRAMBLE_CONFIG"
	run ip netns exec "$HEAD" bootsrv run
	assert_failure 1
	assert_output --partial "bootsrv.node_exporter_port: '70000' is not a TCP port: give a number from 1 to 65535"
}

# chromium ARGS... URL: headless, in the head namespace, no network of its own
chromium_run() {
	local home="$BATS_TEST_TMPDIR/chromium"
	mkdir -p "$home"
	HOME="$home" timeout 60 ip netns exec "$HEAD" chromium --headless --no-sandbox --disable-gpu \
		--disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync --user-data-dir="$(mktemp -d -p "$home")" \
		"$@" 2>"$BATS_TEST_TMPDIR/chromium.log"
}

@test "the status page in headless Chromium during an emulated boot; screenshot kept" {
	need_cmd chromium
	for i in 1 2 3 4 5; do imgtool node add "n$i" --mac "dc:a6:32:70:00:0$i" --image os; done
	imgtool node add n6 --image os		# no board yet
	bootsrv_start
	boot_all n1 n2 n3
	# n4 is mid-boot: its kernel went out, its root is never mounted
	net_client "$HEAD" "$(net_name n4)" dc:a6:32:70:00:04
	ip netns exec "$(net_name n4)" pisim --iface eth0 --mac dc:a6:32:70:00:04 --no-nfs -q
	wait_for 10 sh -c "bootsrv status | grep -q '^n4 .* nfs '"
	# an unknown Pi asks to boot and gives up
	run pisim_boot stray dc:a6:32:7f:00:01 --dhcp-timeout 5s --model 4 --serial 5e7a1001
	wait_for 10 sh -c "bootsrv discover | grep -q dc:a6:32:7f:00:01"
	chromium_run --dump-dom "$URL/" >"$BATS_TEST_TMPDIR/dom.html"
	dom=$(cat "$BATS_TEST_TMPDIR/dom.html")
	for n in n1 n2 n3; do
		grep -q "<tr id=\"node-$n\" data-state=\"up\">" <<<"$dom" || fail "$n is not up on the page"
	done
	grep -q '<tr id="node-n4" data-state="nfs">' <<<"$dom" || fail "n4 is not in nfs"
	grep -q '<tr id="node-n5" data-state="offline">' <<<"$dom" || fail "n5 is not offline"
	grep -q '<tr id="node-n6" data-state="offline">' <<<"$dom" || fail "n6 is not offline"
	grep -q 'bootsrv adopt NAME --mac dc:a6:32:7f:00:01' <<<"$dom" || fail "no adopt hint"
	grep -q '<span class="step done">up<i>+' <<<"$dom" || fail "no boot timeline"
	grep -q 'id="svc-dnsmasq"><h3>dnsmasq <span class="badge running">' <<<"$dom" ||
		fail "dnsmasq not shown running"
	grep -q '<meta http-equiv="refresh" content="2">' <<<"$dom"
	# the screenshot: a test artifact at a stable path (README, "Status page")
	art="$(dirname "$BRAMBLE_BIN")/artifacts"
	mkdir -p "$art"
	chromium_run --screenshot="$BATS_TEST_TMPDIR/page.png" --window-size=1280,800 "$URL/" >/dev/null
	python3 -c 'import sys; d = open(sys.argv[1], "rb").read(24)
assert d[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(d[16:20], "big") == 1280, d' \
		"$BATS_TEST_TMPDIR/page.png"
	cp "$BATS_TEST_TMPDIR/page.png" "$art/status-page.png"
}

@test "bootsrv status and the status page answer while an image import holds the state lock" {
	imgtool node add n1 --mac dc:a6:32:70:00:01 --image os >/dev/null
	bootsrv_start
	paused_import os2
	run flock -n "$BRAMBLE_STATE/lock" true
	assert_failure	# the import holds the state lock from here on
	took_ms ctl bootsrv status
	assert_line --regexp '^n1 +dc:a6:32:70:00:01 '
	took_ms page ip netns exec "$HEAD" curl -sf --max-time 10 "$URL/"
	assert_output --partial n1
	took_ms json ip netns exec "$HEAD" curl -sf --max-time 10 "$URL/status.json"
	echo "# during the import: bootsrv status ${ctl} ms, / ${page} ms, /status.json ${json} ms" >&3
	# the goal is 100 ms; only a real stall (a wait on the lock) breaks 2 s
	[ "$ctl" -lt 2000 ] && [ "$page" -lt 2000 ] && [ "$json" -lt 2000 ]
	# a verb that needs the lock is refused at once, not queued in the loop
	run bootsrv adopt n1 --mac dc:a6:32:70:00:09
	assert_failure
	assert_output --partial "holds $BRAMBLE_STATE/lock: try again when it is done"
	took_ms ctl2 bootsrv status
	echo "# adopt refused; bootsrv status after it ${ctl2} ms" >&3
	[ "$ctl2" -lt 2000 ]
	run flock -n "$BRAMBLE_STATE/lock" true
	assert_failure	# still held: the answers did not wait for it
	rm "$pause"
	wait "$imp"
	run imgtool image list
	assert_line --partial os2
	run bootsrv adopt n1 --mac dc:a6:32:70:00:09
	assert_success
}
