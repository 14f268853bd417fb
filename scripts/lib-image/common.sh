# shellcheck shell=bash
# Shared helpers of the synthetic image builders (scripts/mkimage,
# scripts/mkpxeimage). Sourced by bash, not run.
#
#   die MSG               one-line error on stderr, exit 1
#   say MSG               progress line on stderr (prefixed with $PROG)
#   image_tmpdir          make $TMP, removed on any exit
#   apt_query NAME CMD    CMD's output, cached until the apt lists change
#   deb_get PKG[:ARCH]    extract a Debian package into the download cache,
#                         print the directory (cached per version)
#   fill FILE BYTES SEED  deterministic pseudo-random content
#   tree_epoch DIR        set every time stamp under DIR to $EPOCH

: "${PROG:=$(basename "$0")}"
# Fixed time stamp of everything in an image, so two builds are identical.
: "${EPOCH:=${SOURCE_DATE_EPOCH:-1700000000}}"
export SOURCE_DATE_EPOCH=$EPOCH

die() {
	printf '%s: %s\n' "$PROG" "$*" >&2
	exit 1
}

say() {
	printf '%s: %s\n' "$PROG" "$*" >&2
}

image_tmpdir() {
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/$PROG.XXXXXX") || die "cannot make a temp dir"
	trap 'rm -rf "$TMP"' EXIT
	trap 'exit 130' INT TERM HUP
}

# The download cache: system-wide when writable, else per user.
image_cache() {
	if [ -n "${BRAMBLE_IMAGE_CACHE:-}" ]; then
		CACHE=$BRAMBLE_IMAGE_CACHE
	elif mkdir -p /var/cache/bramble-mkimage 2>/dev/null && [ -w /var/cache/bramble-mkimage ]; then
		CACHE=/var/cache/bramble-mkimage
	else
		CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/bramble-mkimage
	fi
	mkdir -p "$CACHE" || die "cannot create cache dir $CACHE; set BRAMBLE_IMAGE_CACHE"
}

# apt_query NAME CMD...: CMD's output, remembered until apt-get update
# changes the package lists (apt-cache takes seconds here: no pkgcache.bin).
apt_query() {
	[ -n "${CACHE:-}" ] || image_cache
	_q="$CACHE/$(printf '%s' "$1" | tr ':/' '++').query"
	shift
	if [ -z "$(find "$_q" -maxdepth 0 -newer /var/lib/apt/lists 2>/dev/null)" ]; then
		if ! "$@" >"$_q.$$" 2>/dev/null; then
			rm -f "$_q.$$"
			return 1
		fi
		mv "$_q.$$" "$_q"
	fi
	cat "$_q"
}

# Download (apt-get download, no install) and extract one package; the
# directory is named for the candidate version, so an archive update brings a
# fresh copy and a second run needs no network.
deb_get() {
	[ -n "${CACHE:-}" ] || image_cache
	_ver=$(apt_query "$1.show" apt-cache show --no-all-versions "$1" | sed -n 's/^Version: //p' | head -n 1)
	[ -n "$_ver" ] || die "Debian package $1 is unknown to apt; run apt-get update (and scripts/setup for :arm64)"
	_dir="$CACHE/$(printf '%s_%s' "$1" "$_ver" | tr ':/' '++')"
	if [ ! -d "$_dir" ]; then
		(
			flock 9
			[ -d "$_dir" ] && exit 0
			rm -rf "$_dir.dl" "$_dir.x"
			mkdir -p "$_dir.dl"
			say "downloading $1 $_ver"
			(cd "$_dir.dl" && apt-get -q -o APT::Sandbox::User=root download "$1" >/dev/null) ||
				die "apt-get download $1 failed"
			dpkg-deb -x "$_dir.dl"/*.deb "$_dir.x" || die "cannot extract $1"
			mv "$_dir.x" "$_dir" && rm -rf "$_dir.dl"
		) 9>"$CACHE/.lock" || exit 1
	fi
	printf '%s\n' "$_dir"
}

fill() {
	_key=$(printf '%s' "$3" | md5sum | cut -c1-32)
	head -c "$2" /dev/zero |
		openssl enc -aes-128-ctr -nosalt -K "$_key" -iv 00000000000000000000000000000000 >"$1" ||
		die "cannot write $1"
}

tree_epoch() {
	find "$1" -exec touch -h -d "@$EPOCH" {} + || die "cannot set time stamps in $1"
}
