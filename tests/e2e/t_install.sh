# make install into a fresh prefix: the installed binary finds its own suite
# from any directory (the smoke tag passes from /), both man pages render,
# libsmtph.pc builds a program against the installed library, and make
# uninstall leaves nothing behind.
. "$(dirname "$0")/lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
D=$WORK/usr

make -s -C "$TOP" install PREFIX="$D" >"$WORK/install.log" 2>&1 || die "make install: $(tail -5 "$WORK/install.log")"
[ -x "$D/bin/smtp-harness" ] || die "no $D/bin/smtp-harness"
[ -f "$D/share/smtp-harness/scenarios/profiles/reference.yaml" ] || die "no installed suite"

(cd / && "$D/bin/smtp-harness" --version) >"$WORK/version.out" || die "--version failed"
grep -q "share/smtp-harness/scenarios   <- found (installed beside the binary)" "$WORK/version.out" ||
	die "--version does not find the installed suite: $(cat "$WORK/version.out")"
(cd / && "$D/bin/smtp-harness" run --tag smoke --json "$WORK/smoke.json") >"$WORK/smoke.out" 2>&1 ||
	die "the installed smoke run failed: $(tail -5 "$WORK/smoke.out")"
json_check "$WORK/smoke.json" 'len(r["results"]) > 5 and r["counts"]["pass"] == len(r["results"])' \
	"the installed smoke run"
echo "install: smoke tag from /: $(sed -n 2p "$WORK/smoke.out")"
(cd / && "$D/bin/smtp-harness" rules R5321-SEQ-03) >"$WORK/rules.out" 2>&1 ||
	die "the installed rules command: $(cat "$WORK/rules.out")"
grep -q "statement" "$WORK/rules.out" && grep -q "server_reply.c" "$WORK/rules.out" ||
	die "rules from the installed catalogue: $(cat "$WORK/rules.out")"

for page in man1/smtp-harness.1 man5/smtp-harness-scenario.5; do
	[ -f "$D/share/man/$page" ] || die "no $page"
	MANWIDTH=80 man -l "$D/share/man/$page" >"$WORK/page.txt" 2>"$WORK/page.err" || die "man -l $page"
	[ -s "$WORK/page.err" ] && die "man -l $page: $(cat "$WORK/page.err")"
	grep -q "^NAME" "$WORK/page.txt" && grep -q "^SEE ALSO" "$WORK/page.txt" || die "$page: sections missing"
done

cat >"$WORK/prog.c" <<'C'
#include <stdio.h>
#include <string.h>
#include "smtph/smtp_reply.h"
int
main(void)
{
	const char in[] = "250-a\r\n250 b\r\n";
	struct smtp_reply_parser p;
	struct smtp_reply r;
	struct smtp_error e;
	size_t used = 0;

	smtp_reply_parser_init(&p, NULL);
	if (smtp_reply_parse(&p, in, strlen(in), &used, &r, &e) != 1 || r.code != 250)
		return 1;
	printf("%u %zu\n", r.code, used);
	return 0;
}
C
export PKG_CONFIG_PATH="$D/lib/pkgconfig"
cc -std=c11 -o "$WORK/prog" "$WORK/prog.c" $(pkg-config --cflags libsmtph) \
	$(pkg-config --static --libs libsmtph) 2>"$WORK/cc.err" || die "build against libsmtph.pc: $(cat "$WORK/cc.err")"
[ "$("$WORK/prog")" = "250 14" ] || die "the program built against libsmtph does not parse a reply"

make -s -C "$TOP" uninstall PREFIX="$D" >"$WORK/uninstall.log" 2>&1 || die "make uninstall"
left=$(find "$D" -type f | head -3)
[ -z "$left" ] || die "make uninstall left: $left"
echo "install: ok (prefix, man pages, libsmtph.pc, uninstall)"
