# Shared helpers for the interop set-up scripts (POSIX sh, sourced).
# The driver (scripts/interop.sh) exports:
#   TOP   the project's top folder          BASE  TOP/build/interop
#   WORK  BASE/<server> (this server's own folder)
#   HOST  127.0.0.1                          PORT  this server's port
# A set-up script that cannot go on calls `fail REASON`: the reason is written to
# WORK/reason and ends up in the matrix as "not available: REASON".

log() { printf 'interop[%s]: %s\n' "${SERVER:-?}" "$*" >&2; }

fail() {
	printf '%s\n' "$*" >"$WORK/reason"
	log "FAILED: $*"
	exit 1
}

# apt-get update at most once per driver run (the driver removes the stamp at start).
apt_update_once() {
	if [ ! -f "$BASE/.apt-updated" ]; then
		log "apt-get update"
		DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$BASE/apt-update.log" 2>&1 ||
			{ log "apt-get update failed (see $BASE/apt-update.log)"; return 1; }
		: >"$BASE/.apt-updated"
	fi
}

pkg_installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

# apt_install PKG...: installs the packages that are missing.
apt_install() {
	missing=""
	for p in "$@"; do pkg_installed "$p" || missing="$missing $p"; done
	[ -z "$missing" ] && return 0
	[ "$(id -u)" = 0 ] || { log "not root: cannot install$missing"; return 1; }
	apt_update_once || return 1
	log "apt-get install$missing"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing \
		>>"$WORK/install.log" 2>&1
}

# apt_unpack PKG: fetches PKG with apt-get download and unpacks it into WORK/root
# (never installed: the MTAs conflict through mail-transport-agent); the shared
# libraries it depends on are installed as normal packages.
apt_unpack() {
	pkg=$1
	stamp="$WORK/root/.unpacked-$pkg"
	[ -f "$stamp" ] && return 0
	apt_update_once || return 1
	mkdir -p "$WORK/dl" "$WORK/root"
	rm -f "$WORK/dl/${pkg}_"*.deb
	log "apt-get download $pkg"
	(cd "$WORK/dl" && apt-get download "$pkg") >>"$WORK/install.log" 2>&1 || return 1
	libs=$(apt-cache depends --no-recommends --no-suggests "$pkg" 2>/dev/null |
		awk '$1 ~ /Depends:$/ && $2 ~ /^lib/ {print $2}' | sort -u)
	# shellcheck disable=SC2086
	[ -z "$libs" ] || apt_install $libs || return 1
	dpkg -x "$WORK/dl/${pkg}_"*.deb "$WORK/root" >>"$WORK/install.log" 2>&1 || return 1
	dpkg-deb -f "$WORK/dl/${pkg}_"*.deb Version >"$WORK/root/.version-$pkg" 2>/dev/null || true
	: >"$stamp"
}

# ensure_user NAME [HOME]: a system user and group of that name.
ensure_user() {
	getent passwd "$1" >/dev/null 2>&1 && return 0
	getent group "$1" >/dev/null 2>&1 || groupadd --system "$1" || return 1
	useradd --system -g "$1" -M -d "${2:-/nonexistent}" -s /usr/sbin/nologin "$1"
}

# render TEMPLATE OUT: copies TEMPLATE to OUT, replacing @TOP@ @WORK@ @BASE@ @HOST@
# @PORT@ @TLS_CERT@ @TLS_KEY@ and @HOSTNAME@.
render() {
	sed -e "s|@TOP@|$TOP|g" -e "s|@WORK@|$WORK|g" -e "s|@BASE@|$BASE|g" \
		-e "s|@HOST@|$HOST|g" -e "s|@PORT@|$PORT|g" \
		-e "s|@TLS_CERT@|$BASE/tls/cert.pem|g" -e "s|@TLS_KEY@|$BASE/tls/key.pem|g" \
		-e "s|@HOSTNAME@|${SERVER}.example.test|g" "$1" >"$2"
}

# The mailboxes every server serves (scenarios/profiles/reference.yaml).
DOMAIN=example.test
USERS="alice bob postmaster"

# mkmaildirs OWNER: empty WORK/mail/<user>/{tmp,new,cur} for every user, owned by OWNER.
mkmaildirs() {
	# Fresh mailboxes for every run: the mailbox checks read them all.
	rm -rf "$WORK/mail"
	for u in $USERS; do mkdir -p "$WORK/mail/$u/tmp" "$WORK/mail/$u/new" "$WORK/mail/$u/cur"; done
	[ -z "${1:-}" ] || chown -R "$1" "$WORK/mail"
}

# pid_alive FILE: the process whose id FILE holds is running.
pid_alive() {
	[ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

# stop_pid FILE [SECONDS]: SIGTERM the process in FILE, SIGKILL after SECONDS (default 5).
stop_pid() {
	[ -s "$1" ] || return 0
	p=$(cat "$1")
	if kill -0 "$p" 2>/dev/null; then
		kill -TERM "$p" 2>/dev/null
		n=0
		while kill -0 "$p" 2>/dev/null && [ $n -lt "$((${2:-5} * 10))" ]; do sleep 0.1; n=$((n + 1)); done
		kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
	fi
	rm -f "$1"
}
