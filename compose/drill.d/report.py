#!/usr/bin/env python3
"""compose/drill.d/report.py: the analysis of a compose/drill run.

report DIR   reads DIR/checker.log, events.log, exists.out, meta.json; writes DIR/report.json
             (printed) and DIR/timeline.svg
compare DIR  a table of DIR/*/report.json (compose/drill all --compare)
"""
import json
import os
import sys


def load_checker(path):
    rows = []
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) < 5 or p[3] not in ("ok", "err"):
                continue
            rows.append({"t0": int(p[0]), "t1": int(p[1]), "seq": int(p[2]), "ok": p[3] == "ok",
                         "addr": p[4], "reply": " ".join(p[5:])})
    return rows


def load_events(path):
    ev = []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                p = line.rstrip("\n").split(" ", 3)
                if len(p) >= 3 and p[0].isdigit():
                    ev.append({"t": int(p[0]), "sentinel": p[1], "type": p[2],
                               "msg": p[3] if len(p) > 3 else ""})
    return ev


def ranges(seqs):
    out = []
    for s in sorted(seqs):
        if out and s == out[-1][1] + 1:
            out[-1][1] = s
        else:
            out.append([s, s])
    return out


def report(d):
    meta = json.load(open(os.path.join(d, "meta.json")))
    rows = load_checker(os.path.join(d, "checker.log"))
    events = load_events(os.path.join(d, "events.log"))
    tf = meta["t_fault_ms"]  # when the fault command returned: times are relative to it
    ti = meta.get("t_inject_ms", tf)  # when it started
    rel = lambda t: round((t - tf) / 1000.0, 3)

    first = {}
    for e in events:
        # +sdown/+odown of the master only (not of a killed sentinel or replica)
        if e["type"] in ("+sdown", "-sdown", "+odown", "-odown") and \
                not e["msg"].startswith("master "):
            continue
        if e["t"] >= ti and e["type"] not in first:
            first[e["type"]] = e
    ev_times = {k: rel(first[k]["t"]) if k in first else None
                for k in ("+sdown", "+odown", "+try-failover", "+elected-leader",
                          "+selected-slave", "+promoted-slave", "+switch-master", "-odown",
                          "+convert-to-slave", "+tilt")}

    # Write unavailability: the first failed write ending after the fault to the first
    # acknowledged write after it.
    unavail = None
    first_err = next((r for r in rows if not r["ok"] and r["t1"] >= ti), None)
    if first_err:
        first_ok = next((r for r in rows if r["ok"] and r["seq"] > first_err["seq"]), None)
        unavail = {"first_failed_s": rel(first_err["t0"]),
                   "first_success_s": rel(first_ok["t1"]) if first_ok else None,
                   "window_s": round((first_ok["t1"] - first_err["t0"]) / 1000.0, 3)
                   if first_ok else None,
                   "failed_attempts": sum(1 for r in rows if not r["ok"] and r["t1"] >= ti)}

    acked = [r for r in rows if r["ok"]]
    exists = []
    ep = os.path.join(d, "exists.out")
    if os.path.exists(ep):
        exists = [l.strip() for l in open(ep) if l.strip()]
    verified = len(exists) == len(acked)
    lost = [r["seq"] for r, e in zip(acked, exists) if e != "1"] if verified else []
    final_host = meta["final_master"].split(":")[0]
    t_switch = first["+switch-master"]["t"] if "+switch-master" in first else meta["t_agree_ms"]
    # Acknowledged by a node other than the final master after the failover decision.
    stale = [r["seq"] for r in acked if r["addr"] != final_host and r["t1"] > t_switch]
    stale_lost = sorted(set(stale) & set(lost))

    rep = {
        "system": meta["system"], "scenario": meta["scenario"], "image": meta["image"],
        "new_master": meta["new_master"], "final_master": meta["final_master"],
        "sentinels_agree": meta["sentinels_agree"], "live_sentinels": meta["live_sentinels"],
        "fault_command_s": rel(ti),
        "agree_s": rel(meta["t_agree_ms"]),
        "heal_s": rel(meta["t_heal_ms"]) if meta.get("t_heal_ms") else None,
        "old_master_after_heal": meta.get("old_master_after_heal") or None,
        "events_s": ev_times,
        "writes": {"attempts": len(rows), "acked": len(acked),
                   "failed": sum(1 for r in rows if not r["ok"]),
                   "rate_per_s": round(len(rows) / max(0.001, (rows[-1]["t1"] - rows[0]["t0"]) / 1000.0), 1)
                   if rows else 0},
        "unavailability": unavail,
        "acked_verified": verified,
        "acked_lost": {"count": len(lost), "ranges": ranges(lost)},
        "acked_by_later_demoted_after_switch": {"count": len(stale), "ranges": ranges(stale),
                                                "lost": len(stale_lost)},
        "roles_at_end": meta.get("roles_at_end"),
    }
    problems = []
    if not meta["sentinels_agree"]:
        problems.append("sentinels do not agree")
    if not verified:
        problems.append("acknowledged writes not verified")
    if meta["scenario"] in ("kill-master", "pause-master", "kill-sentinel", "partition-master") \
            and final_host in ("master", "-"):
        problems.append("no failover")
    if meta["scenario"] in ("pause-master", "partition-master") and \
            not (meta.get("old_master_after_heal") or "").startswith("replica of"):
        problems.append("old master not demoted")
    if meta["scenario"] == "restart-all" and lost:
        problems.append("acknowledged writes lost")
    import re
    masters = re.findall(r"(master|replica1|replica2): master\b", meta.get("roles_at_end") or "")
    rep["masters_at_end"] = masters
    if len(masters) != 1:
        problems.append("%d servers report role master at the end" % len(masters))
    rep["problems"] = problems
    rep["pass"] = not problems
    with open(os.path.join(d, "report.json"), "w") as f:
        json.dump(rep, f, indent=1)
    print(json.dumps(rep, indent=1))
    svg(d, rows, events, tf, rep, set(lost))


def svg(d, rows, events, tf, rep, lost=frozenset()):
    if not rows:
        return
    t_lo = min(r["t0"] for r in rows)
    t_hi = max(r["t1"] for r in rows)
    W, H, L, R = 1100, 300, 60, 20
    x = lambda t: L + (t - t_lo) * (W - L - R) / max(1, t_hi - t_lo)
    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="11">',
         f'<rect width="{W}" height="{H}" fill="white"/>',
         f'<text x="{L}" y="16" font-size="13">{rep["system"]} {rep["scenario"]}: writes (green ok, red failed) and sentinel events; '
         f'lost acked: {rep["acked_lost"]["count"]}, unavailable: '
         f'{(rep["unavailability"] or {}).get("window_s")} s</text>',
         f'<text x="5" y="95">acked</text><text x="5" y="135">failed</text>'
         f'<text x="5" y="75" fill="#a0a">lost</text>']
    for r in rows:
        y, c = (80, "#2a2") if r["ok"] else (120, "#d22")
        if r["seq"] in lost:
            y, c = 60, "#a0a"
        o.append(f'<line x1="{x(r["t0"]):.1f}" x2="{x(r["t0"]):.1f}" y1="{y}" y2="{y + 20}" stroke="{c}"/>')
    o.append(f'<line x1="{x(tf):.1f}" x2="{x(tf):.1f}" y1="30" y2="{H - 30}" stroke="black" stroke-width="2"/>'
             f'<text x="{x(tf) + 3:.1f}" y="40">fault</text>')
    seen = set()
    y = 160
    for e in events:
        key = (e["type"], e["sentinel"])
        if e["type"] not in ("+sdown", "+odown", "+switch-master", "+convert-to-slave", "+tilt",
                             "-sdown", "+promoted-slave", "+elected-leader") or key in seen:
            continue
        seen.add(key)
        if e["t"] < t_lo or e["t"] > t_hi:
            continue
        o.append(f'<line x1="{x(e["t"]):.1f}" x2="{x(e["t"]):.1f}" y1="60" y2="{y}" stroke="#88f" stroke-dasharray="2,2"/>'
                 f'<text x="{x(e["t"]) + 2:.1f}" y="{y}">{e["type"]} ({e["sentinel"][-1]})</text>')
        y = 160 if y > H - 40 else y + 12
    for s in range(-((tf - t_lo) // 1000), (t_hi - tf) // 1000 + 1):
        t = tf + s * 1000
        o.append(f'<text x="{x(t):.1f}" y="{H - 5}">{(t - tf) / 1000:.0f}s</text>')
    o.append("</svg>")
    with open(os.path.join(d, "timeline.svg"), "w") as f:
        f.write("\n".join(o))


def compare(base):
    rows = []
    for name in sorted(os.listdir(base)):
        p = os.path.join(base, name, "report.json")
        if not os.path.isdir(os.path.join(base, name)):
            continue
        if not os.path.exists(p):
            rows.append((name, "no report", "", "", "", "", "", "", ""))
            continue
        r = json.load(open(p))
        u = r["unavailability"] or {}
        ev = r["events_s"]
        rows.append((r["system"] + " " + r["scenario"], str(ev.get("+sdown")), str(ev.get("+odown")),
                     str(ev.get("+switch-master")), str(u.get("window_s")),
                     str(r["acked_lost"]["count"]),
                     str(r["acked_by_later_demoted_after_switch"]["count"]), str(r["sentinels_agree"]),
                     "PASS" if r["pass"] else "FAIL " + "; ".join(r["problems"])))
    head = ("run", "+sdown s", "+odown s", "+switch s", "unavail s", "lost", "stale acked", "agree",
            "result")
    w = [max(len(x[i]) for x in rows + [head]) for i in range(len(head))]
    for row in [head] + rows:
        print("  ".join(c.ljust(w[i]) for i, c in enumerate(row)))


if __name__ == "__main__":
    {"report": report, "compare": compare}[sys.argv[1]](sys.argv[2])
