# The rule catalogue from the command line. lint: every error of a file is
# reported as file:line:col, a rule ID the catalogue lacks among them, and
# the exit status is 2; the catalogue is found in the rules/ folder beside
# the scenarios named. rules: a rule with its statement, scenarios and code
# sites (built into the binary, so known outside the source tree); exit 2
# for an unknown ID. coverage: counted against the catalogue.
. "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
CAT=$SRC/scenarios/rules
BAD=$SRC/tests/data/lint/three-errors.yaml

# lint: three errors in three documents, each with its position, in file order.
"$BIN" lint --catalogue "$CAT" "$BAD" >"$WORK/lint.out" 2>&1
rc=$?
cat "$WORK/lint.out"
[ $rc -eq 2 ] || die "lint: exit $rc, want 2"
cat >"$WORK/lint.want" <<EOT
$BAD:6:23: rule 'R5321-SEQ-99' is not in the catalogue ($CAT)
$BAD:16:13: expect: '2500' is not a reply code pattern
$BAD:23:5: unknown key 'expext' in step (expected one of: send, raw, data, pipeline, repeat, starttls, sleep, expect, expect_close, expect_silence, mailbox, connect, close, trickle, auth, replies, step, may_close, on_timeout, when, on, every, for, meanwhile)
EOT
diff "$WORK/lint.want" "$WORK/lint.out" || die "lint: the errors differ from the three wanted (above)"

# The catalogue beside the scenarios: tree/rules is found for tree/ and for a file below it.
mkdir -p "$WORK/tree/rules" "$WORK/tree/area"
cat >"$WORK/tree/rules/mini.yaml" <<'EOT'
- id: X-ONE-01
  level: MUST
  rfc: RFC 5321
  section: [4.1.4]
  statement: A test rule holds.
  observe: Look at it.
  variants: [{id: X-ONE-01a, what: the first probe}]
EOT
cat >"$WORK/tree/area/a.yaml" <<'EOT'
id: area/a
title: Names the mini catalogue's rule and its variant
rules: [X-ONE-01, X-ONE-01a]
steps:
  - send: NOOP
EOT
"$BIN" lint "$WORK/tree" >"$WORK/tree.out" 2>&1 || die "lint tree/: $(cat "$WORK/tree.out")"
grep -q "against 1 rules ($WORK/tree/rules)" "$WORK/tree.out" || die "lint tree/: $(cat "$WORK/tree.out")"
"$BIN" lint "$WORK/tree/area/a.yaml" >"$WORK/tree.out" 2>&1 || die "lint tree/area/a.yaml: $(cat "$WORK/tree.out")"
sed -i 's/X-ONE-01a/X-ONE-01b/' "$WORK/tree/area/a.yaml"
"$BIN" lint "$WORK/tree" >"$WORK/tree.out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "a.yaml:3:19: rule 'X-ONE-01b' is not in the catalogue ($WORK/tree/rules): no rule lists it as a variant" "$WORK/tree.out" ||
	die "lint: an unknown variant: exit $rc: $(cat "$WORK/tree.out")"
echo "lint: every error reported; the catalogue found beside the scenarios"

# rules, run away from the source tree: the code sites come from the binary.
cd "$WORK" || exit 1
"$BIN" rules --scenarios "$SRC/scenarios" R5321-SEQ-03 >"$WORK/rules.out" 2>&1 || die "rules R5321-SEQ-03: $(cat "$WORK/rules.out")"
cat "$WORK/rules.out"
for want in "^R5321-SEQ-03  MUST  RFC 5321 3.3, 4.1.4" "^  statement  " "^  observe  " \
	"sequence/rcpt-before-mail *$SRC/scenarios/sequence/basic.yaml:[0-9]" \
	"harness/server/server_reply.c:[0-9]* *ROW(SEQ_RCPT, 503" "^  catalogue  $CAT/core-rfc5321.yaml:[0-9]"; do
	grep -q "$want" "$WORK/rules.out" || die "rules R5321-SEQ-03: no line matching '$want'"
done
"$BIN" rules --scenarios "$SRC/scenarios" R5321-DATA-04 | grep -q "harness/proto/smtp_data.c:" ||
	die "rules R5321-DATA-04: the range R5321-DATA-02..06 in smtp_data.c is not a site"
n=$("$BIN" rules --scenarios "$SRC/scenarios" R5321-SEQ | grep -c '^R5321-SEQ-')
[ "$n" -eq 15 ] || die "rules R5321-SEQ: $n rules, want 15"
"$BIN" rules --scenarios "$SRC/scenarios" SEC-01e | grep -q "^SEC-01e is a variant of SEC-01" || die "rules SEC-01e"
n=$("$BIN" rules --scenarios "$SRC/scenarios" | grep -c '^[RS]')
[ "$n" -eq 184 ] || die "rules: $n lines, want one per rule (184)"
"$BIN" rules --scenarios "$SRC/scenarios" R5321-SEQ-03 NO-SUCH-01 >"$WORK/rules.out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "'NO-SUCH-01' is not a rule ID, variant or prefix" "$WORK/rules.out" ||
	die "rules NO-SUCH-01: exit $rc: $(cat "$WORK/rules.out")"
"$BIN" rules --catalogue "$CAT" --check-code >"$WORK/rules.out" 2>&1 || die "rules --check-code: $(cat "$WORK/rules.out")"
echo "rules: statement, scenarios and code sites shown; unknown IDs exit 2"

# coverage against the catalogue: every MUST rule has a scenario; an unknown ID is exit 2.
"$BIN" coverage --missing "$SRC/scenarios" >"$WORK/cov.out" 2>&1 || die "coverage: $(cat "$WORK/cov.out")"
grep -q "of 184 rules have scenarios; 0 MUST rules have none" "$WORK/cov.out" || die "coverage: $(cat "$WORK/cov.out")"
"$BIN" coverage --catalogue "$CAT" "$BAD" >"$WORK/cov.out" 2>&1
[ $? -eq 2 ] || die "coverage with an unknown rule ID: not exit 2"
echo "coverage: counted against the catalogue"

# lint's static checks: scenarios that load but cannot work, each at its step's
# position, the right one not reported; with a profile without maildir the
# mailbox step is reported too.
CW=$SRC/tests/data/lint/cannot-work.yaml
"$BIN" lint --catalogue "$CAT" "$CW" >"$WORK/cw.out" 2>&1
rc=$?
[ $rc -eq 2 ] || die "lint cannot-work: exit $rc, want 2: $(cat "$WORK/cw.out")"
cat >"$WORK/cw.want" <<EOT
$CW:9:5: lint/after-quit: send waits for a reply that cannot come: the connection ended at line 7 (send expecting it to close)
$CW:18:5: lint/bdat-without-requires: raw expects success from BDAT, which needs the EHLO keyword CHUNKING: add 'requires: [CHUNKING]' (or expect the refusal a server without it gives)
$CW:31:5: lint/mailbox-nobody: mailbox: no RCPT TO of this scenario names bob@example.test
EOT
diff "$WORK/cw.want" "$WORK/cw.out" || die "lint cannot-work: the problems differ from the three wanted (above)"
printf 'domain: example.test\n' >"$WORK/nomaildir.yaml"
"$BIN" lint --catalogue "$CAT" --profile "$WORK/nomaildir.yaml" "$CW" >"$WORK/cw2.out" 2>&1
grep -qx "$CW:31:5: lint/mailbox-nobody: mailbox: the profile sets no maildir, so this check is skipped" "$WORK/cw2.out" ||
	die "lint --profile: no maildir problem: $(cat "$WORK/cw2.out")"
grep "lint/all-right" "$WORK/cw2.out" | grep -qv "the profile sets no maildir" &&
	die "lint reports more than the missing maildir for the scenario that can work"
echo "ok: lint static checks"
