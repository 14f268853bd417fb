#!/usr/bin/env bats
# make install / make uninstall: the documented tree in a DESTDIR, man pages
# that render without warnings, bash completion, the systemd unit, installed
# binaries that find the installed templates and config; and docs that
# cannot drift from the code (every config key, verb and option).

load helpers

# The installation directories are compiled in, so these tests build in a
# tree of their own (PREFIX=/usr), never in build/ or build-san/.
setup_file() {
	export OBJ="$BATS_FILE_TMPDIR/obj"
	make -s -C "$REPO" -j2 O="$OBJ" PREFIX=/usr "$OBJ/bin/imgtool" "$OBJ/bin/bootsrv" \
		>"$BATS_FILE_TMPDIR/build.log" 2>&1 || { cat "$BATS_FILE_TMPDIR/build.log" >&3; return 1; }
}

setup() {
	bramble_setup
	ROOT="$BATS_TEST_TMPDIR/root"
}

teardown() { run_deferred; }

# mk TARGET [VAR=VALUE...]: make in the repository with the tests' build tree
mk() {
	make -s -C "$REPO" O="$OBJ" "$@" >"$BATS_TEST_TMPDIR/make.log" 2>&1 ||
		{ cat "$BATS_TEST_TMPDIR/make.log" >&2; return 1; }
}

# A one-template overlay: nodes can be added whatever the templates are.
mini_overlay() {
	mkdir -p "$BATS_TEST_TMPDIR/ov/root/etc"
	echo '{{name}} of {{cluster}}' >"$BATS_TEST_TMPDIR/ov/root/etc/hostname.tmpl"
	export BRAMBLE_OVERLAYS="$BATS_TEST_TMPDIR/ov"
}

# Every file and link install puts in place with PREFIX=/usr (the README's
# "Install" section lists the same tree).
INSTALLED="
etc/bramble/bramble.conf
usr/lib/systemd/system/bramble.service
usr/sbin/bootsrv
usr/sbin/imgtool
usr/share/bash-completion/completions/bootsrv
usr/share/bash-completion/completions/imgtool
usr/share/bramble/bramble.conf.example
usr/share/man/man5/bramble.conf.5
usr/share/man/man8/bootsrv.8
usr/share/man/man8/imgtool.8
"

installed_files() {
	(cd "$1" && find . -path ./usr/share/bramble/overlays -prune -o ! -type d -printf '%P\n' |
		LC_ALL=C sort)
}

@test "make install DESTDIR PREFIX=/usr: binaries, templates, config, unit, completion, man pages" {
	mk install DESTDIR="$ROOT" PREFIX=/usr
	assert_equal "$(installed_files "$ROOT")" "$(echo "$INSTALLED" | sed '/^$/d')"
	for p in imgtool bootsrv; do
		assert_file_executable "$ROOT/usr/sbin/$p"
		run "$ROOT/usr/sbin/$p" --help
		assert_success
	done
	assert_file_not_exists "$ROOT/usr/sbin/pisim"
	# the templates as in the repository, modes and symlinks kept
	diff -r --no-dereference "$REPO/overlays" "$ROOT/usr/share/bramble/overlays"
	assert_equal "$(stat -c %a "$ROOT/usr/share/bramble/overlays/root/usr/lib/bramble/heartbeat")" \
		"$(stat -c %a "$REPO/overlays/root/usr/lib/bramble/heartbeat")"
	assert_dir_exists "$ROOT/etc/bramble/overlays"
	assert_equal "$(readlink "$ROOT/usr/share/bash-completion/completions/bootsrv")" imgtool
	cmp "$ROOT/etc/bramble/bramble.conf" "$ROOT/usr/share/bramble/bramble.conf.example"
	# the directories substituted, none left as a placeholder
	run grep -rl '@[A-Z]*DIR@' "$ROOT"
	assert_failure
	assert_file_contains "$ROOT/usr/lib/systemd/system/bramble.service" '^ExecStart=/usr/sbin/bootsrv run$'
	assert_file_contains "$ROOT/etc/bramble/bramble.conf" \
		'^#overlay_dirs = /usr/share/bramble/overlays:/etc/bramble/overlays$'
	# the binaries' compiled-in defaults are the installed paths
	grep -q /usr/share/bramble/overlays:/etc/bramble/overlays "$ROOT/usr/sbin/imgtool"
}

@test "reinstall keeps an edited bramble.conf; uninstall removes the rest and keeps it" {
	mk install DESTDIR="$ROOT" PREFIX=/usr
	printf '[cluster]\ninterface = br7\n' >"$ROOT/etc/bramble/bramble.conf"
	mkdir -p "$ROOT/etc/bramble/overlays/root/etc"
	echo site >"$ROOT/etc/bramble/overlays/root/etc/motd"
	mk install DESTDIR="$ROOT" PREFIX=/usr
	assert_equal "$(cat "$ROOT/etc/bramble/bramble.conf")" "$(printf '[cluster]\ninterface = br7')"
	mk uninstall DESTDIR="$ROOT" PREFIX=/usr
	assert_equal "$(installed_files "$ROOT")" "$(printf '%s\n' etc/bramble/bramble.conf \
		etc/bramble/overlays/root/etc/motd)"
}

@test "make uninstall removes everything install put there" {
	mk install DESTDIR="$ROOT" PREFIX=/usr
	mk uninstall DESTDIR="$ROOT" PREFIX=/usr
	assert_equal "$(installed_files "$ROOT")" ""
	assert_dir_not_exists "$ROOT/usr/share/bramble"
	assert_dir_not_exists "$ROOT/etc/bramble"
}

@test "man pages render without warnings, with every section, paths substituted" {
	need_cmd man
	mk install DESTDIR="$ROOT" PREFIX=/usr
	for page in man8/imgtool.8 man8/bootsrv.8 man5/bramble.conf.5; do
		f="$ROOT/usr/share/man/$page"
		MANWIDTH=80 man --warnings -l "$f" >"$BATS_TEST_TMPDIR/page" 2>"$BATS_TEST_TMPDIR/warn"
		assert_equal "$(cat "$BATS_TEST_TMPDIR/warn")" ""
		for s in NAME SYNOPSIS DESCRIPTION FILES ENVIRONMENT EXAMPLES "SEE ALSO"; do
			grep -q "^$s" "$BATS_TEST_TMPDIR/page" || fail "$page has no $s section"
		done
		grep -q /etc/bramble/bramble.conf "$BATS_TEST_TMPDIR/page"
	done
	for page in imgtool.8 bootsrv.8; do
		MANWIDTH=80 man -l "$ROOT/usr/share/man/man8/$page" | grep -q '^EXIT STATUS'
	done
}

# complete WORD...: the completions bash offers for the last word
complete_words() {
	PATH="$ROOT/usr/sbin:$PATH" bash -c '
		source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _bramble
		printf "%s\n" "${COMPREPLY[@]}"' _ "$ROOT/usr/share/bash-completion/completions/imgtool" "$@"
}

@test "bash completion: syntax, verbs, options and node names from the installed commands" {
	mk install DESTDIR="$ROOT" PREFIX=/usr
	bash -n "$ROOT/usr/share/bash-completion/completions/imgtool"
	run complete_words imgtool ""
	assert_output "$(printf '%s\n' image node share fsck eeprom)"
	run complete_words imgtool no
	assert_output node
	run complete_words imgtool fsck --r
	assert_output --repair
	run complete_words imgtool node re
	assert_output "$(printf '%s\n' replace)"
	run complete_words imgtool node add n1 --i
	assert_output "$(printf '%s\n' --image --ip)"
	run complete_words imgtool node list --format a
	assert_output ansible
	run complete_words imgtool node list --format ""
	assert_output "$(printf '%s\n' table json ansible)"
	run complete_words bootsrv st
	assert_output status
	run complete_words bootsrv status --j
	assert_output --json
	run complete_words bootsrv ""
	assert_line run
	assert_line check
	assert_line adopt
	# node names from the inventory of the state named on the line
	mini_overlay
	imgtool node add alpha
	imgtool node add beta
	run complete_words imgtool --state "$BRAMBLE_STATE" node set ""
	assert_output "$(printf '%s\n' alpha beta)"
	run complete_words bootsrv --state "$BRAMBLE_STATE" adopt a
	assert_output alpha
	imgtool share add data >/dev/null
	run complete_words imgtool --state "$BRAMBLE_STATE" share rm ""
	assert_output data
}

@test "bramble.service: systemd-analyze verify, notify, reload, no private mount namespace" {
	need_cmd systemd-analyze
	# PREFIX itself in the test dir, so ExecStart names a real file
	local p="$BATS_TEST_TMPDIR/p"
	cp -a "$OBJ" "$BATS_TEST_TMPDIR/obj"
	OBJ="$BATS_TEST_TMPDIR/obj" mk install PREFIX="$p/usr" SYSCONFDIR="$p/etc"
	unit="$p/usr/lib/systemd/system/bramble.service"
	# --man=no: the pages are installed under $p, where man does not look
	run systemd-analyze verify --man=no "$unit"
	assert_success
	assert_output ""
	settings=$(grep -v '^#' "$unit")
	for want in "Type=notify" "ExecStart=$p/usr/sbin/bootsrv run" \
		'ExecReload=/bin/kill -HUP $MAINPID' "Restart=on-failure" "KillMode=mixed" \
		"NoNewPrivileges=yes" "RestrictNamespaces=mnt" "LockPersonality=yes" \
		"RestrictRealtime=yes" "SystemCallArchitectures=native" \
		"RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK AF_PACKET"; do
		grep -qxF "$want" <<<"$settings" || fail "bramble.service lacks $want"
	done
	grep -q '^LimitNOFILE=[0-9]' <<<"$settings"
	for cap in CAP_SYS_ADMIN CAP_DAC_READ_SEARCH CAP_MKNOD CAP_NET_BIND_SERVICE CAP_NET_RAW \
		CAP_NET_ADMIN CAP_SETUID CAP_SETGID; do
		grep -q "^CapabilityBoundingSet=.*\b$cap\b" <<<"$settings" || fail "no $cap"
	done
	# options that give the service its own mount namespace hide the node
	# roots from a kernel nfsd; RestrictSUIDSGID breaks NFS clients
	run grep -E '^(PrivateTmp|PrivateDevices|PrivateMounts|ProtectSystem|ProtectHome|ProtectKernel[A-Za-z]*|ProtectControlGroups|ProtectHostname|ProtectProc|ReadWritePaths|ReadOnlyPaths|InaccessiblePaths|TemporaryFileSystem|BindPaths|BindReadOnlyPaths|PrivateNetwork|RestrictSUIDSGID)=' <<<"$settings"
	assert_failure
}

@test "installed binaries run on a test state with the installed config and templates" {
	# installed with PREFIX in the test dir: the compiled-in defaults are
	# the installed config and template dirs, no environment needed
	local p="$BATS_TEST_TMPDIR/p"
	cp -a "$OBJ" "$BATS_TEST_TMPDIR/obj"
	OBJ="$BATS_TEST_TMPDIR/obj" mk install PREFIX="$p/usr" SYSCONFDIR="$p/etc"
	unset BRAMBLE_CONFIG BRAMBLE_OVERLAYS
	# a site template overrides a default one by path
	mkdir -p "$p/etc/bramble/overlays/root/etc"
	echo 'site motd of {{name}} in {{cluster}}' >"$p/etc/bramble/overlays/root/etc/motd.tmpl"
	sed -i 's/^#name = bramble$/name = rack7/' "$p/etc/bramble/bramble.conf"
	run "$p/usr/sbin/imgtool" --state "$BRAMBLE_STATE" image list
	assert_success
	assert_output --partial "no images yet"
	run "$p/usr/sbin/imgtool" --state "$BRAMBLE_STATE" node add n1 --mac dc:a6:32:00:00:01
	assert_success
	ident="$BRAMBLE_STATE/nodes/n1/ident"
	assert_equal "$(cat "$ident/etc/hostname")" n1
	assert_equal "$(cat "$ident/etc/motd")" "site motd of n1 in rack7"
	assert_file_executable "$ident/usr/lib/bramble/heartbeat"
	run "$p/usr/sbin/bootsrv" --state "$BRAMBLE_STATE" status
	assert_success
	assert_line --regexp '^n1 +dc:a6:32:00:00:01 '
}

@test "a binary run from the build tree takes the repository's templates; a copy elsewhere does not" {
	unset BRAMBLE_OVERLAYS
	run imgtool node add n1 --mac dc:a6:32:00:00:01
	assert_success
	assert_equal "$(cat "$BRAMBLE_STATE/nodes/n1/ident/etc/hostname")" n1
	assert_file_executable "$BRAMBLE_STATE/nodes/n1/ident/usr/lib/bramble/heartbeat"
	# the same binary outside its build tree looks in the installed dirs
	[ ! -e /usr/local/share/bramble/overlays ] && [ ! -e /etc/bramble/overlays ] ||
		skip "templates are installed on this machine"
	cp "$BRAMBLE_BIN/imgtool" "$BATS_TEST_TMPDIR/imgtool"
	run "$BATS_TEST_TMPDIR/imgtool" node add n2 --mac dc:a6:32:00:00:02
	assert_failure
	assert_output "imgtool: error: no overlay templates in '/usr/local/share/bramble/overlays:/etc/bramble/overlays': set paths.overlay_dirs in bramble.conf or BRAMBLE_OVERLAYS to directories holding root/, boot/ or pxe/"
	[ ! -e "$BRAMBLE_STATE/nodes/n2" ]
}

@test "a machine without the build libraries: make names them and the fix in one line" {
	# a fresh machine: pkg-config finds none of the libraries
	PKG_CONFIG_LIBDIR=/nonexistent run make -C "$REPO" --no-print-directory -n all
	assert_failure
	assert_output --regexp '^Makefile:[0-9]+: \*\*\* missing build packages \(pkg-config names\): inih sqlite3 .* libmicrohttpd zlib; run scripts/setup as root, or make test / make demo, which run it\.  Stop\.$'
	# the goals that install the packages first parse without a complaint
	PKG_CONFIG_LIBDIR=/nonexistent run make -C "$REPO" --no-print-directory -n clean
	assert_success
	assert_output "rm -rf build build-san build-fuzz"
}

# --- docs that cannot drift --------------------------------------------------

# section.key default, one per line, from the table in lib/config.c
config_keys() {
	python3 - "$REPO/lib/config.c" <<-'PY'
	import re, sys
	src = open(sys.argv[1]).read()
	table = src[src.index("keys[] = {"):src.index("};", src.index("keys[] = {"))]
	for m in re.finditer(r'\{\s*"(\w+)",\s*"(\w+)",\s*\w+,\s*F\(\w+\),\s*((?:"[^"]*"|\w+|\s)+)\}', table):
	    default = re.sub(r'"\s*"', '', re.sub(r'BRAMBLE_(DATA|SYSCONF)DIR', lambda d: '"@%sDIR@/bramble"' % d.group(1), m.group(3))).strip().strip('"')
	    print(m.group(1), m.group(2), default)
	PY
}

@test "every bramble.conf key is in bramble.conf(5), the example config and the README" {
	run config_keys
	assert_success
	[ "${#lines[@]}" -ge 16 ]
	readme=$(cat "$REPO/README.md")
	while read -r section key default; do
		grep -q "^\.SH SECTION \[$section\]" "$REPO/lib/bramble.conf.5.in"
		sed -n "/^\.SH SECTION \[$section\]/,/^\.SH [^S]/p" "$REPO/lib/bramble.conf.5.in" |
			grep -q "^\.BR $key \" (default" || fail "bramble.conf(5) lacks $section.$key"
		line="#$key = $default"
		sed -n "/^\[$section\]/,/^\[/p" "$REPO/lib/bramble.conf.in" | grep -qxF "${line% }" ||
			fail "the example config lacks '${line% }' in [$section]"
		grep -qF "| \`$key\` |" <<<"$readme" || fail "README's configuration table lacks $key"
	done <<<"$output"
	# and the example parses, every key set to its default
	sed 's/^#\([a-z_]* = \)/\1/' "$REPO/lib/bramble.conf.in" >"$BATS_TEST_TMPDIR/all.conf"
	mini_overlay
	run imgtool --config "$BATS_TEST_TMPDIR/all.conf" node add n1
	assert_success
	assert_equal "$(cat "$BRAMBLE_STATE/nodes/n1/ident/etc/hostname")" "n1 of bramble"
}

# verbs CMD...: the commands a group's --help lists
verbs() {
	"$@" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z0-9-]*\) .*/\1/p'
}

# Every verb and every option of a verb's --help must be in its man page.
check_page() {
	local page=$1; shift
	local opt
	for opt in $("$@" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
		grep -qF -- "${opt//-/\\-}" "$page" || fail "${page##*/} lacks $opt of '$*'"
	done
}

@test "every verb and option of imgtool and bootsrv is in their man pages" {
	local im="$REPO/imgtool/imgtool.8.in" bs="$REPO/bootsrv/bootsrv.8.in"
	for g in $(verbs imgtool); do
		grep -q "^\.[A-Z]* *\"*$g\b" "$im" || grep -q "^\.BR* $g\b" "$im" || fail "imgtool.8 lacks $g"
		if verbs imgtool "$g" >/dev/null 2>&1 && [ -n "$(verbs imgtool "$g")" ]; then
			for v in $(verbs imgtool "$g"); do
				grep -q "^\.[A-Z]* *\"*$g $v\b" "$im" || fail "imgtool.8 lacks '$g $v'"
				check_page "$im" imgtool "$g" "$v"
			done
		else
			check_page "$im" imgtool "$g"
		fi
	done
	for v in $(verbs bootsrv); do
		grep -q "^\.[A-Z]* *\"*$v\b" "$bs" || fail "bootsrv.8 lacks $v"
		check_page "$bs" bootsrv "$v"
	done
}
