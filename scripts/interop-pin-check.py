#!/usr/bin/env python3
"""Check that a server's interop verdicts still match its pins (make interop).

usage: interop-pin-check.py [--server NAME] [--update] [-q] REPORT.json WAIVERS.yaml

REPORT.json is `smtp-harness run --json` output (harness/report/report_json.md),
WAIVERS.yaml the server's scripts/interop/<server>/waivers.yaml: a YAML list of
flat mappings, the format of `smtp-harness run --waivers`:

    - scenario: vrfy/disabled-means-252   # fail
      reason: "answers 502 to VRFY; RFC 5321 7.3 wants 252 (R5321-VRFY-02)"

`scenario` is an id or an fnmatch glob; `target` (optional) names the server the
entry is for, `until` (optional, YYYY-MM-DD) the last day it holds. A comment
`# fail`, `# warn` or `# error` after the id pins the verdict too; `# flaky`
marks a deviation that depends on timing (the server's reads), which may
pass or deviate from one run to the next: it is never reported as FIXED or
CHANGED (its reason must say why it is flaky).

Reported, each on one line:
  NEW        a result that is fail, warn, error (or notrun) and that no waiver
             matches: a new deviation;
  FIXED      a waiver whose scenario now passes or is skipped (for a glob: any
             scenario it matches), a verdict that changed for the better;
  CHANGED    a waiver whose scenario still deviates, but not with the pinned
             verdict (fail became warn, warn became error...);
  UNKNOWN    a waiver naming an id that is not in the report (a glob that
             matches none);
  EXPIRED    a waiver past its `until` date (it no longer covers anything);
  TODO       a waiver whose reason has not been written yet (see --update);
  DUPLICATE  a second waiver for the same scenario.
A result the harness already waived (verdict "waived", from run --waivers)
counts as the deviation it was; a "notrun" result is always reported.
Exit: 0 the pins hold, 1 they do not, 2 usage error or a file that cannot be
read (waiver file errors are FILE:LINE:COL: message).

--update rewrites WAIVERS.yaml to the report: entries of fixed and unknown
scenarios are removed, pinned verdicts are brought up to date, and every new
deviation is appended with a reason "TODO: ..." that must be replaced by hand
(until then the check fails). Comments and order are kept. The result needs a
review before it is committed (scripts/interop/README.md, "Pins").

Python 3 standard library only. The waiver file is read by a small parser of
the subset above (one line per value: plain, 'single' or "double" quoted
scalars); when PyYAML is installed the file is also loaded with it and the two
readings must agree.
"""
import datetime
import fnmatch
import json
import os
import re
import sys

KEYS = ("scenario", "target", "reason", "until")
DEVIATING = ("fail", "warn", "error")
PIN_RE = re.compile(r"#\s*(fail|warn|error|flaky)\s*$")
KEY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


class FileError(Exception):
    def __init__(self, path, line, col, msg):
        Exception.__init__(self, "%s:%d:%d: %s" % (path, line, col, msg))


class Entry:
    def __init__(self, line):
        self.line = line            # line of the "- " that opens the entry
        self.last = line            # last line that belongs to the entry
        self.values = {}            # key -> str
        self.cols = {}              # key -> (line, col) of the value
        self.pin = None             # "fail"/"warn"/"error" from the comment

    def get(self, key, default=None):
        return self.values.get(key, default)


def parse_double(path, lineno, text, col):
    """text starts after the opening quote; returns (value, rest)."""
    out = []
    i = 0
    simple = {'"': '"', "\\": "\\", "/": "/", "n": "\n", "t": "\t", "r": "\r",
              "0": "\0", " ": " ", "a": "\a", "b": "\b", "e": "\x1b", "f": "\f",
              "v": "\v", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029"}
    while i < len(text):
        c = text[i]
        if c == '"':
            return "".join(out), text[i + 1:]
        if c == "\\":
            if i + 1 >= len(text):
                break
            e = text[i + 1]
            if e in simple:
                out.append(simple[e])
                i += 2
                continue
            width = {"x": 2, "u": 4, "U": 8}.get(e)
            digits = text[i + 2:i + 2 + width] if width else ""
            if not width or len(digits) != width or not re.fullmatch(r"[0-9A-Fa-f]+", digits):
                raise FileError(path, lineno, col + i + 1, "bad escape \\%s in a double-quoted string" % e)
            out.append(chr(int(digits, 16)))
            i += 2 + width
            continue
        out.append(c)
        i += 1
    raise FileError(path, lineno, col, "unterminated double-quoted string (values must fit on one line)")


def parse_single(path, lineno, text, col):
    out = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "'":
            if text[i + 1:i + 2] == "'":
                out.append("'")
                i += 2
                continue
            return "".join(out), text[i + 1:]
        out.append(c)
        i += 1
    raise FileError(path, lineno, col, "unterminated single-quoted string (values must fit on one line)")


def parse_value(path, lineno, text, col):
    """A scalar on one line; returns (value, trailing comment or "")."""
    if text.startswith('"') or text.startswith("'"):
        parse = parse_double if text[0] == '"' else parse_single
        value, rest = parse(path, lineno, text[1:], col)
        stripped = rest.strip()
        if stripped and not stripped.startswith("#"):
            raise FileError(path, lineno, col + len(text) - len(rest),
                            "unexpected text after the closing quote")
        if stripped and not rest[:1].isspace():
            raise FileError(path, lineno, col + len(text) - len(rest),
                            "a comment needs a space before '#'")
        return value, stripped
    if text[:1] in ("|", ">"):
        raise FileError(path, lineno, col, "block scalars are not supported: write the value on one line")
    if text[:1] in ("[", "{", "&", "*", "!", "%", "@", "`"):
        raise FileError(path, lineno, col, "unsupported YAML here (%r): use a plain or quoted scalar" % text[0])
    comment = ""
    m = re.search(r"\s#", text)
    if m:
        comment = text[m.start():].strip()
        text = text[:m.start()]
    value = text.rstrip()
    if ": " in value or value.endswith(":"):
        raise FileError(path, lineno, col + value.index(":"),
                        "':' in a plain scalar: quote the value")
    if value.startswith("- ") or value == "-" or value.startswith("? "):
        raise FileError(path, lineno, col, "quote a value that starts with an indicator")
    return value, comment


def parse_waivers(path):
    """The subset parser: returns a list of Entry."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
    except (OSError, UnicodeDecodeError) as e:
        raise FileError(path, 1, 1, "cannot read: %s" % e)
    entries = []
    cur = None
    key_indent = None
    seen_doc = False
    for n, raw in enumerate(lines, 1):
        line = raw[:-1] if raw.endswith("\r") else raw
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if "\t" in line[:len(line) - len(line.lstrip(" \t"))]:
            raise FileError(path, n, line.index("\t") + 1, "tab in indentation")
        if stripped == "---" and line.startswith("---"):
            if seen_doc or entries:
                raise FileError(path, n, 1, "only one YAML document is allowed")
            seen_doc = True
            continue
        if stripped == "..." and line.startswith("..."):
            break
        indent = len(line) - len(line.lstrip(" "))
        body = line[indent:]
        col = indent + 1
        if body == "-" or body.startswith("- "):
            if indent != 0:
                raise FileError(path, n, col, "a list item must start in column 1")
            cur = Entry(n)
            entries.append(cur)
            rest = body[1:]
            if not rest.strip():
                key_indent = None
                continue
            pad = len(rest) - len(rest.lstrip(" "))
            key_indent = 1 + pad
            body = rest[pad:]
            col = key_indent + 1
        else:
            if cur is None:
                raise FileError(path, n, col, "expected a list item ('- scenario: ...')")
            if key_indent is None:
                key_indent = indent
            if indent != key_indent:
                raise FileError(path, n, col, "indentation: keys of an entry must line up (column %d)" % (key_indent + 1))
        m = KEY_RE.match(body)
        if not m or body[m.end():m.end() + 1] != ":" or body[m.end() + 1:m.end() + 2] not in ("", " "):
            raise FileError(path, n, col, "expected 'key: value'")
        key = m.group(0)
        if key not in KEYS:
            raise FileError(path, n, col, "unknown key '%s' (known: %s)" % (key, ", ".join(KEYS)))
        if key in cur.values:
            raise FileError(path, n, col, "duplicate key '%s'" % key)
        vtext = body[m.end() + 1:]
        vpad = len(vtext) - len(vtext.lstrip(" "))
        vtext = vtext.strip(" ")
        vcol = col + m.end() + 1 + vpad
        if not vtext or vtext.startswith("#"):
            raise FileError(path, n, vcol, "'%s' needs a value on the same line" % key)
        value, comment = parse_value(path, n, vtext, vcol)
        cur.values[key] = value
        cur.cols[key] = (n, vcol)
        cur.last = n
        if key == "scenario":
            pm = PIN_RE.search(comment) if comment else None
            cur.pin = pm.group(1) if pm else None
    for e in entries:
        for key in ("scenario", "reason"):
            if not e.get(key, "").strip():
                raise FileError(path, e.line, 1, "entry without '%s'" % key)
        until = e.get("until")
        if until is not None:
            try:
                datetime.date.fromisoformat(until)
            except ValueError:
                ln, c = e.cols["until"]
                raise FileError(path, ln, c, "until: want YYYY-MM-DD, got %r" % until)
    return entries


def cross_check(path, entries):
    """When PyYAML is there, it must read the file the same way."""
    try:
        import yaml
    except ImportError:
        return
    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        if mark is not None:
            raise FileError(path, mark.line + 1, mark.column + 1, "YAML: %s" % getattr(e, "problem", e))
        raise FileError(path, 1, 1, "YAML: %s" % e)
    doc = doc or []
    if not isinstance(doc, list) or len(doc) != len(entries):
        raise FileError(path, 1, 1, "PyYAML reads %s, the subset parser %d entries"
                        % ("%d entries" % len(doc) if isinstance(doc, list) else type(doc).__name__, len(entries)))
    for item, e in zip(doc, entries):
        for key in ("scenario", "reason"):
            want = e.get(key)
            got = item.get(key) if isinstance(item, dict) else None
            if got != want:
                ln, c = e.cols.get(key, (e.line, 1))
                raise FileError(path, ln, c, "PyYAML reads %s as %r, the subset parser as %r" % (key, got, want))


def is_glob(s):
    return any(c in s for c in "*?[")


def load_report(path):
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit("interop-pin-check: %s: %s" % (path, e))
    if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
        sys.exit("interop-pin-check: %s: not a smtp-harness JSON report (no results)" % path)
    return doc


def check(report, entries, server, today):
    """Returns (problems, counts): problems is a list of (kind, line, text),
    counts the results per verdict."""
    problems = []
    results = report["results"]
    by_id = {}
    for r in results:
        by_id.setdefault(r.get("id", ""), r)
    active = []
    for e in entries:
        target = e.get("target")
        if target is not None and server and target != server:
            continue
        if e.get("until") and datetime.date.fromisoformat(e.get("until")) < today:
            problems.append(("EXPIRED", e.line, "%s: waiver expired on %s (line %d)"
                             % (e.get("scenario"), e.get("until"), e.line)))
            continue
        if e.get("reason", "").lstrip().upper().startswith("TODO"):
            problems.append(("TODO", e.line, "%s: the reason is still to be written (line %d)"
                             % (e.get("scenario"), e.line)))
        active.append(e)
    def verdict(r):
        """The verdict to compare; a result the harness waived (run --waivers)
        counts as deviating, with its own verdict where the report keeps it."""
        v = r.get("verdict")
        if v == "waived":
            for key in ("waived_from",):  # report_json.md: the verdict it had
                if r.get(key) in DEVIATING:
                    return r[key]
            return "waived"
        return v

    covered = {}
    exact_seen = {}
    for e in active:
        pat = e.get("scenario")
        if is_glob(pat):
            ids = [i for i in by_id if fnmatch.fnmatchcase(i, pat)]
        else:
            ids = [pat] if pat in by_id else []
            if pat in exact_seen:
                problems.append(("DUPLICATE", e.line, "%s: a second waiver (line %d, first at line %d)"
                                 % (pat, e.line, exact_seen[pat])))
            exact_seen.setdefault(pat, e.line)
        if not ids:
            problems.append(("UNKNOWN", e.line, "%s: no such scenario in the report (line %d)"
                             % (pat, e.line)))
            continue
        for i in ids:
            covered.setdefault(i, e)
            v = verdict(by_id[i])
            label = i if i == pat else "%s (glob %s)" % (i, pat)
            if e.pin == "flaky":
                continue
            if v in ("pass", "skip"):
                problems.append(("FIXED", e.line, "%s: now %s, pinned %s (line %d)"
                                 % (label, v, e.pin or "as deviating", e.line)))
            elif v in DEVIATING and e.pin and v != e.pin:
                problems.append(("CHANGED", e.line, "%s: now %s, pinned %s (line %d): %s"
                                 % (label, v, e.pin, e.line, by_id[i].get("reason", ""))))
    counts = {}
    for r in results:
        v = verdict(r)
        counts[v] = counts.get(v, 0) + 1
        if v in DEVIATING or v in ("waived", "notrun"):
            if r.get("id") not in covered or v == "notrun":
                problems.append(("NEW", 10 ** 9, "%s: %s %s: %s" % (r.get("id"), v, r.get("level", ""),
                                                                  r.get("reason", "") or "; ".join(r.get("warnings", [])[:1]))))
    return problems, counts


def yaml_quote(s):
    out = ['"']
    for c in s:
        if c in '"\\':
            out.append("\\" + c)
        elif c < " " or c == "\x7f":
            out.append("\\x%02x" % ord(c))
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def update(path, report, entries, server):
    """Rewrites the waiver file to match the report (see the module doc)."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    by_id = {r.get("id"): r for r in report["results"]}
    drop = set()
    dropped = 0
    repin = {}
    covered = set()
    for e in entries:
        target = e.get("target")
        if target is not None and server and target != server:
            continue
        pat = e.get("scenario")
        ids = [i for i in by_id if fnmatch.fnmatchcase(i, pat)] if is_glob(pat) else [pat] if pat in by_id else []
        dev = [i for i in ids if by_id[i].get("verdict") in DEVIATING + ("waived",)]
        covered.update(dev)
        if e.pin == "flaky":
            covered.update(ids)  # kept whatever this run gave
            continue
        if not is_glob(pat) and not dev:
            drop.update(range(e.line, e.last + 1))
            dropped += 1
        elif len(dev) == 1 and e.pin and by_id[dev[0]]["verdict"] in DEVIATING and by_id[dev[0]]["verdict"] != e.pin:
            repin[e.line] = by_id[dev[0]]["verdict"]
    out = []
    for n, line in enumerate(lines, 1):
        if n in drop:
            continue
        if n in repin:
            line = PIN_RE.sub("# " + repin[n], line)
        out.append(line)
    new = [r for r in report["results"] if r.get("verdict") in DEVIATING and r.get("id") not in covered]
    while out and out[-1] == "":
        out.pop()
    if new:
        out.append("")
        out.append("# New deviations (interop-pin-check.py --update, %s): write each reason, then"
                   % datetime.date.today().isoformat())
        out.append("# move the entry to its rule family above.")
        for r in new:
            what = r.get("reason") or "; ".join(r.get("warnings", [])[:1])
            out.append("- scenario: %s  # %s" % (r["id"], r["verdict"]))
            out.append("  reason: %s" % yaml_quote(("TODO: %s (rules %s)" % (what, ", ".join(r.get("rules", []))))[:300]))
    out.append("")
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(out))
    os.replace(tmp, path)
    return dropped, len(repin), len(new)


def main(argv):
    args = argv[1:]
    server = None
    do_update = False
    quiet = False
    pos = []
    while args:
        a = args.pop(0)
        if a == "--server" and args:
            server = args.pop(0)
        elif a.startswith("--server="):
            server = a.split("=", 1)[1]
        elif a == "--update":
            do_update = True
        elif a in ("-q", "--quiet"):
            quiet = True
        elif a in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        elif a.startswith("-") and a != "-":
            sys.stderr.write("interop-pin-check: unknown option %s (see --help)\n" % a)
            return 2
        else:
            pos.append(a)
    if len(pos) != 2:
        sys.stderr.write("usage: interop-pin-check.py [--server NAME] [--update] [-q] REPORT.json WAIVERS.yaml\n")
        return 2
    report_path, waivers_path = pos
    if server is None:
        server = os.path.basename(os.path.dirname(os.path.abspath(waivers_path)))
    report = load_report(report_path)
    try:
        entries = parse_waivers(waivers_path)
        cross_check(waivers_path, entries)
    except FileError as e:
        sys.stderr.write("%s\n" % e)
        return 2
    if do_update:
        dropped, repinned, added = update(waivers_path, report, entries, server)
        print("%s: %d entries removed, %d verdicts re-pinned, %d new entries to write (TODO)"
              % (waivers_path, dropped, repinned, added))
        try:
            entries = parse_waivers(waivers_path)
        except FileError as e:
            sys.stderr.write("%s\n" % e)
            return 2
    problems, counts = check(report, entries, server, datetime.date.today())
    order = {"NEW": 0, "FIXED": 1, "CHANGED": 2, "UNKNOWN": 3, "EXPIRED": 4, "DUPLICATE": 5, "TODO": 6}
    problems.sort(key=lambda p: (order[p[0]], p[1], p[2]))
    dev = sum(counts.get(v, 0) for v in DEVIATING + ("waived",))
    if report.get("stopped"):
        print("%s: the run stopped early: %s" % (server, report["stopped"]))
    for kind, _, text in problems:
        print("%-9s %s" % (kind, text))
    if problems:
        print("%s: pins do not hold: %d difference%s (%d scenarios: %s)"
              % (server, len(problems), "" if len(problems) == 1 else "s", len(report["results"]),
                 ", ".join("%d %s" % (counts[k], k) for k in sorted(counts))))
        return 1
    if not quiet:
        print("%s: pins: ok (%d waivers, %d deviations: %s)"
              % (server, len(entries), dev, ", ".join("%d %s" % (counts.get(v, 0), v)
                                                      for v in DEVIATING + ("waived",) if v in DEVIATING or counts.get(v))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
