#!/usr/bin/env python3
"""compose/drill.d/report.py: the analysis of a compose/drill run.

report DIR   reads DIR/checker.log (and side.log), events.log, exists.out, meta.json; writes
             DIR/report.json (printed) and DIR/timeline.svg
compare DIR  a table of DIR/*/report.json (compose/drill all --compare)

Words: a write is *acknowledged* when SET answered OK, and *confirmed* when the WAIT 2 that
followed it on the same connection said both replicas had it (every server of the topology). Times are seconds from the moment the
fault command returned (negative: before it).
"""
import json
import os
import re
import sys

FAULTS = {"kill-master": "docker kill master", "pause-master": "docker pause master",
          "kill-sentinel": "docker kill sentinel1, then master",
          "partition-master": "network disconnect master", "restart-all": "stop + start all"}
HEALS = {"pause-master": "docker unpause master", "partition-master": "network connect master"}
CONFIRM_REPLICAS = 2  # checker.sh's WAIT 2: every replica of the topology
EVENT_LANES = ("+sdown", "+odown", "+try-failover", "+elected-leader", "+promoted-slave",
               "+switch-master", "+convert-to-slave", "-sdown", "+tilt")


def load_checker(path, prefix):
    rows = []
    if not os.path.exists(path):
        return rows
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) < 5 or p[3] not in ("ok", "err") or not p[0].isdigit():
                continue
            ok = p[3] == "ok"
            rows.append({"t0": int(p[0]), "t1": int(p[1]), "seq": int(p[2]), "ok": ok,
                         "key": "%s:%s" % (prefix, p[2]), "prefix": prefix, "addr": p[4],
                         "replicas": int(p[5]) if ok and len(p) > 5 and p[5].isdigit() else 0,
                         "reply": "" if ok else " ".join(p[5:])})
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


def ranges(rows):
    """["k:10-12", "s:3"] for the keys of rows."""
    out = []
    for prefix in ("k", "s"):
        cur = None
        for s in sorted(r["seq"] for r in rows if r["prefix"] == prefix):
            if cur and s == cur[1] + 1:
                cur[1] = s
            else:
                cur = [s, s]
                out.append((prefix, cur))
    return ["%s:%d" % (p, a) if a == b else "%s:%d-%d" % (p, a, b) for p, (a, b) in out]


def summary(rows):
    return {"count": len(rows), "ranges": ranges(rows)}


def report(d):
    meta = json.load(open(os.path.join(d, "meta.json")))
    main = load_checker(os.path.join(d, "checker.log"), "k")
    side = load_checker(os.path.join(d, "side.log"), "s")
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

    # exists.out answers EXISTS for the acknowledged writes of checker.log, then of side.log.
    acked = [r for r in main if r["ok"]] + [r for r in side if r["ok"]]
    exists = []
    ep = os.path.join(d, "exists.out")
    if os.path.exists(ep):
        exists = [l.strip() for l in open(ep) if l.strip()]
    verified = len(exists) == len(acked)
    for r, e in zip(acked, exists):
        r["lost"] = e != "1"
    lost = [r for r in acked if verified and r["lost"]]
    confirmed = [r for r in acked if r["replicas"] >= CONFIRM_REPLICAS]
    confirmed_lost = [r for r in confirmed if verified and r["lost"]]
    final_host = meta["final_master"].split(":")[0]
    # Accepted by a master that was later demoted: acknowledged, after the fault command returned
    # (the fault had taken effect), by a server that is not the final master.
    demoted = [r for r in acked if r["addr"] != final_host and r["t1"] > tf]
    # Write unavailability, as the client on the network sees it: from the last acknowledged
    # write completed before the fault command returned to the first acknowledged write started
    # after it (a write in flight during the fault may hang until its timeout: not counted), and
    # to the first such write that the final master has.
    unavail = None
    if main:
        start = max((r["t1"] for r in main if r["ok"] and r["t1"] <= tf), default=main[0]["t0"])
        after = [r for r in main if r["ok"] and r["t0"] >= tf]
        first_after = after[0] if after else None
        first_kept = next((r for r in after if verified and not r["lost"]), None)
        unavail = {"from_s": rel(start), "to_s": rel(first_after["t1"]) if first_after else None,
                   "window_s": round((first_after["t1"] - start) / 1000.0, 3)
                   if first_after else None,
                   "to_surviving_write_s": rel(first_kept["t1"]) if first_kept else None,
                   "failed_attempts": sum(1 for r in main if not r["ok"] and r["t1"] >= ti)}

    rep = {
        "system": meta["system"], "scenario": meta["scenario"], "image": meta["image"],
        "fault": FAULTS.get(meta["scenario"]),
        "new_master": meta["new_master"], "final_master": meta["final_master"],
        "sentinels_agree": meta["sentinels_agree"], "live_sentinels": meta["live_sentinels"],
        "fault_command_s": rel(ti),
        "agree_s": rel(meta["t_agree_ms"]),
        "heal_s": rel(meta["t_heal_ms"]) if meta.get("t_heal_ms") else None,
        "old_master_after_heal": meta.get("old_master_after_heal") or None,
        "events_s": ev_times,
        "writes": {"attempts": len(main), "acked": sum(1 for r in main if r["ok"]),
                   "confirmed": sum(1 for r in main if r["ok"] and r["replicas"] >= CONFIRM_REPLICAS),
                   "failed": sum(1 for r in main if not r["ok"]),
                   "rate_per_s": round(len(main) / max(0.001, (main[-1]["t1"] - main[0]["t0"]) / 1000.0), 1)
                   if main else 0},
        "master_side_writes": {"attempts": len(side), "acked": sum(1 for r in side if r["ok"]),
                               "acked_by_old_master_after_fault": sum(
                                   1 for r in side if r["ok"] and r["addr"] == "master" and r["t1"] > tf),
                               "failed": sum(1 for r in side if not r["ok"])} if side else None,
        "unavailability": unavail,
        "acked_verified": verified,
        "acked_lost": summary(lost),
        "confirmed_lost": summary(confirmed_lost),
        "accepted_by_demoted_master": dict(summary(demoted),
                                           lost=sum(1 for r in demoted if r.get("lost"))),
        "roles_at_end": meta.get("roles_at_end"),
    }
    # What the configuration promises (docker-compose.yml: appendfsync always; the checker's
    # WAIT 1): a confirmed write survives every scenario, an acknowledged one survives
    # restart-all (it reached the disk before the OK). Replication is asynchronous, so an
    # acknowledged but unconfirmed write may be lost in a failover: reported, not a failure.
    problems = []
    if not meta["sentinels_agree"]:
        problems.append("sentinels do not agree")
    if not verified:
        problems.append("acknowledged writes not verified")
    if meta["scenario"] != "restart-all" and final_host in ("master", "-"):
        problems.append("no failover")
    if meta["scenario"] in HEALS and \
            not (meta.get("old_master_after_heal") or "").startswith("replica of"):
        problems.append("old master not demoted")
    if confirmed_lost:
        problems.append("%d confirmed writes lost" % len(confirmed_lost))
    if meta["scenario"] == "restart-all" and lost:
        problems.append("%d acknowledged writes lost" % len(lost))
    masters = re.findall(r"(master|replica1|replica2): master\b", meta.get("roles_at_end") or "")
    rep["masters_at_end"] = masters
    if len(masters) != 1:
        problems.append("%d servers report role master at the end" % len(masters))
    rep["problems"] = problems
    rep["pass"] = not problems
    with open(os.path.join(d, "report.json"), "w") as f:
        json.dump(rep, f, indent=1)
    print(json.dumps(rep, indent=1))
    svg(d, main, side, events, meta, rep)


def esc(s):
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def svg(d, main, side, events, meta, rep):
    """timeline.svg: one lane per kind of write, one per kind of sentinel event."""
    rows = main + side
    if not rows:
        return
    tf, ti = meta["t_fault_ms"], meta.get("t_inject_ms", meta["t_fault_ms"])
    t_lo = min(r["t0"] for r in rows)
    t_hi = max(r["t1"] for r in rows)
    W, L, R = 1200, 205, 20
    x = lambda t: L + (min(max(t, t_lo), t_hi) - t_lo) * (W - L - R) / max(1, t_hi - t_lo)
    lanes = [("acknowledged + confirmed", "ack"), ("acknowledged only", "unconfirmed"),
             ("failed (bar: its duration)", "err"), ("acknowledged, then lost", "lost")]
    if side:
        lanes += [("master side: ack + confirmed", "side-ack"),
                  ("master side: acknowledged only", "side-unconfirmed"),
                  ("master side: failed", "side-err")]
    marks = {}  # event type -> {sentinel: first time after the fault began}
    for e in events:
        if e["t"] < ti or (e["type"] in ("+sdown", "-sdown", "+odown") and
                           not e["msg"].startswith("master ")):
            continue
        marks.setdefault(e["type"], {}).setdefault(e["sentinel"], e["t"])
    seen_types = [t for t in EVENT_LANES if t in marks]
    lane_h, top = 20, 58
    y_of = {k: top + i * lane_h for i, (_, k) in enumerate(lanes)}
    ev_top = top + len(lanes) * lane_h + 14
    y_ev = {t: ev_top + i * 16 for i, t in enumerate(seen_types)}
    H = ev_top + len(seen_types) * 16 + 40
    u = rep["unavailability"] or {}
    dm = rep["accepted_by_demoted_master"]
    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
         f'font-family="sans-serif" font-size="11">',
         f'<rect width="{W}" height="{H}" fill="white"/>',
         f'<text x="10" y="18" font-size="14" font-weight="bold">{esc(rep["system"])} '
         f'{esc(rep["scenario"])}: {esc(rep["fault"])} — {"PASS" if rep["pass"] else "FAIL"}</text>',
         f'<text x="10" y="36">writes unavailable {u.get("window_s")} s · acknowledged lost '
         f'{rep["acked_lost"]["count"]} · confirmed lost {rep["confirmed_lost"]["count"]} · '
         f'accepted by the demoted master {dm["count"]} ({dm["lost"]} lost) · final master '
         f'{esc(rep["final_master"])} · sentinels agree: {rep["sentinels_agree"]}</text>']
    # the fault command (shaded), the heal, the moment the sentinels agreed
    o.append(f'<rect x="{x(ti):.1f}" y="{top - 6}" width="{max(1.5, x(tf) - x(ti)):.1f}" '
             f'height="{H - top - 22}" fill="#ddd"/>'
             f'<text x="{x(ti) + 2:.1f}" y="{top - 8}">{esc(rep["fault"])}</text>')
    if meta.get("t_heal_ms"):
        th = meta["t_heal_ms"]
        o.append(f'<line x1="{x(th):.1f}" x2="{x(th):.1f}" y1="{top - 6}" y2="{H - 22}" '
                 f'stroke="#080" stroke-width="2"/>'
                 f'<text x="{x(th) + 2:.1f}" y="{top - 8}">{esc(HEALS[meta["scenario"]])}</text>')
    ta = meta["t_agree_ms"]
    o.append(f'<line x1="{x(ta):.1f}" x2="{x(ta):.1f}" y1="{top - 6}" y2="{H - 22}" '
             f'stroke="#00c" stroke-dasharray="4,3"/>'
             f'<text x="{x(ta) + 2:.1f}" y="{H - 24}" fill="#00c">sentinels agree</text>')
    for label, k in lanes:
        o.append(f'<text x="10" y="{y_of[k] + 14}">{esc(label)}</text>'
                 f'<line x1="{L}" x2="{W - R}" y1="{y_of[k] + lane_h - 1}" '
                 f'y2="{y_of[k] + lane_h - 1}" stroke="#eee"/>')
    colours = {"ack": "#2a2", "unconfirmed": "#9c3", "err": "#d22", "lost": "#a0a",
               "side-ack": "#e80", "side-unconfirmed": "#fb6", "side-err": "#d22"}
    for r in rows:
        if r["prefix"] == "s":
            k = "side-err" if not r["ok"] else "side-ack" if r["replicas"] >= CONFIRM_REPLICAS else "side-unconfirmed"
        elif not r["ok"]:
            k = "err"
        else:
            k = "ack" if r["replicas"] >= CONFIRM_REPLICAS else "unconfirmed"
        if r["ok"] and r.get("lost"):
            k2 = "lost"
            o.append(f'<rect x="{x(r["t0"]):.1f}" y="{y_of[k2] + 3}" width="1.5" '
                     f'height="{lane_h - 6}" fill="{colours[k2]}"/>')
        w = max(1.0, x(r["t1"]) - x(r["t0"])) if not r["ok"] else 1.0
        o.append(f'<rect x="{x(r["t0"]):.1f}" y="{y_of[k] + 3}" width="{w:.1f}" '
                 f'height="{lane_h - 6}" fill="{colours[k]}" fill-opacity="0.8"/>')
    for t in seen_types:
        o.append(f'<text x="10" y="{y_ev[t] + 11}" fill="#33a">{esc(t)}</text>')
        for sentinel, te in sorted(marks[t].items()):
            o.append(f'<line x1="{x(te):.1f}" x2="{x(te):.1f}" y1="{y_ev[t] + 1}" '
                     f'y2="{y_ev[t] + 13}" stroke="#33a" stroke-width="2"/>'
                     f'<text x="{x(te) + 2:.1f}" y="{y_ev[t] + 11}" font-size="9" '
                     f'fill="#33a">{esc(sentinel[-1])}</text>')
    step = 1000 if t_hi - t_lo <= 40000 else 5000
    for s in range(-((tf - t_lo) // step), (t_hi - tf) // step + 1):
        t = tf + s * step
        o.append(f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{H - 20}" y2="{H - 15}" stroke="#888"/>'
                 f'<text x="{x(t) - 6:.1f}" y="{H - 4}">{(t - tf) / 1000:.0f}s</text>')
    o.append("</svg>")
    with open(os.path.join(d, "timeline.svg"), "w") as f:
        f.write("\n".join(o))


def compare(base):
    rows = []
    for name in sorted(os.listdir(base), key=lambda n: (n.split("-", 1)[-1], n)):
        p = os.path.join(base, name, "report.json")
        if not os.path.isdir(os.path.join(base, name)):
            continue
        if not os.path.exists(p):
            rows.append((name, "", "", "", "", "", "", "", "", "FAIL (no report)"))
            continue
        r = json.load(open(p))
        u = r["unavailability"] or {}
        ev = r["events_s"]
        dm = r["accepted_by_demoted_master"]
        rows.append((r["system"] + " " + r["scenario"], str(ev.get("+sdown")), str(ev.get("+odown")),
                     str(ev.get("+switch-master")), str(u.get("window_s")),
                     str(r["acked_lost"]["count"]), str(r["confirmed_lost"]["count"]),
                     "%d/%d" % (dm["lost"], dm["count"]), "yes" if r["sentinels_agree"] else "NO",
                     "PASS" if r["pass"] else "FAIL: " + "; ".join(r["problems"])))
    head = ("run", "+sdown s", "+odown s", "+switch s", "unavail s", "acked lost",
            "confirmed lost", "demoted lost/acc", "agree", "result")
    w = [max(len(x[i]) for x in rows + [head]) for i in range(len(head))]
    for row in [head] + rows:
        print("  ".join(c.ljust(w[i]) for i, c in enumerate(row)).rstrip())


if __name__ == "__main__":
    {"report": report, "compare": compare}[sys.argv[1]](sys.argv[2])
