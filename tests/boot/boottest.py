#!/usr/bin/env python3
"""Boot tests under QEMU/SeaBIOS: boots real images and checks the kernel's
report against SeaBIOS's own E820 table (printed on debug port 0x402), which
is ground truth independent of the loader.

Prints one line per test, "PASS <name>" or "FAIL <name>: <why>", and exits 1
if anything failed.  Usage: boottest.py [--only SUBSTRING] [--jobs N]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading

from bootlib import (map_form_problems, FOUR_GIB, MIB, PAGE, ROOT, define, overlaps, parse_report,
                     parse_seabios_e820, subtract)

QEMU_RUN = os.path.join(ROOT, "tools", "qemu-run")
RAM_LIKE = {"usable", "loader", "kernel"}


IVT_BDA_END = define("layout.h", "IVT_BDA_END")
LOADER_LOW = (define("layout.h", "LOADER_LOW_BASE"), define("layout.h", "LOADER_LOW_END"))


def check(rep, seabios, bits, reach=None):
    """Returns a list of problems (empty: all good)."""
    bad = []
    if rep["end"] != "end ok":
        return ["kernel ended with %r" % rep["end"]]
    if seabios is None:
        return ["no SeaBIOS e820 table in its debug log"]

    # 1. The raw map is exactly SeaBIOS's table (it answers 20-byte entries,
    #    so the loader's preset attribute 1 stays).
    raw = [(b, l, t) for b, l, t, _ in rep["raw"]]
    if raw != seabios:
        bad.append("raw map differs from SeaBIOS's table: %s vs %s" % (raw, seabios))
    if any(a != 1 for *_, a in rep["raw"]):
        bad.append("raw attributes are not 1 for 20-byte answers")

    # 2. The sanitized map is well formed.
    m = rep["map"]
    bad += map_form_problems(m)

    # 3. Conventional memory as SeaBIOS's table has it: RAM from 0 ends at
    #    the EBDA.  The loader's figure comes from INT 12h and the BDA.
    low_ram_end = next((b + l for b, l, t in seabios if b == 0 and t == 1), None)
    conv_top = rep["conv_kib"] * 1024 if rep["conv_kib"] is not None else None
    if conv_top != low_ram_end:
        bad.append("conventional memory %s differs from SeaBIOS's low RAM end %s"
                   % (conv_top, low_ram_end))
        conv_top = low_ram_end or 0xA0000

    # 4. Every byte SeaBIOS calls RAM stays RAM-like (usable, loader, kernel),
    #    above 4 GiB included, except the fixed low carve-outs and 4 KiB edges.
    ram_like = [(b, b + l) for b, l, t in m if t in RAM_LIKE]
    for b, l, t in seabios:
        if t != 1:
            continue
        s, e = b, b + l
        allowed = [(0, IVT_BDA_END), (conv_top, MIB),
                   (s, (s + PAGE - 1) // PAGE * PAGE), (e // PAGE * PAGE, e)]
        lost = subtract(subtract([(s, e)], allowed), ram_like)
        if lost:
            bad.append("SeaBIOS RAM %#x-%#x lost in the map: %s"
                       % (s, e, ["%#x-%#x" % x for x in lost]))

    # 5. Nothing usable where SeaBIOS reserves, nor over the IVT/BDA, the
    #    EBDA..1 MiB, the loader or the kernel.
    usable = [(b, b + l) for b, l, t in m if t == "usable"]
    forbidden = [((0, IVT_BDA_END), "IVT/BDA"), ((conv_top, MIB), "EBDA..1MiB"),
                 (LOADER_LOW, "loader low area")]
    forbidden += [((b, b + l), "loader region") for b, l in rep["loader"]]
    if rep["kernel"]:
        forbidden.append(((rep["kernel"][0], sum(rep["kernel"])), "kernel"))
    forbidden += [((b, b + l), "SeaBIOS type %d" % t) for b, l, t in seabios if t != 1]
    for u in usable:
        for f, what in forbidden:
            if overlaps(u, f):
                bad.append("usable %#x-%#x overlaps %s %#x-%#x" % (u + (what,) + f))
    if not rep["loader"]:
        bad.append("no loader regions reported")
    for b, l in rep["loader"]:
        if subtract([(b, b + l)], [(mb, mb + ml) for mb, ml, t in m if t == "loader"]):
            bad.append("loader region %#x+%#x not typed loader" % (b, l))
    if rep["kernel"]:
        kb, kl = rep["kernel"]
        if subtract([(kb, kb + kl)], [(mb, mb + ml) for mb, ml, t in m if t == "kernel"]):
            bad.append("kernel region not typed kernel")

    # 6. The summary adds up.
    s = rep["summary"] or {}
    total = sum(l for b, l, t in m if t == "usable")
    above = sum(max(0, b + l - max(b, FOUR_GIB)) for b, l, t in m if t == "usable")
    if s.get("usable") != str(total) or s.get("above4g") != str(above) or s.get("source") != "e820":
        bad.append("summary %s, expected usable=%d above4g=%d source=e820" % (s, total, above))
    seabios_above = sum(max(0, b + l - max(b, FOUR_GIB)) for b, l, t in seabios if t == 1)
    if above != seabios_above:
        bad.append("usable above 4 GiB %d, SeaBIOS has %d" % (above, seabios_above))

    # 7. The kernel touched every usable page above itself it could reach.
    t = rep["touch"] or {}
    lo = int(t.get("above", "0"), 16)
    if reach is None:
        reach = 1 << 64 if bits == 64 else FOUR_GIB
    expect = sum(max(0, (min(b + l, reach) - max(b, lo)) // PAGE) for b, l, tt in m
                 if tt == "usable")
    if t.get("pages") != str(expect):
        bad.append("touched %s pages, expected %d" % (t.get("pages"), expect))
    return bad


def boot(image, machine, mem, timeout):
    with tempfile.TemporaryDirectory() as tmp:
        sblog = os.path.join(tmp, "seabios.log")
        p = subprocess.run([QEMU_RUN, "--machine", machine, "-m", mem, "--timeout", str(timeout),
                            "--seabios-log", sblog, image],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           errors="replace")
        with open(sblog, errors="replace") as f:
            seabios_text = f.read()
    return p.returncode, p.stdout, seabios_text


def mem_mib(mem):
    return int(mem[:-1]) * (1024 if mem.endswith("G") else 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()

    # The ELF64 example also linked in the higher half (link-hh.ld): the
    # loader maps it at its virtual addresses; and the ELF32 one with a
    # virtual e_entry (kernel/link32-hh.ld): the loader starts it at the
    # physical address and it maps itself, the first 3 GiB identity-mapped,
    # which is all it can touch.  Every other check stays the same.
    images = {"64": (64, os.path.join(ROOT, "build", "disk.img"), None),
              "32": (32, os.path.join(ROOT, "build", "disk32.img"), None),
              "64-higher-half": (64, os.path.join(ROOT, "build", "disk-hh.img"), None),
              "32-virtual-entry": (32, os.path.join(ROOT, "build", "disk32-hh.img"), 3 << 30)}
    cases = []
    for mem in ("32M", "1G", "4G", "8G"):
        for machine in ("pc", "q35"):
            for kind in images:
                name = "boot-elf%s-%s-%s" % (kind, machine, mem)
                if args.only in name:
                    cases.append((name, kind, machine, mem))

    # Guests touch all their RAM: cap what runs at once (the machine has 24 GiB).
    budget = threading.Semaphore(12)
    slots = threading.Semaphore(max(1, args.jobs))
    lock = threading.Lock()
    failed = []

    def run(case):
        name, kind, machine, mem = case
        bits, image, reach = images[kind]
        weight = max(1, mem_mib(mem) // 1024)
        with slots:
            for _ in range(weight):
                budget.acquire()
            try:
                rc, out, sb = boot(image, machine, mem, timeout=120)
            finally:
                for _ in range(weight):
                    budget.release()
        problems = [] if rc == 0 else ["qemu-run exit status %d" % rc]
        problems += check(parse_report(out), parse_seabios_e820(sb), bits, reach)
        with lock:
            if problems:
                failed.append(name)
                print("FAIL %s: %s" % (name, "; ".join(problems)[:2000]), flush=True)
                tail = "\n".join(out.replace("\r", "").split("\n")[-15:])
                print("  last output:\n  " + tail.replace("\n", "\n  "), flush=True)
            else:
                print("PASS %s" % name, flush=True)

    threads = [threading.Thread(target=run, args=(c,)) for c in cases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
