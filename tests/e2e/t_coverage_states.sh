# coverage --states: the state x command matrix of a suite, walked without a
# server. A small suite whose reach is known: each row of the table shows
# exactly the cells its scenarios reach; --missing lists the gaps; --html
# writes a page; a scenario whose text names an unknown variable is reported
# with its position and the exit status is 2.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/suite"
cat >"$WORK/suite/a.yaml" <<'EOT'
id: t/flow
title: A transaction, then a refused RCPT after RSET
rules: [R5321-SEQ-01]
steps:
  - send: EHLO ${helo}
  - send: MAIL FROM:<${sender}>
  - send: RCPT TO:<${valid_rcpt}>
  - send: RSET
  - send: RCPT TO:<${valid_rcpt}>
    expect: [503]
---
id: t/early
title: Talks first
rules: [R5321-SEQ-01]
greeting: none
steps:
  - send: NOOP
    expect: [220]
  - expect: [250]
EOT
"$BIN" coverage --states "$WORK/suite" >"$WORK/out" 2>&1
rc=$?
cat "$WORK/out"
[ $rc -eq 0 ] || die "coverage --states: exit $rc, want 0"
row() { grep "^$1 " "$WORK/out" | tr -s ' ' | cut -d' ' -f2-; }
[ "$(row before-greeting)" = ". . . . . . . 1 . . . . . . . . . -" ] || die "before-greeting row: $(row before-greeting)"
[ "$(row greeted)" = ". 1 . . . . . . . . . . . . . . . -" ] || die "greeted row: $(row greeted)"
[ "$(row after-EHLO)" = ". . 1 1 . . . . . . . . . . . . . -" ] || die "after-EHLO row: $(row after-EHLO)"
[ "$(row after-MAIL)" = ". . . 1 . . . . . . . . . . . . . -" ] || die "after-MAIL row: $(row after-MAIL)"
[ "$(row after-RCPT)" = ". . . . . . 1 . . . . . . . . . . -" ] || die "after-RCPT row: $(row after-RCPT)"
grep -q "^coverage: 2 scenarios walked; 6 of 137 state x command cells reached, 131 gaps$" "$WORK/out" ||
	die "summary line"

"$BIN" coverage --states --missing --html "$WORK/m.html" "$WORK/suite" >"$WORK/gaps" 2>&1 || die "--missing: exit $?"
grep -qx "gap: RCPT in state after-RCPT" "$WORK/gaps" || die "--missing does not list RCPT after RCPT"
grep -q "gap: MAIL in state after-EHLO" "$WORK/gaps" && die "--missing lists a reached cell"
grep -q "<td title=\"t/flow&#10;\">1</td>" "$WORK/m.html" || die "the page does not name the cell's scenario"
grep -q "class=gap" "$WORK/m.html" || die "the page marks no gap"

# From a run's JSON report: what was really sent, replies as they came (the
# runner's own final QUIT included).
"$BIN" run --id t/flow --json "$WORK/run.json" "$WORK/suite" >"$WORK/run.out" 2>&1 || die "run: $(tail -3 "$WORK/run.out")"
"$BIN" coverage --states --json-report "$WORK/run.json" >"$WORK/jr" 2>&1 || die "--json-report: exit $?: $(cat "$WORK/jr")"
grep -q "^coverage: 1 scenarios in the run's transcripts;" "$WORK/jr" || die "--json-report summary: $(tail -1 "$WORK/jr")"
row_of() { grep "^$1 " "$WORK/jr" | tr -s ' ' | cut -d' ' -f2-; }
[ "$(row_of after-EHLO | cut -d' ' -f3,4)" = "1 1" ] || die "--json-report after-EHLO: $(row_of after-EHLO)"
[ "$(row_of after-RCPT | cut -d' ' -f7)" = "1" ] || die "--json-report after-RCPT RSET: $(row_of after-RCPT)"

cat >"$WORK/suite/b.yaml" <<'EOT'
id: t/var
title: Names a variable no profile has
rules: [R5321-SEQ-01]
steps:
  - send: NOOP ${nosuch}
EOT
"$BIN" coverage --states "$WORK/suite" >"$WORK/out2" 2>&1
rc=$?
[ $rc -eq 2 ] || die "unknown variable: exit $rc, want 2"
grep -q "b.yaml:5:11: send: unknown variable '\${nosuch}'" "$WORK/out2" || die "no message for the unknown variable: $(cat "$WORK/out2")"
echo "ok: coverage --states"
