# NFS-Ganesha serving NFSv3 inside a test's network namespace. v3 needs
# rpcbind, and rpcbind's socket is a path under /run that crosses network
# namespaces, so every instance gets a private /run in its own mount
# namespace (reference/nfs.md §3, §5). Two tests can each run one at once.
#
#   ganesha_start NS DIR [ADDR]
#       Start rpcbind and ganesha.nfsd (foreground children) in netns NS.
#       Config, log, pid files and recovery dir live in DIR; exports are
#       DIR/exports.d/*.conf (write them first with ganesha_export, or
#       later: ganesha_export reloads a running server). ADDR: bind
#       address (default all). Waits until NFS and MOUNT are registered;
#       the stop is deferred.
#   ganesha_export DIR ID PATH PSEUDO CLIENTS
#       Export directory PATH as PSEUDO (the path clients mount, e.g.
#       /nodes/n1) to CLIENTS (address, CIDR or comma list), read-write,
#       no root squash, NFSv3+v4 over TCP. ID: a number unique in DIR.
#       A running server reloads (SIGHUP) before this returns.
#   ganesha_unexport DIR ID     remove export ID and reload
#   ganesha_reload DIR          SIGHUP, wait for "Reread exports complete"
#   ganesha_stop DIR            stop ganesha.nfsd (SIGTERM, waits) and rpcbind
#   ganesha_log DIR             path of ganesha.nfsd's log
#
# Clients: pisim, or `ip netns exec CLIENT_NS nfs-ls nfs://ADDR/PSEUDO`.
# Ganesha has NLM disabled, so Pi cmdlines need vers=3,tcp,nolock.
# Ganesha caches lookups: change an exported tree from the host side only
# before exporting it (or unexport, change, export again).

ganesha_start() {
	local ns=$1 dir=$2 addr=${3:-}
	mkdir -p "$dir/exports.d" "$dir/recov"
	cat >"$dir/ganesha.conf" <<-EOC
	NFS_CORE_PARAM {
	    Protocols = 3, 4;
	    NFS_Port = 2049;
	    MNT_Port = 20048;
	    ${addr:+Bind_Addr = $addr;}
	    Enable_NLM = false;
	    Enable_RQUOTA = false;
	    Enable_UDP = false;
	    mount_path_pseudo = true;
	}
	NFSV4 { Graceless = true; RecoveryRoot = $dir/recov; Only_Numeric_Owners = true; }
	NFS_KRB5 { Active_krb5 = false; }
	EXPORT_DEFAULTS { Access_Type = None; Squash = No_Root_Squash; SecType = sys;
	                  Protocols = 3, 4; Transports = TCP; }
	LOG { Default_Log_Level = EVENT; }
	%dir "$dir/exports.d/*.conf"
	EOC
	cat >"$dir/start.sh" <<-EOS
	mount -t tmpfs tmpfs /run || exit 1
	mkdir -p /run/rpcbind /run/ganesha && chown _rpc /run/rpcbind
	rpcbind -f -w & echo \$! >"$dir/rpcbind.pid"
	# Ganesha registers with rpcbind once, at start, and exits if it cannot
	i=0
	until rpcinfo -p 127.0.0.1 >/dev/null 2>&1; do
		i=\$((i + 1)); [ \$i -le 200 ] || { echo "rpcbind did not start" >&2; exit 1; }
		sleep 0.05
	done
	exec ganesha.nfsd -F -f "$dir/ganesha.conf" -L "$dir/ganesha.log" -p "$dir/ganesha.pid"
	EOS
	defer ganesha_stop "$dir"
	ip netns exec "$ns" unshare -m --propagation slave sh "$dir/start.sh" \
		</dev/null >"$dir/start.log" 2>&1 3>&- &
	echo "$ns" >"$dir/netns"
	local i
	for i in $(seq 100); do
		if ip netns exec "$ns" rpcinfo -p 127.0.0.1 2>/dev/null | grep -q mountd &&
			ip netns exec "$ns" rpcinfo -p 127.0.0.1 2>/dev/null | grep -q nfs; then
			return 0
		fi
		sleep 0.1
	done
	echo "ganesha did not start in $ns; see $dir/ganesha.log, $dir/start.log" >&2
	cat "$dir/start.log" "$dir/ganesha.log" >&2 2>/dev/null
	return 1
}

ganesha_export() {
	local dir=$1 id=$2 path=$3 pseudo=$4 clients=$5
	mkdir -p "$dir/exports.d"
	cat >"$dir/exports.d/$id.conf.tmp" <<-EOC
	EXPORT {
	    Export_Id = $id; Path = "$path"; Pseudo = "$pseudo";
	    CLIENT { Clients = $clients; Access_Type = RW; }
	    FSAL { Name = VFS; }
	}
	EOC
	mv "$dir/exports.d/$id.conf.tmp" "$dir/exports.d/$id.conf"
	ganesha_reload "$dir"
}

ganesha_unexport() {
	rm -f "$1/exports.d/$2.conf"
	ganesha_reload "$1"
}

# SIGHUP re-reads exports.d (adds, updates and removes, nfs.md §3); done
# when the log shows one more "Reread exports complete". No-op when stopped.
ganesha_reload() {
	local dir=$1 pid before i
	pid=$(cat "$dir/ganesha.pid" 2>/dev/null) || return 0
	kill -0 "$pid" 2>/dev/null || return 0
	before=$(grep -c "Reread exports complete" "$dir/ganesha.log")
	kill -HUP "$pid"
	for i in $(seq 100); do
		[ "$(grep -c "Reread exports complete" "$dir/ganesha.log")" -gt "$before" ] && return 0
		sleep 0.05
	done
	echo "ganesha: no reload after SIGHUP; see $dir/ganesha.log" >&2
	return 1
}

# SIGTERM takes ganesha 1.5-2 s (nfs.md §3); rpcbind goes after it.
ganesha_stop() {
	local dir=$1 pid i
	if pid=$(cat "$dir/ganesha.pid" 2>/dev/null) && kill -TERM "$pid" 2>/dev/null; then
		for i in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
	fi
	if pid=$(cat "$dir/rpcbind.pid" 2>/dev/null); then
		kill -TERM "$pid" 2>/dev/null
	fi
	rm -f "$dir/ganesha.pid" "$dir/rpcbind.pid"
	return 0
}

ganesha_log() {
	echo "$1/ganesha.log"
}
