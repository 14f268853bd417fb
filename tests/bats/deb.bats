#!/usr/bin/env bats
# The Debian package (debian/): dpkg-buildpackage builds it from a copy of
# the tree (it writes into the parent directory, never the repository's);
# its contents, control fields and conffiles; lintian; installed on this
# machine, run, and purged again without a trace.

load helpers

# The working tree's files (tracked and new, not ignored: no build trees)
# copied to DEST.
copy_tree() {
	mkdir -p "$1"
	git -C "$REPO" ls-files -z -co --exclude-standard |
		(cd "$REPO" && while IFS= read -r -d '' f; do
			[ -e "$f" ] || [ -L "$f" ] && printf '%s\0' "$f"
		done) |
		tar -C "$REPO" --null -T - -cf - | tar -C "$1" -xf -
}

# build DIR [dpkg-buildpackage options]: build from a fresh copy in DIR/src;
# the results land in DIR.
build() {
	local dir=$1; shift
	copy_tree "$dir/src"
	(cd "$dir/src" && DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage -us -uc "$@") \
		>"$dir/build.log" 2>&1 || { tail -40 "$dir/build.log" >&2; return 1; }
}

setup_file() {
	command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null || return 0
	export ARCH VERSION DEB
	ARCH=$(dpkg --print-architecture)
	VERSION=$(dpkg-parsechangelog -l "$REPO/debian/changelog" -S Version)
	DEB="$BATS_FILE_TMPDIR/bramble_${VERSION}_$ARCH.deb"
	build "$BATS_FILE_TMPDIR" || { tail -40 "$BATS_FILE_TMPDIR/build.log" >&3; return 1; }
}

need_deb() {
	need_cmd dpkg-buildpackage
	need_cmd dh
	assert_file_exists "$DEB"
}

@test "dpkg-buildpackage -us -uc: source and binary package, named bramble_VERSION_ARCH" {
	need_deb
	for f in "bramble_$VERSION.dsc" "bramble_$VERSION.tar.xz" "bramble_${VERSION}_$ARCH.changes"; do
		assert_file_exists "$BATS_FILE_TMPDIR/$f"
	done
	# the package's objects in debian/build, nothing in the copy's build/
	assert_dir_not_exists "$BATS_FILE_TMPDIR/src/build"
	# the project's warnings are errors under Debian's hardening flags too
	grep -q -- '-D_FORTIFY_SOURCE=2 .*-Werror .*-fstack-protector-strong' "$BATS_FILE_TMPDIR/build.log"
}

@test "the package holds binaries, man pages, unit, completion, templates, conffile and state dir" {
	need_deb
	dpkg-deb -c "$DEB" | awk '{ print $6 }' | sed 's|^\./|/|; s|/$||' >"$BATS_TEST_TMPDIR/files"
	for f in /usr/sbin/imgtool /usr/sbin/bootsrv /usr/share/man/man8/imgtool.8.gz \
		/usr/share/man/man8/bootsrv.8.gz /usr/share/man/man5/bramble.conf.5.gz \
		/lib/systemd/system/bramble.service /usr/share/bash-completion/completions/imgtool \
		/usr/share/bash-completion/completions/bootsrv /usr/share/bramble/bramble.conf.example \
		/etc/bramble/bramble.conf /etc/bramble/overlays /var/lib/bramble \
		/usr/share/doc/bramble/copyright; do
		grep -qxF "$f" "$BATS_TEST_TMPDIR/files" || fail "the package lacks $f"
	done
	run grep -E 'pisim|/tests/|\.o$' "$BATS_TEST_TMPDIR/files"
	assert_failure
	# every template of the repository, the heartbeat still executable
	(cd "$REPO/overlays" && find . -mindepth 1 -printf '/usr/share/bramble/overlays/%P\n') |
		while read -r f; do
			grep -qxF "$f" "$BATS_TEST_TMPDIR/files" || fail "the package lacks $f"
		done
	dpkg-deb -c "$DEB" | grep -q '^-rwxr-xr-x .* \./usr/share/bramble/overlays/root/usr/lib/bramble/heartbeat$'
	# the installed paths compiled in and substituted
	dpkg-deb -x "$DEB" "$BATS_TEST_TMPDIR/x"
	grep -q /usr/share/bramble/overlays:/etc/bramble/overlays "$BATS_TEST_TMPDIR/x/usr/sbin/imgtool"
	assert_file_contains "$BATS_TEST_TMPDIR/x/lib/systemd/system/bramble.service" \
		'^ExecStart=/usr/sbin/bootsrv run$'
	# control: the one conffile, the runtime packages, the library dependencies
	assert_equal "$(dpkg-deb -f "$DEB" Package Version Architecture | tr '\n' ' ')" \
		"Package: bramble Version: $VERSION Architecture: $ARCH "
	assert_equal "$(dpkg-deb -I "$DEB" conffiles)" /etc/bramble/bramble.conf
	depends=$(dpkg-deb -f "$DEB" Depends)
	for p in dnsmasq-base nfs-ganesha nfs-ganesha-vfs rpcbind openssh-client libc6 libsqlite3-0; do
		grep -qE "(^|, )$p( |,|$)" <<<"$depends" || fail "Depends lacks $p: $depends"
	done
}

@test "lintian: no errors and no warnings" {
	need_deb
	need_cmd lintian
	run lintian "$BATS_FILE_TMPDIR/bramble_${VERSION}_$ARCH.changes"
	echo "$output" >&2
	run grep -E '^[EW]: ' <<<"$output"
	assert_failure
}

# Whether any trace of bramble is on this machine: files, systemd's or
# dpkg's record of it.
bramble_traces() {
	local p
	for p in /usr/sbin/imgtool /usr/sbin/bootsrv /etc/bramble /var/lib/bramble /usr/share/bramble \
		/lib/systemd/system/bramble.service /usr/share/doc/bramble \
		/usr/share/bash-completion/completions/imgtool /usr/share/man/man8/imgtool.8.gz; do
		[ ! -e "$p" ] && [ ! -L "$p" ] || echo "$p"
	done
	find /etc/systemd/system /var/lib/systemd/deb-systemd-helper-enabled \
		/var/lib/systemd/deb-systemd-helper-masked -name 'bramble*' 2>/dev/null
	dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' bramble 2>/dev/null | grep -v '^un '
	true
}

@test "installs with dpkg, runs on the installed templates and config, keeps an edited conffile, purges clean" {
	need_deb
	need_root
	[ -z "$(bramble_traces)" ] ||
		skip "bramble files are on this machine already, install and purge would not restore it: $(bramble_traces | tr '\n' ' ')"
	defer dpkg --purge bramble
	run dpkg -i "$DEB"
	assert_success
	[ "$(dpkg-query -W -f='${db:Status-Abbrev}' bramble)" = "ii " ]
	# a conffile; not enabled or started (it needs its config first)
	assert_equal "$(dpkg-query -W -f='${Conffiles}' bramble | awk 'NF { print $1 }')" \
		/etc/bramble/bramble.conf
	assert_file_not_exists /etc/systemd/system/multi-user.target.wants/bramble.service
	assert_dir_exists /var/lib/bramble
	run /usr/sbin/imgtool --help
	assert_success
	# the compiled-in defaults are the package's config and templates
	unset BRAMBLE_CONFIG BRAMBLE_OVERLAYS
	run /usr/sbin/imgtool --state "$BRAMBLE_STATE" node add n1 --mac dc:a6:32:00:00:01
	assert_success
	assert_equal "$(cat "$BRAMBLE_STATE/nodes/n1/ident/etc/hostname")" n1
	assert_file_executable "$BRAMBLE_STATE/nodes/n1/ident/usr/lib/bramble/heartbeat"
	# the name from the installed bramble.conf, once edited
	sed -i 's/^#name = bramble$/name = rack7/' /etc/bramble/bramble.conf
	run /usr/sbin/imgtool --state "$BRAMBLE_STATE" node build n1
	assert_success
	grep -q rack7 "$BRAMBLE_STATE/nodes/n1/ident/etc/hosts"
	run /usr/sbin/bootsrv --state "$BRAMBLE_STATE" status
	assert_success
	assert_line --regexp '^n1 +dc:a6:32:00:00:01 '
	# reinstalling keeps the edited conffile
	run dpkg -i "$DEB"
	assert_success
	assert_file_contains /etc/bramble/bramble.conf '^name = rack7$'
	run dpkg --purge bramble
	echo "$output" >&2	# on a failure: which directory dpkg found not empty
	assert_success
	assert_equal "$(bramble_traces)" ""
}

@test "cross build: dpkg-buildpackage -aarm64 makes an arm64 package" {
	need_cmd dpkg-buildpackage
	[ "$ARCH" = amd64 ] || skip "cross build tested from amd64"
	need_cmd aarch64-linux-gnu-gcc
	(cd "$REPO" && dpkg-checkbuilddeps -aarm64 >/dev/null 2>&1) ||
		skip "needs crossbuild-essential-arm64 and the arm64 -dev packages (see README, Install)"
	build "$BATS_TEST_TMPDIR" -b -aarm64
	deb="$BATS_TEST_TMPDIR/bramble_${VERSION}_arm64.deb"
	assert_equal "$(dpkg-deb -f "$deb" Architecture)" arm64
	dpkg-deb -x "$deb" "$BATS_TEST_TMPDIR/x"
	run readelf -h "$BATS_TEST_TMPDIR/x/usr/sbin/imgtool"
	assert_output --regexp 'Machine: +AArch64'
	if [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
		run "$BATS_TEST_TMPDIR/x/usr/sbin/imgtool" --help
		assert_success
	fi
}
