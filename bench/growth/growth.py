#!/usr/bin/env python3
"""Stable bytes of a split index under growth.

Builds the split index of an archive, adds events dated after its last
day, builds again, and reports how many of the first build's bytes are
in files whose names the second build keeps (the core, whose name never
changes but whose bytes do, counts as changed).

  bench/growth/growth.py day N [INPUT...]     one day of N events, made
      from the archive's last N events (new ids, the day after its last)
  bench/growth/growth.py replay K [INPUT...]  the archive's last K days
      added one day at a time, from the archive without them (with
      END=YYYY-MM-DD, the archive as it was on that day)

INPUT defaults to the bundled corpus. Needs target/release/chronicle (or
CHRONICLE_BIN).
"""
import gzip, json, os, subprocess, sys, tempfile, datetime

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("CHRONICLE_BIN") or os.path.join(ROOT, "target/release/chronicle")
INPUTS = ["data/wcep-events.jsonl.gz", "data/wcep-events-2018-2026-plaintext.jsonl.gz"]


def load(paths):
    out = []
    for p in paths:
        op = gzip.open if p.endswith(".gz") else open
        with op(os.path.join(ROOT, p), "rt", encoding="utf-8") as f:
            out.extend(json.loads(l) for l in f if l.strip())
    out.sort(key=lambda e: e["date"])  # stable: input order within a day
    return out


def build(events, tmp, name):
    src = os.path.join(tmp, name + ".jsonl")
    with open(src, "w", encoding="utf-8") as f:
        for e in events:
            f.write(json.dumps(e, ensure_ascii=False) + "\n")
    d = os.path.join(tmp, name)
    subprocess.run([BIN, "build", src, "--split", d, "-o", d + ".chron"],
                   check=True, capture_output=True)
    return {n: os.path.getsize(os.path.join(d, n)) for n in os.listdir(d)
            if n.endswith(".bin") or n == "index.chron"}


def stable(old, new):
    total = sum(old.values())
    kept = sum(s for n, s in old.items() if n != "index.chron" and n in new)
    fresh = sum(s for n, s in new.items() if n not in old or n == "index.chron")
    return kept / total, total, sum(new.values()), fresh, len(old), len(
        [n for n in old if n in new and n != "index.chron"])


def report(label, r):
    frac, old, new, fresh, files, kept = r
    print(f"{label}: {100 * frac:.2f} % of {old:,} bytes kept "
          f"({kept} of {files - 1} chunks); {fresh:,} new bytes of {new:,}",
          flush=True)


def main():
    mode, n = sys.argv[1], int(sys.argv[2])
    events = load(sys.argv[3:] or INPUTS)
    if os.environ.get("END"):
        events = [e for e in events if e["date"] <= os.environ["END"]]
    with tempfile.TemporaryDirectory() as tmp:
        if mode == "day":
            last = datetime.date.fromisoformat(events[-1]["date"])
            day = (last + datetime.timedelta(days=1)).isoformat()
            extra = [dict(e, id=e["id"] + "-next", date=day)
                     for e in events[-n:]]
            a = build(events, tmp, "a")
            b = build(events + extra, tmp, "b")
            report(f"+{n} events", stable(a, b))
        else:
            days = sorted({e["date"] for e in events})
            cut = days[-n - 1]
            base = [e for e in events if e["date"] <= cut]
            prev = build(base, tmp, "d0")
            fracs = []
            for i, d in enumerate(days[-n:], 1):
                base += [e for e in events if e["date"] == d]
                cur = build(base, tmp, f"d{i}")
                r = stable(prev, cur)
                fracs.append(r[0])
                report(f"day {i} ({d}, {len(base):,} events)", r)
                prev = cur
            print(f"mean over {n} days: {100 * sum(fracs) / n:.2f} %; "
                  f"lowest {100 * min(fracs):.2f} %")


if __name__ == "__main__":
    main()
