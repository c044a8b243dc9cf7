#!/usr/bin/python3
"""Writes reports/interop.html from the per-server JSON reports of `make interop`.

usage: interop-matrix.py [--status build/interop/status.tsv] [--reports reports]
                         [--pins DIR] [--catalogue scenarios/rules]
                         [--out reports/interop.html] [SERVER=REPORT.json ...]

The status file (written by scripts/interop.sh) has one line per server:
server, port, version, status ("ok", "not available: REASON" or "error: ..."),
jobs, seconds, banner, note. Without it, the servers are the SERVER=FILE
arguments, or every reports/interop-<server>.json. Each report is an
smtp-harness JSON report (harness/report/report_json.md). The pin check's
output for each server is read from DIR/<server>/pins.txt (default: the status
file's folder): its first line says "pins: ok" or the differences follow.

The page reads top-down as a verdict: a banner (do the pins hold on every
server that ran, and which servers could not run), one row per server with its
counts, then the scenarios where some server deviates (fail, error, warn,
waived, notrun), the most widely deviating first, each with its rules (ID, RFC
section, statement) and, per server, the verdict; a click opens that server's
reason and transcript. Every scenario, and the counts by tag, follow in
collapsed sections. Transcripts are kept for deviating cells only (the per-server
JSON reports have them all), so the page stays small. Self-contained: inline CSS
and JS, no external resource; every string from a report is HTML-escaped.
"""
import argparse
import collections
import datetime
import glob
import html
import json
import os
import re
import sys

VERDICTS = ("pass", "fail", "error", "warn", "notrun", "waived", "skip")
DEVIANT = ("fail", "error", "warn", "notrun", "waived")
# Per transcript event and per cell: what is shown of a long conversation.
EVENT_CAP = 600
CELL_CAP = 6000
# Warnings shown per cell, and characters of each (the JSON report has them whole).
WARN_CAP = 4
TEXT_CAP = 300
KNOWN_ORDER = ["postfix", "exim", "opensmtpd", "aiosmtpd", "smtp-server", "haraka"]


def esc(s):
    return html.escape("" if s is None else str(s), quote=True)


def cut(s, n=TEXT_CAP):
    s = "" if s is None else str(s)
    return s if len(s) <= n else s[:n] + " [...]"


def anchor(rid):
    """A fragment id for a scenario: letters, digits, - and _ kept, the rest '-'."""
    return "s-" + re.sub(r"[^A-Za-z0-9_-]", "-", str(rid))


def read_status(path):
    rows = []
    with open(path, encoding="utf-8", errors="replace") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            vals = line.rstrip("\n").split("\t")
            if not vals or not vals[0]:
                continue
            vals += [""] * (len(header) - len(vals))
            rows.append(dict(zip(header, vals)))
    return rows


def read_pins(path):
    """(state, lines): "ok", "broken" or "unknown" and what the pin check printed."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = [ln.rstrip("\n") for ln in f][:200]
    except OSError:
        return "unknown", []
    if lines and ": pins: ok" in lines[0]:
        return "ok", lines
    return ("broken" if lines else "unknown"), lines


def load_report(path):
    """Returns (report, problem): the parsed report or None and why."""
    if not os.path.exists(path):
        return None, "no report (%s)" % os.path.basename(path)
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            rep = json.load(f)
    except (OSError, ValueError) as e:
        return None, "unreadable report %s: %s" % (os.path.basename(path), e)
    if not isinstance(rep, dict) or not isinstance(rep.get("results"), list):
        return None, "report %s has no results" % os.path.basename(path)
    return rep, None  # newer schemas only add keys; read what we know


def load_catalogue(folder):
    """Rule ID -> {level, rfc, sections, statement} from the YAML catalogue, if readable."""
    try:
        import yaml  # Debian python3-yaml; without it the reports' own rule texts are used
    except ImportError:
        return {}
    rules = {}
    for path in sorted(glob.glob(os.path.join(folder, "*.yaml"))):
        try:
            with open(path, encoding="utf-8") as f:
                doc = yaml.safe_load(f)
        except (OSError, yaml.YAMLError):
            continue
        for r in doc if isinstance(doc, list) else []:
            if not isinstance(r, dict) or "id" not in r:
                continue
            info = {"id": str(r["id"]), "level": r.get("level"), "rfc": r.get("rfc"),
                    "sections": [str(s) for s in (r.get("section") or [])],
                    "statement": r.get("statement")}
            rules[info["id"]] = info
            for v in r.get("variants") or []:
                if isinstance(v, dict) and "id" in v:
                    rules.setdefault(str(v["id"]), info)
    return rules


def rules_of(res, catalogue):
    """The result's rules as dicts with at least an id; texts from the report, else the catalogue."""
    out = []
    for r in res.get("rules") or []:
        info = dict(r) if isinstance(r, dict) else {"id": str(r)}
        known = catalogue.get(str(info.get("id")), {})
        for k in ("level", "rfc", "sections", "statement"):
            if not info.get(k) and known.get(k):
                info[k] = known[k]
        out.append(info)
    return out


def counts_of(rep):
    c = collections.Counter()
    for r in rep.get("results", []):
        v = r.get("verdict")
        c[v if v in VERDICTS else "error"] += 1
    return c


def verdict_of(res):
    v = res.get("verdict")
    return v if v in VERDICTS else "error"


def render_transcript(res):
    """The HTML of one result's transcript, capped at CELL_CAP characters."""
    out = []
    used = 0
    events = res.get("transcript") or []
    for i, ev in enumerate(events):
        data = str(ev.get("data", ""))
        more = ""
        if len(data) > EVENT_CAP:
            more = " [... %d more characters]" % (len(data) - EVENT_CAP)
            data = data[:EVENT_CAP]
        if used + len(data) > CELL_CAP:
            out.append('<div class="ev note">[%d more events not shown here; see the JSON report]</div>'
                       % (len(events) - i))
            break
        used += len(data)
        d = ev.get("dir", "note")
        d = d if d in ("sent", "recv", "note") else "note"
        arrow = {"sent": "C:", "recv": "S:", "note": "--"}[d]
        ms = ev.get("ms")
        ms = "%9.1f" % ms if isinstance(ms, (int, float)) else " " * 9
        # The data is C-escaped printable ASCII; break the display after each \r\n.
        text = esc(data).replace("\\r\\n", "\\r\\n\n" + " " * 14)
        out.append('<div class="ev %s"><span class="ms">%s</span> <b>%s</b> %s%s</div>'
                   % (d, ms, arrow, text.rstrip(), esc(more)))
    dropped = res.get("transcript_dropped") or 0
    if dropped:
        out.append('<div class="ev note">[%s bytes not recorded (transcript cap)]</div>' % esc(dropped))
    return "".join(out) or '<div class="ev note">(empty transcript)</div>'


def render_detail(server, res):
    v = verdict_of(res)
    parts = ['<div class="det" data-srv="%s">' % esc(server),
             '<div class="dh"><span class="v %s">%s</span> on <b>%s</b> &middot; %s:%s'
             % (esc(v), esc(v), esc(server), esc(res.get("file")), esc(res.get("line")))]
    if isinstance(res.get("duration_ms"), (int, float)):
        parts.append(" &middot; %.1f ms" % res["duration_ms"])
    parts.append("</div>")
    if res.get("waiver"):
        parts.append('<div class="why">waived (was %s): %s</div>' % (esc(res.get("waived_from")), esc(res["waiver"])))
    if res.get("reason"):
        step = res.get("step")
        where = ""
        if step is not None:
            where = " (step %s, line %s)" % (esc(step), esc(res.get("step_line")))
        parts.append('<div class="why">%s%s</div>' % (esc(cut(res["reason"])), where))
    if res.get("expected") or res.get("received"):
        parts.append('<div class="why">expected <code>%s</code>, received <code>%s</code></div>'
                     % (esc(res.get("expected")), esc(res.get("received"))))
    warnings = res.get("warnings") or []
    for w in warnings[:WARN_CAP]:
        text = w.get("message", "") if isinstance(w, dict) else w
        parts.append('<div class="why warnl">warning: %s</div>' % esc(cut(text)))
    if len(warnings) > WARN_CAP:
        parts.append('<div class="why warnl">[%d more warnings in the JSON report]</div>' % (len(warnings) - WARN_CAP))
    parts.append('<pre class="tr">%s</pre></div>' % render_transcript(res))
    return "".join(parts)


def render_rules(rules, full):
    """Rule IDs with RFC sections; full: with the statements, one per line."""
    out = []
    for r in rules:
        where = " ".join(x for x in [str(r.get("rfc") or ""), ", ".join(r.get("sections") or [])] if x)
        title = "%s%s" % (where, (": " + str(r["statement"])) if r.get("statement") else "")
        if full:
            out.append('<div class="rule"><code>%s</code> <span class="sec">%s</span> %s</div>'
                       % (esc(r.get("id")), esc(where), esc(r.get("statement") or "")))
        else:
            out.append('<code title="%s">%s</code>' % (esc(title), esc(r.get("id"))))
    return "".join(out) if full else " ".join(out)


CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:0 2em 2em;color:#222}
h1{font-size:1.4em;margin:.3em 0} h2{font-size:1.2em;margin-top:1.4em}
table{border-collapse:collapse} th,td{border:1px solid #ccc;padding:2px 6px;vertical-align:top}
th{background:#f3f3f3;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.banner{margin:0 -2em 1em;padding:.8em 2em;border-bottom:3px solid}
.banner.ok{background:#e4f6e4;border-color:#2e7d32}.banner.bad{background:#fde2e2;border-color:#c62828}
.banner p{margin:.2em 0;font-size:15px}
.v{display:inline-block;min-width:3.5em;text-align:center;border-radius:3px;padding:0 4px;font-weight:600}
.pass{background:#d7f5d7;color:#155d15}.fail{background:#fbd0d0;color:#8a1010}
.warn{background:#fdf0c2;color:#7a5a00}.skip{background:#e6e6e6;color:#555}
.v.error{background:#fff;color:#5a1a80;border:2px dashed #7b3fa0}
td.c.error{background:#f3e9f9}
.na{background:#f7f7f7;color:#999}
.notrun{background:#dde3e8;color:#37474f}.waived{background:#d6e6fa;color:#0d47a1}
.c{cursor:pointer;text-align:center;white-space:nowrap}
.c:hover{outline:2px solid #58f}.c.open{outline:2px solid #14c}
.c small{display:block;font-size:10px;color:#555}
td.sid{font-family:ui-monospace,monospace;font-size:12px;max-width:46em}
td.sid a.perma{color:#999;text-decoration:none;margin-left:.3em}
td.sid .t{font-family:system-ui,sans-serif;color:#444}
.rule{font-family:system-ui,sans-serif;font-size:12px;color:#333}.rule code{font-size:11px}
.sec{color:#666}
.tag{display:inline-block;background:#eef;border-radius:3px;padding:0 3px;margin:0 2px;font-size:11px;color:#335}
tr.detrow>td{background:#fafafa}
.det{display:none;margin:4px 0}.det.show{display:block}
.dh{margin-bottom:2px}.why{margin:2px 0;font-size:13px}.warnl{color:#7a5a00}
pre.tr{margin:4px 0;padding:6px;background:#111;color:#ddd;font-size:12px;max-height:40em;overflow:auto;white-space:pre-wrap;word-break:break-all}
.ev.sent{color:#9cf}.ev.recv{color:#cfc}.ev.note{color:#fc8}.ms{color:#777}
#filters{position:sticky;top:0;background:#fff;padding:6px 0;border-bottom:1px solid #ddd;z-index:2}
#filters label{margin-right:1em}
.unavail{color:#8a1010}
code{background:#f3f3f3;padding:0 2px}
details{margin-top:1.2em} summary{cursor:pointer;font-weight:600;font-size:1.1em}
#all td{padding:1px 4px} #all td.m{font-size:11px;text-align:center}
"""

JS = r"""
(function(){
  var tagSel=document.getElementById('ftag'), lvlSel=document.getElementById('flevel'),
      srvSel=document.getElementById('fserver'), vSel=document.getElementById('fverdict'),
      q=document.getElementById('fq'), shown=document.getElementById('shown');
  function apply(){
    var tag=tagSel.value, lvl=lvlSel.value, srv=srvSel.value, v=vSel.value,
        s=q.value.toLowerCase(), n=0;
    var rows=document.querySelectorAll('tr.srow');
    for(var i=0;i<rows.length;i++){
      var r=rows[i], ok=true;
      if(tag && (' '+r.getAttribute('data-tags')+' ').indexOf(' '+tag+' ')<0) ok=false;
      if(lvl && r.getAttribute('data-level')!==lvl) ok=false;
      if(v){
        var want=srv ? ' '+srv+':'+v+' ' : ':'+v+' ';
        if((' '+r.getAttribute('data-verdicts')+' ').indexOf(want)<0) ok=false;
      }
      if(s && r.getAttribute('data-text').indexOf(s)<0) ok=false;
      r.style.display=ok?'':'none';
      var d=r.nextElementSibling;
      if(d && d.classList.contains('detrow')) d.style.display=(ok && d.getAttribute('data-open'))?'':'none';
      if(ok && r.closest('#dev')) n++;
    }
    shown.textContent=n;
  }
  [tagSel,lvlSel,srvSel,vSel].forEach(function(e){e.addEventListener('change',apply);});
  q.addEventListener('input',apply);
  document.addEventListener('click',function(ev){
    var td=ev.target.closest('td.c'); if(!td) return;
    var row=td.parentNode, det=row.nextElementSibling, srv=td.getAttribute('data-srv');
    if(!det || !det.classList.contains('detrow')) return;
    var box=det.querySelector('.det[data-srv="'+srv+'"]'); if(!box) return;
    var open=box.classList.toggle('show'); td.classList.toggle('open',open);
    var any=det.querySelector('.det.show');
    det.style.display=any?'':'none';
    if(any) det.setAttribute('data-open','1'); else det.removeAttribute('data-open');
  });
  apply();
  if(location.search.indexOf('selftest')>=0){
    var first=document.querySelector('#dev tr.srow');
    document.documentElement.setAttribute('data-first-deviation-top',
      first ? String(Math.round(first.getBoundingClientRect().top)) : 'none');
  }
})();
"""


def collect(servers):
    """order (scenario ids, file order), meta (id -> a result), by_server (server -> id -> result)."""
    order, meta, by_server = [], {}, {}
    for s in servers:
        rep = s["report"]
        if not rep:
            continue
        m = {}
        for r in rep["results"]:
            if not isinstance(r, dict):
                continue
            rid = str(r.get("id", "?"))
            m[rid] = r
            if rid not in meta:
                meta[rid] = r
                order.append(rid)
        by_server[s["server"]] = m
    order.sort(key=lambda rid: (str(meta[rid].get("file", "")), meta[rid].get("line") or 0, rid))
    return order, meta, by_server


def banner(servers, by_server, order):
    """(class, html): whether every server ran and kept its pins, and why not."""
    ran = [s for s in servers if s["report"]]
    missing = [s for s in servers if not s["report"]]
    broken = [s for s in ran if s["pins"] == "broken"]
    unpinned = collections.Counter()
    for s in ran:
        for r in by_server[s["server"]].values():
            if verdict_of(r) in ("fail", "error", "notrun"):
                unpinned[s["server"]] += 1
    deviating = sum(1 for rid in order if any(
        verdict_of(by_server[s["server"]][rid]) in DEVIANT for s in ran if rid in by_server[s["server"]]))
    lines = []
    bad = bool(broken or missing or not ran)
    if not ran:
        lines.append("No server ran.")
    elif broken:
        lines.append("Pins do not hold on %s: a verdict changed against scripts/interop/&lt;server&gt;/waivers.yaml."
                     % esc(", ".join(s["server"] for s in broken)))
    elif any(s["pins"] == "unknown" for s in ran):
        lines.append("%d servers ran; pins were not checked for %s." % (
            len(ran), esc(", ".join(s["server"] for s in ran if s["pins"] == "unknown"))))
    else:
        lines.append("Pins hold on all %d servers that ran: every deviation is known and explained." % len(ran))
    if unpinned:
        lines.append("Failing or erroring without a waiver: %s." % esc(
            ", ".join("%s %d" % (k, v) for k, v in sorted(unpinned.items()))))
        bad = True
    if missing:
        lines.append("Not available: %s." % esc("; ".join("%s (%s)" % (s["server"], s["status"]) for s in missing)))
    lines.append("%d of %d scenarios deviate on at least one server; they are listed first below."
                 % (deviating, len(order)))
    return ("bad" if bad else "ok"), "".join("<p>%s</p>" % ln for ln in lines)


def server_rows(h, servers):
    h.append("<h2>Servers</h2><table id=\"counts\"><tr><th>server</th><th>version</th><th>status</th><th>pins</th>")
    for v in VERDICTS:
        h.append("<th><span class=\"v %s\">%s</span></th>" % (v, v))
    h.append("<th>total</th><th>run time</th><th>port</th><th>-j</th></tr>")
    for s in servers:
        rep = s["report"]
        st = s["status"]
        extra = "<br><small>%s</small>" % esc(s["banner"]) if s.get("banner") else ""
        if s.get("note"):
            extra += "<br><small class=\"unavail\">%s</small>" % esc(s["note"])
        pins = {"ok": "hold", "broken": "<span class=\"unavail\">do not hold</span>", "unknown": "not checked"}
        h.append("<tr><td><b>%s</b></td><td>%s</td><td%s>%s%s</td><td%s>%s</td>"
                 % (esc(s["server"]), esc(s.get("version", "")), "" if st == "ok" else " class=\"unavail\"",
                    esc(st), extra, "" if s["pins"] != "broken" else " title=\"%s\"" % esc("\n".join(s["pin_lines"])),
                    pins[s["pins"]]))
        if rep:
            c = counts_of(rep)
            for v in VERDICTS:
                h.append("<td class=\"n\">%s</td>" % (c[v] or ""))
            dur = rep.get("duration_ms")
            h.append("<td class=\"n\">%d</td><td class=\"n\">%s</td>"
                     % (sum(c.values()), "%.1f s" % (dur / 1000) if isinstance(dur, (int, float)) else ""))
        else:
            h.append("<td colspan=\"%d\" class=\"na\">not run</td>" % (len(VERDICTS) + 2))
        h.append("<td class=\"n\">%s</td><td class=\"n\">%s</td></tr>" % (esc(s.get("port", "")), esc(s.get("jobs", ""))))
    h.append("</table>")


def filters(h, tags, levels, servers, ndev):
    h.append("<div id=\"filters\">")
    h.append("<label>tag <select id=\"ftag\"><option value=\"\">all</option>%s</select></label>"
             % "".join("<option>%s</option>" % esc(t) for t in tags))
    h.append("<label>level <select id=\"flevel\"><option value=\"\">all</option>%s</select></label>"
             % "".join("<option>%s</option>" % esc(lv) for lv in levels))
    h.append("<label>server <select id=\"fserver\"><option value=\"\">any</option>%s</select></label>"
             % "".join("<option>%s</option>" % esc(s["server"]) for s in servers if s["report"]))
    h.append("<label>gave <select id=\"fverdict\"><option value=\"\">anything</option>%s</select></label>"
             % "".join("<option>%s</option>" % v for v in VERDICTS))
    h.append("<label>search <input id=\"fq\" type=\"search\" size=\"28\" placeholder=\"id, title, rule, reason\"></label>")
    h.append("<span><span id=\"shown\">%d</span> of %d deviating scenarios shown</span></div>" % (ndev, ndev))


def cell(server, res):
    v = verdict_of(res)
    tip = cut(res.get("waiver") or res.get("reason") or "; ".join(
        (w.get("message", "") if isinstance(w, dict) else str(w)) for w in (res.get("warnings") or [])), 200)
    sub = "<small>was %s</small>" % esc(res.get("waived_from")) if v == "waived" and res.get("waived_from") else ""
    return ("<td class=\"c %s\" data-srv=\"%s\" title=\"%s\"><span class=\"v %s\">%s</span>%s</td>"
            % (v, esc(server), esc(tip), v, v, sub))


def scenario_row(h, rid, r, rules, servers, by_server, ncols):
    verdicts, cells, dets, text = [], [], [], [rid, r.get("title", "")]
    for s in servers:
        m = by_server.get(s["server"])
        if m is None:
            cells.append("<td class=\"na\" title=\"%s\">n/a</td>" % esc(s["status"]))
            continue
        res = m.get(rid)
        if res is None:
            cells.append("<td class=\"na\" title=\"not in this run\">&ndash;</td>")
            continue
        v = verdict_of(res)
        verdicts.append("%s:%s" % (s["server"], v))
        cells.append(cell(s["server"], res))
        if v != "pass" and v != "skip":
            dets.append(render_detail(s["server"], res))
            text.append(cut(res.get("reason"), 120))
    text.extend(str(x.get("id")) for x in rules)
    rtags = [str(t) for t in (r.get("tags") or [])]
    h.append("<tr class=\"srow\" id=\"%s\" data-tags=\"%s\" data-level=\"%s\" data-verdicts=\"%s\" data-text=\"%s\">"
             % (anchor(rid), esc(" ".join(rtags)), esc(r.get("level", "")), esc(" ".join(verdicts)),
                esc(" ".join(text).lower())))
    h.append("<td class=\"sid\">%s<a class=\"perma\" href=\"#%s\" title=\"link to this scenario\">#</a> "
             "<span class=\"t\">%s</span> %s%s</td><td>%s</td>"
             % (esc(rid), anchor(rid), esc(r.get("title", "")),
                "".join("<span class=\"tag\">%s</span>" % esc(t) for t in rtags),
                render_rules(rules, True), esc(r.get("level", ""))))
    h.extend(cells)
    h.append("</tr><tr class=\"detrow\" style=\"display:none\"><td colspan=\"%d\">%s</td></tr>" % (ncols, "".join(dets)))


def deviation_rank(rid, servers, by_server):
    hard = soft = 0
    for s in servers:
        res = by_server.get(s["server"], {}).get(rid)
        v = verdict_of(res) if res else "pass"
        hard += v in ("fail", "error", "notrun")
        soft += v in ("warn", "waived")
    return hard, soft


def all_rows(h, order, meta, servers, by_server, deviating):
    """Every scenario, compact: one letter per server, linked to its deviation row."""
    letter = {"pass": "&#10003;", "fail": "F", "error": "E", "warn": "W", "notrun": "N", "waived": "w", "skip": "s"}
    h.append("<details id=\"all\"><summary>Every scenario (%d)</summary><table><tr><th>scenario</th><th>rules</th>"
             % len(order))
    h.append("".join("<th>%s</th>" % esc(s["server"]) for s in servers if s["report"]) + "</tr>")
    for rid in order:
        name = ("<a href=\"#%s\">%s</a>" % (anchor(rid), esc(rid))) if rid in deviating else esc(rid)
        h.append("<tr><td>%s</td><td>%s</td>" % (name, esc(" ".join(str(x) for x in
                                                                      (meta[rid].get("rules") or []) if not isinstance(x, dict)))))
        for s in servers:
            if not s["report"]:
                continue
            res = by_server[s["server"]].get(rid)
            v = verdict_of(res) if res else None
            h.append("<td class=\"m %s\">%s</td>" % (v or "na", letter.get(v, "&ndash;")))
        h.append("</tr>")
    h.append("</table></details>")


def tag_rows(h, tags, order, meta, servers, by_server):
    h.append("<details id=\"bytag\"><summary>By tag</summary><table><tr><th>tag</th><th>scenarios</th>")
    h.append("".join("<th>%s</th>" % esc(s["server"]) for s in servers) + "</tr>")
    for t in tags:
        ids = [rid for rid in order if t in (meta[rid].get("tags") or [])]
        h.append("<tr><td>%s</td><td class=\"n\">%d</td>" % (esc(t), len(ids)))
        for s in servers:
            m = by_server.get(s["server"])
            if m is None:
                h.append("<td class=\"na\">n/a</td>")
                continue
            c = collections.Counter(verdict_of(m[rid]) for rid in ids if rid in m)
            badges = "".join(" <span class=\"v %s\">%d</span>" % (v, c[v]) for v in ("fail", "error") if c[v])
            h.append("<td class=\"n\" title=\"%s\">%d/%d%s</td>" % (
                esc(", ".join("%s %d" % (v, c[v]) for v in VERDICTS if c[v])), c["pass"], sum(c.values()), badges))
        h.append("</tr>")
    h.append("</table></details>")


def find_servers(a):
    servers = []  # dicts: server, version, status, port, jobs, seconds, banner, path
    if a.pairs:
        for p in a.pairs:
            name, _, path = p.partition("=")
            servers.append({"server": name, "path": path or os.path.join(a.reports, "interop-%s.json" % name)})
    elif a.status and os.path.exists(a.status):
        for row in read_status(a.status):
            row["path"] = os.path.join(a.reports, "interop-%s.json" % row["server"])
            servers.append(row)
    else:
        for fn in sorted(os.listdir(a.reports)):
            if fn.startswith("interop-") and fn.endswith(".json"):
                servers.append({"server": fn[len("interop-"):-len(".json")], "path": os.path.join(a.reports, fn)})
    servers.sort(key=lambda s: KNOWN_ORDER.index(s["server"]) if s["server"] in KNOWN_ORDER else len(KNOWN_ORDER))
    pins_dir = a.pins or (os.path.dirname(a.status) if a.status else None)
    for s in servers:
        s.setdefault("status", "ok")
        s["report"] = None
        if s["status"] == "ok" or s["status"].startswith("error"):
            rep, problem = load_report(s["path"])
            s["report"] = rep
            if rep is None and s["status"] == "ok":
                s["status"] = "error: " + problem
        s["pins"], s["pin_lines"] = (read_pins(os.path.join(pins_dir, s["server"], "pins.txt"))
                                     if pins_dir and s["report"] else ("unknown", []))
    return servers


def page(servers, catalogue):
    order, meta, by_server = collect(servers)
    ran = [s for s in servers if s["report"]]
    deviating = [rid for rid in order if any(
        verdict_of(by_server[s["server"]][rid]) in DEVIANT for s in ran if rid in by_server[s["server"]])]
    deviating.sort(key=lambda rid: tuple(-x for x in deviation_rank(rid, servers, by_server)))
    tags = sorted({str(t) for r in meta.values() for t in (r.get("tags") or [])})
    levels = [lv for lv in ("MUST", "SHOULD", "MAY", "HARDEN") if any(r.get("level") == lv for r in meta.values())]
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    tool = next((s["report"].get("version") for s in ran), "unknown")
    cls, text = banner(servers, by_server, order)
    h = ["<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<title>smtp-harness interop</title><style>%s</style></head><body>" % CSS,
         "<header class=\"banner %s\"><h1>smtp-harness interop: %d scenarios, %d servers</h1>%s"
         "<p><small>smtp-harness %s &middot; 127.0.0.1 &middot; generated %s &middot; transcripts of deviating "
         "cells only (click a cell); every transcript is in reports/interop-&lt;server&gt;.json</small></p></header>"
         % (cls, len(order), len(servers), text, esc(tool), esc(now))]
    server_rows(h, servers)
    h.append("<h2 id=\"deviations\">Where servers deviate (%d scenarios)</h2>" % len(deviating))
    filters(h, tags, levels, servers, len(deviating))
    h.append("<table id=\"dev\"><thead><tr><th>scenario and rules</th><th>level</th>")
    for s in servers:
        h.append("<th title=\"%s\">%s%s</th>" % (esc(s["status"]), esc(s["server"]),
                                                  "" if s["report"] else "<br><small class=\"unavail\">not available</small>"))
    h.append("</tr></thead><tbody>")
    for rid in deviating:
        scenario_row(h, rid, meta[rid], rules_of(meta[rid], catalogue), servers, by_server, 2 + len(servers))
    h.append("</tbody></table>")
    all_rows(h, order, meta, servers, by_server, set(deviating))
    if tags and by_server:
        tag_rows(h, tags, order, meta, servers, by_server)
    h.append("<script>%s</script></body></html>\n" % JS)
    return "".join(h)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--status", help="build/interop/status.tsv from scripts/interop.sh")
    ap.add_argument("--reports", default="reports", help="folder of interop-<server>.json")
    ap.add_argument("--pins", help="folder of <server>/pins.txt (default: the status file's folder)")
    ap.add_argument("--catalogue", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                                        "scenarios", "rules"),
                    help="the rule catalogue, for rule texts a report lacks")
    ap.add_argument("--out", default="reports/interop.html")
    ap.add_argument("pairs", nargs="*", metavar="SERVER=FILE")
    a = ap.parse_args()

    servers = find_servers(a)
    if not servers:
        print("interop-matrix: no servers (no status file and no reports)", file=sys.stderr)
    text = page(servers, load_catalogue(a.catalogue))
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    tmp = a.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, a.out)

    # A plain summary for the terminal.
    print("%-12s %-28s %5s %5s %5s %5s %5s %6s  %s" % ("server", "version", "pass", "fail", "warn", "skip",
                                                      "error", "waived", "status"))
    for s in servers:
        if s["report"]:
            c = counts_of(s["report"])
            print("%-12s %-28s %5d %5d %5d %5d %5d %6d  %s" % (s["server"], s.get("version", "")[:28], c["pass"],
                                                              c["fail"], c["warn"], c["skip"], c["error"],
                                                              c["waived"], s["status"]))
        else:
            print("%-12s %-28s %5s %5s %5s %5s %5s %6s  %s" % (s["server"], s.get("version", "")[:28], "-", "-", "-",
                                                              "-", "-", "-", s["status"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
