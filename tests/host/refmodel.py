#!/usr/bin/env python3
"""Reference model of the memory-map sanitizer, for tests/host/dumps/.

Written from the rules in ../shared/design.md and stage2/sanitize.h, NOT from
stage2/sanitize.c, and with a different algorithm, so that the expected maps
in the dump files are not produced by the code under test:

  1. every input [base, base + length) with length != 0; an end past 2^64 is
     clipped to 2^64 - 1 (the last byte of the address space is lost);
  2. E820 type -> rank: 1 usable, 3 ACPI reclaimable, 4 ACPI NVS, 5 bad,
     7 persistent, every other value (2, 6, unknown) reserved;
     ranks, least to most restrictive:
       usable < loader < kernel < acpi-reclaimable < persistent < acpi-nvs
       < reserved < bad
  3. collect every boundary; for each elementary interval between two
     consecutive boundaries take the highest rank of the inputs covering it
     (none: a hole);
  4. merge contiguous intervals of equal rank;
  5. shrink every usable range to 4 KiB boundaries: a head fragment joins the
     previous range if that one touches it, a tail fragment joins the next
     range if that one touches it, otherwise the fragment becomes a hole; a
     usable range holding no whole page goes entirely to the previous range
     if it touches, else to the next one if it touches, else becomes a hole;
  6. merge contiguous ranges of equal rank again.

Step 3 is a plain O(n^2) scan over elementary intervals (the sanitizer uses
a sorted change-point sweep with per-rank counters); step 5 works on a list
of (start, end, rank) pieces rebuilt from scratch (the sanitizer edits its
neighbours in place).

Usage:
  refmodel.py FILE...            print the expected lines for each dump
  refmodel.py --check FILE...    compare with the file's expect lines (exit 1)
  refmodel.py --write FILE...    replace the file's expect lines
  refmodel.py --selftest         hand-computed cases for the model itself
  refmodel.py --convert FORMAT   turn pasted log lines (stdin) into e820 lines;
                                 FORMAT: linux (Linux >= 3.x "[mem S-E] type",
                                 INCLUSIVE end), linux-old (Linux 2.x
                                 "S - E (type)", EXCLUSIVE end), seabios
                                 ("S - E = T", EXCLUSIVE end), linux-2.4
                                 (Linux 2.4.0-2.4.3 "SIZE @ BASE (type)"),
                                 base-len ("BASE LENGTH TYPE", all hex but
                                 TYPE)
"""
import re
import sys

PAGE = 0x1000
TOP = (1 << 64) - 1          # highest address an end can be clipped to

RANK_NAMES = ["usable", "loader", "kernel", "acpi-reclaimable", "persistent",
              "acpi-nvs", "reserved", "bad"]
USABLE, RESERVED = 0, 6
E820_RANK = {1: 0, 3: 3, 4: 5, 5: 7, 7: 4}


def e820_rank(t):
    return E820_RANK.get(t, RESERVED)


def resolve(entries):
    """entries: [(base, length, rank)] -> merged [(start, end, rank)]."""
    spans = []
    for base, length, rank in entries:
        if length == 0:
            continue
        end = base + length
        if end > TOP:
            end = TOP
        if end <= base:
            continue
        spans.append((base, end, rank))
    bounds = sorted({b for s in spans for b in s[:2]})
    pieces = []
    for lo, hi in zip(bounds, bounds[1:]):
        covering = [r for s, e, r in spans if s <= lo and hi <= e]
        if covering:
            pieces.append([lo, hi, max(covering)])
    return merge(pieces)


def merge(pieces):
    out = []
    for s, e, r in pieces:
        if s == e:
            continue
        if out and out[-1][2] == r and out[-1][1] == s:
            out[-1][1] = e
        else:
            out.append([s, e, r])
    return out


def align(ranges):
    """Step 5 on a merged list; returns a new merged list."""
    pieces = []
    n = len(ranges)
    for i, (s, e, r) in enumerate(ranges):
        if r != USABLE:
            pieces.append([s, e, r])
            continue
        prev_touch = i > 0 and ranges[i - 1][1] == s
        next_touch = i + 1 < n and ranges[i + 1][0] == e
        a = -(-s // PAGE) * PAGE          # round up
        b = e // PAGE * PAGE              # round down
        if b <= a:                        # no whole page
            if prev_touch:
                pieces.append([s, e, ranges[i - 1][2]])
            elif next_touch:
                pieces.append([s, e, ranges[i + 1][2]])
            continue
        if a > s and prev_touch:
            pieces.append([s, a, ranges[i - 1][2]])
        pieces.append([a, b, USABLE])
        if e > b and next_touch:
            pieces.append([b, e, ranges[i + 1][2]])
    pieces.sort(key=lambda p: p[0])
    return merge(pieces)


def model(e820):
    """e820: [(base, length, e820_type)] -> [(base, length, rank name)]."""
    out = align(resolve([(b, l, e820_rank(t)) for b, l, t in e820]))
    return [(s, e - s, RANK_NAMES[r]) for s, e, r in out]


# --- dump files ----------------------------------------------------------

def parse(path):
    e820, expect = [], []
    with open(path) as f:
        for no, line in enumerate(f, 1):
            words = line.split("#", 1)[0].split()
            if not words:
                continue
            if words[0] == "e820" and len(words) == 4:
                e820.append((int(words[1], 16), int(words[2], 16), int(words[3], 10)))
            elif words[0] == "expect" and len(words) == 4 and words[3] in RANK_NAMES:
                expect.append((int(words[1], 16), int(words[2], 16), words[3]))
            else:
                raise SystemExit("%s:%d: cannot parse: %s" % (path, no, line.rstrip()))
    return e820, expect


def expect_lines(result):
    return ["expect %#018x %#018x %s" % (b, l, t) for b, l, t in result]


def write(path, result):
    with open(path) as f:
        lines = [l for l in f.read().split("\n") if not l.startswith("expect ")]
    while lines and lines[-1] == "":
        lines.pop()
    with open(path, "w") as f:
        f.write("\n".join(lines + expect_lines(result)) + "\n")


# --- converting pasted logs ------------------------------------------------

LINUX_TYPES = {"usable": 1, "reserved": 2, "ACPI data": 3, "ACPI NVS": 4,
               "unusable": 5, "persistent (type 7)": 7}


def convert(fmt, text):
    out = []
    for line in text.splitlines():
        if fmt == "linux":
            m = re.search(r"\[mem (0x[0-9a-fA-F]+)-(0x[0-9a-fA-F]+)\] (.*?)\s*$", line)
            if not m:
                continue
            s, last, name = int(m.group(1), 16), int(m.group(2), 16), m.group(3)
            t = int(name[5:]) if name.startswith("type ") else LINUX_TYPES[name]
            out.append((s, last + 1 - s, t))            # inclusive end
        elif fmt == "linux-old":
            m = re.search(r"([0-9a-fA-F]{16}) - ([0-9a-fA-F]{16}) \((.*?)\)", line)
            if not m:
                continue
            s, e, name = int(m.group(1), 16), int(m.group(2), 16), m.group(3)
            out.append((s, e - s, LINUX_TYPES[name]))    # exclusive end
        elif fmt == "linux-2.4":
            m = re.search(r"([0-9a-fA-F]{16}) @ ([0-9a-fA-F]{16}) \((.*?)\)", line)
            if not m:
                continue
            size, s, name = int(m.group(1), 16), int(m.group(2), 16), m.group(3)
            out.append((s, size, LINUX_TYPES[name]))
        elif fmt == "seabios":
            m = re.search(r"([0-9a-fA-F]{16}) - ([0-9a-fA-F]{16}) = (\d+)", line)
            if not m:
                continue
            s, e = int(m.group(1), 16), int(m.group(2), 16)
            out.append((s, e - s, int(m.group(3))))      # exclusive end
        elif fmt == "base-len":
            w = line.split()
            if len(w) != 3:
                continue
            out.append((int(w[0], 16), int(w[1], 16), int(w[2], 10)))
        else:
            raise SystemExit("unknown format " + fmt)
    return ["e820 %#018x %#018x %d" % e for e in out]


# --- the model's own hand-computed cases -------------------------------------

SELFTEST = [
    # usable sub-page between reserved ranges joins the previous one
    ([(0x1000, 0x800, 2), (0x1800, 0x100, 1), (0x1900, 0x700, 2)],
     [(0x1000, 0x1000, "reserved")]),
    # no previous neighbour: the sub-page joins the next one
    ([(0x1800, 0x100, 1), (0x1900, 0x700, 2)], [(0x1800, 0x800, "reserved")]),
    # alone: a hole
    ([(0x1800, 0x100, 1)], []),
    # head fragment to the previous NVS range, tail fragment to a hole
    ([(0x1000, 0x1800, 4), (0x2800, 0x2000, 1)],
     [(0x1000, 0x2000, "acpi-nvs"), (0x3000, 0x1000, "usable")]),
    # reserved inside usable, unaligned: pages around it lose their fragments
    ([(0, 0x9f000, 1), (0x50100, 0x100, 2)],
     [(0, 0x50000, "usable"), (0x50000, 0x1000, "reserved"), (0x51000, 0x4e000, "usable")]),
    # most restrictive wins: bad > reserved > nvs > persistent > acpi
    ([(0, 0x5000, 3), (0x1000, 0x3000, 7), (0x2000, 0x1000, 4), (0x2000, 0x800, 2),
      (0x2800, 0x800, 5)],
     [(0, 0x1000, "acpi-reclaimable"), (0x1000, 0x1000, "persistent"),
      (0x2000, 0x800, "reserved"), (0x2800, 0x800, "bad"), (0x3000, 0x1000, "persistent"),
      (0x4000, 0x1000, "acpi-reclaimable")]),
    # unknown types are reserved and merge with type 2
    ([(0xf0000, 0x8000, 2), (0xf8000, 0x8000, 2954887168), (0x100000, 0x1000, 20)],
     [(0xf0000, 0x11000, "reserved")]),
    # wrap-around: clipped at 2^64 - 1, the partial last page of usable dropped
    ([(0xffffffff00000000, 0x200000000, 1)], [(0xffffffff00000000, 0xfffff000, "usable")]),
    ([(0xfffffffffffff000, 0x2000, 2)], [(0xfffffffffffff000, 0xfff, "reserved")]),
    ([(0xffffffffffffffff, 1, 2)], []),
    # zero lengths are ignored
    ([(0, 0x4000, 1), (0x4000, 0, 2), (0x4000, 0x4000, 1)], [(0, 0x8000, "usable")]),
]


def selftest():
    bad = 0
    for i, (inp, want) in enumerate(SELFTEST):
        got = model(inp)
        if got != want:
            print("selftest %d: got %s, want %s" % (i, got, want))
            bad += 1
    print("refmodel selftest: %d cases, %d failed" % (len(SELFTEST), bad))
    return 1 if bad else 0


def main(argv):
    if argv[:1] == ["--selftest"]:
        return selftest()
    if argv[:1] == ["--convert"] and len(argv) == 2:
        print("\n".join(convert(argv[1], sys.stdin.read())))
        return 0
    mode = "print"
    if argv[:1] in (["--check"], ["--write"]):
        mode, argv = argv[0][2:], argv[1:]
    if not argv:
        print(__doc__)
        return 2
    status = 0
    for path in argv:
        e820, expect = parse(path)
        result = model(e820)
        if mode == "print":
            print("# %s" % path)
            print("\n".join(expect_lines(result)))
        elif mode == "write":
            write(path, result)
        elif expect != result:
            status = 1
            for i in range(max(len(expect), len(result))):
                g = result[i] if i < len(result) else None
                w = expect[i] if i < len(expect) else None
                if g != w:
                    print("%s: entry %d: model %s, file %s" % (path, i, g, w))
                    break
        else:
            print("%s: ok (%d entries)" % (path, len(result)))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
