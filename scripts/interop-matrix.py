#!/usr/bin/python3
"""Writes reports/interop.html from the per-server JSON reports of `make interop`.

usage: interop-matrix.py [--status build/interop/status.tsv] [--reports reports]
                         [--out reports/interop.html] [SERVER=REPORT.json ...]

The status file (written by scripts/interop.sh) has one line per server:
server, port, version, status ("ok", "not available: REASON" or "error: ..."),
jobs, seconds, banner. Without it, the servers are the SERVER=FILE arguments,
or every reports/interop-<server>.json. Each report is an smtp-harness JSON
report (harness/report/report_json.md, schema_version 1).

The page is self-contained (inline CSS and JS, no external resource): a count
table per server, a matrix of scenarios (rows) by servers (columns) that can be
filtered by tag, level, verdict and id, and each cell opens the scenario's
transcript on that server. Every string from a report is HTML-escaped.
"""
import argparse
import collections
import datetime
import html
import json
import os
import sys

VERDICTS = ("pass", "fail", "warn", "skip", "error", "notrun", "waived")
# Per transcript event and per cell: what is shown of a long conversation.
EVENT_CAP = 2000
CELL_CAP = 24000


def esc(s):
    return html.escape("" if s is None else str(s), quote=True)


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
    if rep.get("schema_version") != 1:
        return rep, None  # newer schemas only add keys; read what we know
    return rep, None


def counts_of(rep):
    c = collections.Counter()
    for r in rep.get("results", []):
        v = r.get("verdict")
        c[v if v in VERDICTS else "error"] += 1
    return c


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
    v = res.get("verdict", "error")
    parts = ['<div class="det" data-srv="%s">' % esc(server),
             '<div class="dh"><span class="v %s">%s</span> <b>%s</b> on <b>%s</b> &middot; %s &middot; %s:%s'
             % (esc(v), esc(v), esc(res.get("id")), esc(server), esc(res.get("level")),
                esc(res.get("file")), esc(res.get("line")))]
    if isinstance(res.get("duration_ms"), (int, float)):
        parts.append(" &middot; %.1f ms" % res["duration_ms"])
    parts.append("</div>")
    if res.get("reason"):
        step = res.get("step")
        where = ""
        if step is not None:
            where = " (step %s, line %s)" % (esc(step), esc(res.get("step_line")))
        parts.append('<div class="why">%s%s</div>' % (esc(res["reason"]), where))
    if res.get("expected") or res.get("received"):
        parts.append('<div class="why">expected <code>%s</code>, received <code>%s</code></div>'
                     % (esc(res.get("expected")), esc(res.get("received"))))
    for w in res.get("warnings") or []:
        parts.append('<div class="why warnl">warning: %s</div>' % esc(w))
    parts.append('<pre class="tr">%s</pre></div>' % render_transcript(res))
    return "".join(parts)


CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1em 2em;color:#222}
h1{font-size:1.5em} h2{font-size:1.2em;margin-top:1.5em}
table{border-collapse:collapse} th,td{border:1px solid #ccc;padding:2px 6px;vertical-align:top}
th{background:#f3f3f3;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.v{display:inline-block;min-width:3.5em;text-align:center;border-radius:3px;padding:0 4px;font-weight:600}
.pass{background:#d7f5d7;color:#155d15}.fail{background:#fbd0d0;color:#8a1010}
.warn{background:#fdf0c2;color:#7a5a00}.skip{background:#e6e6e6;color:#555}
.error{background:#e9d5f5;color:#5a1a80}.na{background:#f7f7f7;color:#999}
.notrun{background:#dde3e8;color:#37474f}.waived{background:#d6e6fa;color:#0d47a1}
#matrix td.c{cursor:pointer;text-align:center;white-space:nowrap}
#matrix td.c:hover{outline:2px solid #58f}
#matrix td.c.open{outline:2px solid #14c}
#matrix td.sid{font-family:ui-monospace,monospace;font-size:12px}
#matrix td.sid small{font-family:system-ui,sans-serif;color:#666}
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
"""

JS = r"""
(function(){
  var tagSel=document.getElementById('ftag'), lvlSel=document.getElementById('flevel'),
      vSel=document.getElementById('fverdict'), idIn=document.getElementById('fid'),
      dis=document.getElementById('fdis'), shown=document.getElementById('shown');
  function apply(){
    var tag=tagSel.value, lvl=lvlSel.value, v=vSel.value, q=idIn.value.toLowerCase(), n=0;
    var rows=document.querySelectorAll('#matrix tr.srow');
    for(var i=0;i<rows.length;i++){
      var r=rows[i], ok=true;
      if(tag && (' '+r.getAttribute('data-tags')+' ').indexOf(' '+tag+' ')<0) ok=false;
      if(lvl && r.getAttribute('data-level')!==lvl) ok=false;
      if(v && (' '+r.getAttribute('data-verdicts')+' ').indexOf(' '+v+' ')<0) ok=false;
      if(q && r.getAttribute('data-id').toLowerCase().indexOf(q)<0) ok=false;
      if(dis.checked && r.getAttribute('data-differ')!=='1') ok=false;
      r.style.display=ok?'':'none';
      var d=r.nextElementSibling;
      if(d && d.classList.contains('detrow') && !ok) d.style.display='none';
      if(d && d.classList.contains('detrow') && ok && d.getAttribute('data-open')) d.style.display='';
      if(ok) n++;
    }
    shown.textContent=n;
  }
  [tagSel,lvlSel,vSel,dis].forEach(function(e){e.addEventListener('change',apply);});
  idIn.addEventListener('input',apply);
  document.getElementById('matrix').addEventListener('click',function(ev){
    var td=ev.target.closest('td.c'); if(!td) return;
    var row=td.parentNode, det=row.nextElementSibling, srv=td.getAttribute('data-srv');
    if(!det || !det.classList.contains('detrow')) return;
    var box=det.querySelector('.det[data-srv="'+srv+'"]'); if(!box) return;
    var open=box.classList.toggle('show'); td.classList.toggle('open',open);
    var any=det.querySelector('.det.show');
    det.style.display=any?'':'none';
    if(any) det.setAttribute('data-open','1'); else det.removeAttribute('data-open');
  });
  document.getElementById('expandfail').addEventListener('click',function(){
    var cells=document.querySelectorAll('#matrix tr.srow td.c.fail, #matrix tr.srow td.c.error');
    for(var i=0;i<cells.length;i++){ if(cells[i].parentNode.style.display!=='none' && !cells[i].classList.contains('open')) cells[i].click(); }
  });
  document.getElementById('collapse').addEventListener('click',function(){
    var cells=document.querySelectorAll('#matrix td.c.open');
    for(var i=0;i<cells.length;i++) cells[i].click();
  });
  apply();
})();
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--status", help="build/interop/status.tsv from scripts/interop.sh")
    ap.add_argument("--reports", default="reports", help="folder of interop-<server>.json")
    ap.add_argument("--out", default="reports/interop.html")
    ap.add_argument("pairs", nargs="*", metavar="SERVER=FILE")
    a = ap.parse_args()

    servers = []  # dicts: server, version, status, port, jobs, seconds, banner, report
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
    # The usual order (the driver's), whatever order the status file has.
    known = ["postfix", "exim", "opensmtpd", "aiosmtpd", "smtp-server", "haraka"]
    servers.sort(key=lambda s: known.index(s["server"]) if s["server"] in known else len(known))
    if not servers:
        print("interop-matrix: no servers (no status file and no reports)", file=sys.stderr)

    for s in servers:
        s.setdefault("status", "ok")
        s["report"] = None
        if s["status"] == "ok" or s["status"].startswith("error"):
            rep, problem = load_report(s["path"])
            s["report"] = rep
            if rep is None and s["status"] == "ok":
                s["status"] = "error: " + problem

    # Rows: every scenario id, in the run order of the first report that has it.
    order = []
    meta = {}
    by_server = {}
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

    tags = sorted({str(t) for r in meta.values() for t in (r.get("tags") or [])})
    levels = [lv for lv in ("MUST", "SHOULD", "MAY", "HARDEN") if any(r.get("level") == lv for r in meta.values())]

    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    tool = next((s["report"].get("version") for s in servers if s["report"]), "unknown")
    h = []
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
             "<title>smtp-harness interop matrix</title><style>%s</style></head><body>" % CSS)
    h.append("<h1>smtp-harness interop matrix</h1>")
    h.append("<p>%d scenarios against %d servers on 127.0.0.1; smtp-harness %s; generated %s. "
             "Click a cell for the transcript.</p>" % (len(order), len(servers), esc(tool), esc(now)))

    # Per-server counts.
    h.append("<h2>Servers</h2><table id=\"counts\"><tr><th>server</th><th>version</th><th>port</th><th>status</th>")
    for v in VERDICTS:
        h.append("<th><span class=\"v %s\">%s</span></th>" % (v, v))
    h.append("<th>total</th><th>run time</th><th>-j</th></tr>")
    for s in servers:
        rep = s["report"]
        h.append("<tr><td><b>%s</b></td><td>%s</td><td class=\"n\">%s</td>"
                 % (esc(s["server"]), esc(s.get("version", "")), esc(s.get("port", ""))))
        st = s["status"]
        extra = ""
        if s.get("banner"):
            extra += "<br><small>%s</small>" % esc(s["banner"])
        if s.get("note"):
            extra += "<br><small class=\"unavail\">%s</small>" % esc(s["note"])
        h.append("<td%s>%s%s</td>" % ("" if st == "ok" else " class=\"unavail\"", esc(st), extra))
        if rep:
            c = counts_of(rep)
            for v in VERDICTS:
                h.append("<td class=\"n\">%d</td>" % c[v])
            dur = rep.get("duration_ms")
            h.append("<td class=\"n\">%d</td><td class=\"n\">%s</td>"
                     % (sum(c.values()), "%.1f s" % (dur / 1000) if isinstance(dur, (int, float)) else ""))
        else:
            h.append("<td colspan=\"7\" class=\"na\">not run</td>")
        h.append("<td class=\"n\">%s</td></tr>" % esc(s.get("jobs", "")))
    h.append("</table>")

    # Per-tag pass counts.
    if tags and by_server:
        h.append("<h2>By tag</h2><table id=\"bytag\"><tr><th>tag</th><th>scenarios</th>")
        for s in servers:
            h.append("<th>%s</th>" % esc(s["server"]))
        h.append("</tr>")
        for t in tags:
            ids = [rid for rid in order if t in (meta[rid].get("tags") or [])]
            h.append("<tr><td>%s</td><td class=\"n\">%d</td>" % (esc(t), len(ids)))
            for s in servers:
                m = by_server.get(s["server"])
                if m is None:
                    h.append("<td class=\"na\">n/a</td>")
                    continue
                c = collections.Counter(m[rid].get("verdict") for rid in ids if rid in m)
                bad = c["fail"] + c["error"]
                h.append("<td class=\"n\" title=\"%s\">%d/%d%s</td>" % (
                    esc(", ".join("%s %d" % (v, c[v]) for v in VERDICTS if c[v])), c["pass"], sum(c.values()),
                    (" <span class=\"v fail\">%d</span>" % bad) if bad else ""))
            h.append("</tr>")
        h.append("</table>")

    # Filters and the matrix.
    h.append("<h2>Scenarios</h2><div id=\"filters\">")
    h.append("<label>tag <select id=\"ftag\"><option value=\"\">all</option>%s</select></label>"
             % "".join("<option>%s</option>" % esc(t) for t in tags))
    h.append("<label>level <select id=\"flevel\"><option value=\"\">all</option>%s</select></label>"
             % "".join("<option>%s</option>" % esc(lv) for lv in levels))
    h.append("<label>a server gave <select id=\"fverdict\"><option value=\"\">anything</option>%s</select></label>"
             % "".join("<option>%s</option>" % v for v in VERDICTS))
    h.append("<label>id <input id=\"fid\" type=\"search\" size=\"24\" placeholder=\"substring\"></label>")
    h.append("<label><input id=\"fdis\" type=\"checkbox\"> servers disagree</label>")
    h.append("<button id=\"expandfail\" type=\"button\">open fail/error cells</button> "
             "<button id=\"collapse\" type=\"button\">close all</button> "
             "<span><span id=\"shown\">%d</span> of %d shown</span></div>" % (len(order), len(order)))
    h.append("<table id=\"matrix\"><thead><tr><th>scenario</th><th>level</th>")
    for s in servers:
        h.append("<th title=\"%s\">%s%s</th>" % (esc(s["status"]), esc(s["server"]),
                                                  "" if s["report"] else "<br><small class=\"unavail\">not available</small>"))
    h.append("</tr></thead><tbody>")
    ncols = 2 + len(servers)
    for rid in order:
        r = meta[rid]
        verdicts = []
        cells = []
        dets = []
        for s in servers:
            m = by_server.get(s["server"])
            if m is None:
                cells.append("<td class=\"na\" title=\"%s\">n/a</td>" % esc(s["status"]))
                continue
            res = m.get(rid)
            if res is None:
                cells.append("<td class=\"na\" title=\"not in this run\">&ndash;</td>")
                continue
            v = res.get("verdict")
            v = v if v in VERDICTS else "error"
            verdicts.append(v)
            tip = res.get("reason") or ("; ".join(res.get("warnings") or []))
            cells.append("<td class=\"c %s\" data-srv=\"%s\" title=\"%s\"><span class=\"v %s\">%s</span></td>"
                         % (v, esc(s["server"]), esc(tip), v, v))
            dets.append(render_detail(s["server"], res))
        differ = "1" if len(set(verdicts)) > 1 else "0"
        rtags = [str(t) for t in (r.get("tags") or [])]
        h.append("<tr class=\"srow\" data-id=\"%s\" data-tags=\"%s\" data-level=\"%s\" data-verdicts=\"%s\" data-differ=\"%s\">"
                 % (esc(rid), esc(" ".join(rtags)), esc(r.get("level", "")), " ".join(sorted(set(verdicts))), differ))
        h.append("<td class=\"sid\">%s<br><small>%s</small> %s</td><td>%s</td>"
                 % (esc(rid), esc(r.get("title", "")), "".join("<span class=\"tag\">%s</span>" % esc(t) for t in rtags),
                    esc(r.get("level", ""))))
        h.extend(cells)
        h.append("</tr><tr class=\"detrow\" style=\"display:none\"><td colspan=\"%d\">%s</td></tr>" % (ncols, "".join(dets)))
    h.append("</tbody></table>")
    h.append("<script>%s</script></body></html>\n" % JS)

    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    tmp = a.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("".join(h))
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
