#!/bin/sh
# Haraka (npm; wants Node 22 but runs on 20, hence --omit=optional). The instance
# folder WORK/inst is the bundled config plus scripts/interop/haraka/config
# (a file there replaces the bundled one whole) and the interop plugin.
set -u
SERVER=haraka
. "$TOP/scripts/interop/lib.sh"
HERE="$TOP/scripts/interop/haraka"
command -v node >/dev/null 2>&1 || apt_install nodejs || fail "no node"
command -v npm >/dev/null 2>&1 || apt_install npm || fail "no npm"
mkdir -p "$WORK/log"
cp "$HERE/package.json" "$WORK/package.json"
if [ ! -f "$WORK/node_modules/Haraka/package.json" ] ||
	! cmp -s "$HERE/package.json" "$WORK/.installed-package.json"; then
	log "npm install Haraka"
	(cd "$WORK" && timeout 300 npm install --no-audit --no-fund --omit=dev --omit=optional) >>"$WORK/install.log" 2>&1 ||
		fail "npm install Haraka failed (see $WORK/install.log)"
	cp "$HERE/package.json" "$WORK/.installed-package.json"
fi
H="$WORK/node_modules/Haraka"
[ -f "$H/bin/haraka" ] || fail "Haraka is not installed"
# Haraka makes dhparams.pem on first start (slow): keep it across runs.
[ -s "$WORK/inst/config/dhparams.pem" ] && cp "$WORK/inst/config/dhparams.pem" "$WORK/dhparams.pem"
rm -rf "$WORK/inst"
mkdir -p "$WORK/inst/config" "$WORK/inst/plugins" "$WORK/inst/queue"
cp -r "$H/config/." "$WORK/inst/config/"
for f in "$HERE/config/"*; do
	case $f in
	*.in) render "$f" "$WORK/inst/config/$(basename "$f" .in)" ;;
	*) cp "$f" "$WORK/inst/config/" ;;
	esac
done
cp "$HERE/plugins/"*.js "$WORK/inst/plugins/"
[ -s "$WORK/dhparams.pem" ] && cp "$WORK/dhparams.pem" "$WORK/inst/config/dhparams.pem"
# The message size limit (SIZE) is [max] bytes of connection.ini: 10 MiB like the others.
sed -i 's/^bytes=.*/bytes=10485760/' "$WORK/inst/config/connection.ini"
mkmaildirs
v=$(node -p 'require(process.argv[1]).version' "$H/package.json" 2>/dev/null) || fail "cannot read Haraka's version"
echo "Haraka $v (node $(node --version))" >"$WORK/version"
