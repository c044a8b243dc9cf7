#!/bin/sh
# Nodemailer's smtp-server (npm) under Debian's or the machine's node, installed
# with npm into WORK (package.json pins the version).
set -u
SERVER=smtp-server
. "$TOP/scripts/interop/lib.sh"
HERE="$TOP/scripts/interop/smtp-server"
command -v node >/dev/null 2>&1 || apt_install nodejs || fail "no node"
command -v npm >/dev/null 2>&1 || apt_install npm || fail "no npm"
mkdir -p "$WORK/log"
cp "$HERE/package.json" "$WORK/package.json"
cp "$HERE/server.js" "$WORK/server.js"
if [ ! -f "$WORK/node_modules/smtp-server/package.json" ] ||
	! cmp -s "$HERE/package.json" "$WORK/.installed-package.json"; then
	log "npm install smtp-server"
	(cd "$WORK" && timeout 180 npm install --no-audit --no-fund --omit=dev) >>"$WORK/install.log" 2>&1 ||
		fail "npm install smtp-server failed (see $WORK/install.log)"
	cp "$HERE/package.json" "$WORK/.installed-package.json"
fi
v=$(node -p 'require(process.argv[1]).version' "$WORK/node_modules/smtp-server/package.json" 2>/dev/null) ||
	fail "smtp-server is not installed"
mkmaildirs
echo "smtp-server $v (node $(node --version))" >"$WORK/version"
