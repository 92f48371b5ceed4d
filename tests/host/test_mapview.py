#!/usr/bin/env python3
"""tools/mapview on the real firmware maps of tests/host/dumps: each dump's
E820 entries and what the real sanitizer makes of them (build/tests/
dump_report prints them as a boot's report lines) become an SVG, which must
parse (xml.etree), hold one rectangle per range of either map with its
addresses and its type's colour (include/mappicture.h), keep the sanitized
ranges in address order side by side, keep overlapping firmware entries
apart, and mark exactly the ranges the sanitizer changed, worked out here
on its own: a firmware entry is unchanged when the sanitized map has a range
with its base, length and type, a sanitized range when some firmware entry
is it.  Installed as build/tests/test_mapview by tests/host/video.mk.
"""
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.realpath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MAPVIEW = os.path.join(ROOT, "tools", "mapview")
DUMPS = os.path.join(ROOT, "tests", "host", "dumps")
DUMP_REPORT = os.path.join(ROOT, "build", "tests", "dump_report")
SVG = "{http://www.w3.org/2000/svg}"
# The E820 types as the design gives them; anything else is reserved.
E820 = {1: "usable", 2: "reserved", 3: "acpi-reclaimable", 4: "acpi-nvs", 5: "bad",
        7: "persistent"}

failed = 0


def report(name, bad):
    global failed
    if bad:
        failed += 1
        print("FAIL %s: %s" % (name, "; ".join(bad[:4])))
    else:
        print("PASS %s" % name)


def header_colour(name):
    key = "MAP_RGB_" + name.upper().replace("-", "_")
    with open(os.path.join(ROOT, "include", "mappicture.h")) as f:
        for line in f:
            m = re.match(r"#define %s\s+0x([0-9a-fA-F]+)" % key, line)
            if m:
                return "#%06x" % int(m.group(1), 16)
    raise KeyError(key)


def report_lines(text):
    raw, sanitized = [], []
    for line in text.split("\n"):
        f = line.split()
        if len(f) >= 4 and f[0] == "raw":
            raw.append((int(f[1], 16), int(f[2], 16), int(f[3])))
        elif len(f) == 4 and f[0] == "map":
            sanitized.append((int(f[1], 16), int(f[2], 16), f[3]))
    return raw, sanitized


def mapview(text, tmp):
    src = os.path.join(tmp, "report.txt")
    with open(src, "w") as f:
        f.write(text)
    p = subprocess.run([MAPVIEW, src], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    return p


def check_svg(svg, raw, sanitized):
    bad = []
    try:
        root = ET.fromstring(svg)
    except ET.ParseError as e:
        return ["the SVG does not parse: %s" % e], 0
    rects = [r for r in root.iter(SVG + "rect") if "range" in (r.get("class") or "").split()]
    got = {"raw": [r for r in rects if r.get("data-map") == "raw"],
           "map": [r for r in rects if r.get("data-map") == "map"]}
    if len(got["raw"]) != len(raw) or len(got["map"]) != len(sanitized):
        return ["%d and %d shapes for %d firmware entries and %d ranges"
                % (len(got["raw"]), len(got["map"]), len(raw), len(sanitized))], 0
    raw_names = [E820.get(t, "reserved") for _, _, t in raw]
    want_raw_changed = {i for i, (b, l, _) in enumerate(raw)
                        if (b, l, raw_names[i]) not in set(sanitized)}
    raw_set = {(b, l, raw_names[i]) for i, (b, l, _) in enumerate(raw)}
    want_map_changed = {i for i, r in enumerate(sanitized) if r not in raw_set}
    for kind, entries, names, want_changed in (
            ("raw", raw, raw_names, want_raw_changed),
            ("map", sanitized, [t for _, _, t in sanitized], want_map_changed)):
        for i, (r, (b, l, t)) in enumerate(zip(got[kind], entries)):
            if (int(r.get("data-base"), 16), int(r.get("data-length"), 16)) != (b, l):
                bad.append("%s shape %d is %s+%s, want 0x%x+0x%x"
                           % (kind, i, r.get("data-base"), r.get("data-length"), b, l))
            if r.get("data-type") != str(t):
                bad.append("%s shape %d has type %s, want %s" % (kind, i, r.get("data-type"), t))
            if r.get("fill") != header_colour(names[i]):
                bad.append("%s shape %d (%s) is %s, want %s"
                           % (kind, i, names[i], r.get("fill"), header_colour(names[i])))
            marked = "changed" in r.get("class").split()
            if marked != (i in want_changed):
                bad.append("%s shape %d (0x%x+0x%x %s) %s marked changed"
                           % (kind, i, b, l, t, "is" if marked else "is not"))
    # Sanitized ranges: left to right, never overlapping.
    xs = [(float(r.get("x")), float(r.get("width"))) for r in got["map"]]
    for i in range(1, len(xs)):
        if xs[i][0] < xs[i - 1][0] + xs[i - 1][1] - 0.001:
            bad.append("sanitized shapes %d and %d overlap or are out of order" % (i - 1, i))
    # Firmware entries that overlap in memory do not overlap on the page.
    for i in range(len(raw)):
        for j in range(i):
            bi, li, _ = raw[i]
            bj, lj, _ = raw[j]
            if li and lj and bi < bj + lj and bj < bi + li:
                ri, rj = got["raw"][i], got["raw"][j]
                if ri.get("y") == rj.get("y"):
                    bad.append("overlapping firmware entries %d and %d share a lane" % (j, i))
    return bad, len(want_raw_changed) + len(want_map_changed)


def main():
    dumps = sorted(f for f in os.listdir(DUMPS) if f.endswith(".e820"))
    total_changed = 0
    with tempfile.TemporaryDirectory() as tmp:
        if not dumps:
            report("mapview-dumps", ["no dumps in %s" % DUMPS])
        for d in dumps:
            name = "mapview-" + d[:-5]
            p = subprocess.run([DUMP_REPORT, os.path.join(DUMPS, d)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
            if p.returncode:
                report(name, ["dump_report: %s" % p.stderr.strip()])
                continue
            raw, sanitized = report_lines(p.stdout)
            m = mapview(p.stdout, tmp)
            if m.returncode:
                report(name, ["mapview exited %d: %s" % (m.returncode, m.stderr.strip())])
                continue
            bad, changed = check_svg(m.stdout, raw, sanitized)
            total_changed += changed
            report(name, bad)

            if d.startswith("qemu-7.2-pc"):
                # The same lines as a serial log from a real PC: CR LF, a
                # timestamp before each, other lines between.
                noisy = "".join("[%6.3f] %s\r\nboot: something else\r\n" % (k / 10, line)
                                for k, line in enumerate(p.stdout.split("\n")) if line)
                m2 = mapview(noisy, tmp)
                bad2 = ["mapview exited %d" % m2.returncode] if m2.returncode else \
                    check_svg(m2.stdout, raw, sanitized)[0]
                report("mapview-serial-log", bad2)
        # Real maps the sanitizer changes: the check above must have had
        # something to mark.
        report("mapview-dumps-have-changes",
               [] if total_changed else ["no dump gave a single changed range"])
        m = mapview("nothing here\nmap 0x12 not-hex\n", tmp)
        report("mapview-no-report-lines",
               [] if m.returncode == 1 and "has no report lines" in m.stderr
               else ["exit %d, stderr %r" % (m.returncode, m.stderr)])
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
