#!/usr/bin/env python3
"""Boot tests under Bochs, the strict emulator with a different BIOS.

Boots build/disk.img (ELF64 kernel) and build/disk32.img (ELF32) through
tools/bochs-run at several memory sizes and checks the kernel's report: the
raw E820 map must be exactly the table Bochs' BIOS is known to answer (derived
by hand below), and the sanitized map must be well formed, keep every byte of
RAM and hand out nothing the firmware, the loader or the kernel owns.  Also:
A20 switched off before the loader runs (Bochs really wraps addresses), a
floppy boot (CHS), CPUs without long mode or with 1 GiB pages, and the
runner's own verdicts for a loader error, a hang and a triple fault.

Prints one line per test, "PASS <name>" or "FAIL <name>: <why>", then a
"# ..." timing line; exits 1 if anything failed.
Usage: bochstest.py [--only SUBSTRING] [--jobs N]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

from bootlib import (map_form_problems, run_cases, BUILD, FOUR_GIB, MIB, PAGE, ROOT, define, overlaps, parse_report,
                     subtract)

BOCHS_RUN = os.path.join(ROOT, "tools", "bochs-run")
SECTOR = 512
KIB = 1 << 10
DEADLINE = 60        # seconds per boot; the big-memory boots get more
BIG_DEADLINE = 120

RAM_LIKE = {"usable", "loader", "kernel"}
# How restrictive each map type is (design.md: usable < loader-reclaimable <
# ACPI reclaimable < persistent < ACPI NVS < reserved < bad), and where each
# E820 type sits on that scale.  A firmware range may only become more
# restrictive in the sanitized map, never less.
RANK = {"usable": 0, "loader": 1, "kernel": 1, "acpi-reclaimable": 2, "persistent": 3,
        "acpi-nvs": 4, "reserved": 5, "bad": 6}
E820_RANK = {1: 0, 3: 2, 7: 3, 4: 4, 2: 5, 5: 6}


IVT_BDA_END = define("layout.h", "IVT_BDA_END")
LOADER_LOW = (define("layout.h", "LOADER_LOW_BASE"), define("layout.h", "LOADER_LOW_END"))
QUIRK_E820_SHORT_ENTRIES = define("bootinfo.h", "QUIRK_E820_SHORT_ENTRIES")
QUIRK_DISK_CHS = define("bootinfo.h", "QUIRK_DISK_CHS")
QUIRK_E820_UNSTABLE = define("bootinfo.h", "QUIRK_E820_UNSTABLE")
QUIRK_E820_INT12_MISMATCH = define("bootinfo.h", "QUIRK_E820_INT12_MISMATCH")
QUIRK_E820_E801_MISMATCH = define("bootinfo.h", "QUIRK_E820_E801_MISMATCH")
# Anomalies Bochs' BIOS never produces: none of these may be flagged.
QUIRKS_NEVER = sum(define("bootinfo.h", n) for n in (
    "QUIRK_RAW_OVERFLOW", "QUIRK_MAP_COARSENED", "QUIRK_OVERLAP", "QUIRK_UNSORTED",
    "QUIRK_UNKNOWN_TYPE", "QUIRK_WRAP_CLIPPED", "QUIRK_ZERO_LENGTH", "QUIRK_E801_BOGUS",
    "QUIRK_CONV_MISMATCH", "QUIRK_E820_ONE_ENTRY", "QUIRK_DISK_RETRY", "QUIRK_INT12_BAD",
    "QUIRK_E820_UNSTABLE"))


# ---- what Bochs' BIOS answers ----------------------------------------------
#
# Derived by hand from Bochs 2.7 and its BIOS (Debian's bochsbios,
# /usr/share/bochs/BIOS-bochs-latest), then checked once against the raw
# lines of real runs (megs 1, 2, 4, 8, 15, 16, 17, 32, 64, 256, 1024, 2048,
# and 4160/4608 with guest RAM above 4 GiB): they matched to the byte.
#
# Bochs (iodev/devices.cc) puts the RAM size M (KiB) into CMOS:
#   30h/31h = min(M - 1024, 0xFC00)            KiB above 1 MiB
#   34h/35h = min((M - 16384) / 64, 0xBF00)    64 KiB blocks above 16 MiB
#             (0 up to 16 MiB; the cap ends RAM at 3 GiB, where PCI starts)
#   5Bh-5Dh = (RAM - 4 GiB) >> 16              64 KiB blocks above 4 GiB
# rombios.c (int15_function32, AX=E820h) takes the top of RAM below 4 GiB
#   top = 34h/35h * 64 KiB + 16 MiB, or, when that is <= 16 MiB,
#         30h/31h KiB + 1 MiB
# and answers by EBX, always 20-byte entries with ECX=20 (so the attribute
# the loader presets, 1, stays):
#   0: 0 - 0x9F000              RAM: 636 KiB, although INT 12h and 40:13
#                               say 639 KiB (EBDA at 0x9FC00)
#   1: 0x9F000 - 0xA0000        reserved
#   2: 0xE8000 - 0x100000       reserved (BIOS); next EBX=6 if top <= 1 MiB
#   3: 1 MiB - top-64K          RAM; BIOS-bochs-latest is the ROMBIOS32
#                               build without EBDA tables, so EBX goes 3 -> 5
#                               (no MP-table entry 4)
#   5: top-64K - top            ACPI reclaimable (type 3): ACPI_DATA_SIZE,
#                               where rombios32 puts the ACPI tables (Bochs'
#                               log: "ACPI DATA addr=0x01ff0000" at 32 MiB)
#   6: 0xFFFC0000 - 4 GiB       reserved (the BIOS ROM's 256 KiB at the top)
#   7: 4 GiB - 4 GiB + 5Bh-5Dh  RAM, only when there is RAM above 4 GiB
# RAM between 3 GiB and 4 GiB is in no entry.  E801 answers CX = AX =
# min(30h/31h, 0x3C00) and DX = BX = 34h/35h.

def _table(top, above4g=0):
    t = [(0x0, 0x9F000, 1), (0x9F000, 0x1000, 2), (0xE8000, 0x18000, 2)]
    if top > MIB:
        t += [(MIB, top - 0x10000 - MIB, 1), (top - 0x10000, 0x10000, 3)]
    t.append((0xFFFC0000, 0x40000, 2))
    if above4g:
        t.append((FOUR_GIB, above4g, 1))
    return t


# megs -> (raw E820 table, E801 (low KiB, high 64 KiB blocks))
EXPECTED = {
    # 30h/31h = 0: top = 1 MiB, entries 0, 1, 2, 6; no room for a kernel.
    1: ([(0x0, 0x9F000, 1), (0x9F000, 0x1000, 2), (0xE8000, 0x18000, 2),
         (0xFFFC0000, 0x40000, 2)], None),
    # 30h/31h = 1024: top = 1 MiB + 1 MiB = 2 MiB, the smallest that boots.
    2: ([(0x0, 0x9F000, 1), (0x9F000, 0x1000, 2), (0xE8000, 0x18000, 2),
         (0x100000, 0xF0000, 1), (0x1F0000, 0x10000, 3), (0xFFFC0000, 0x40000, 2)],
        (1024, 0)),
    # 34h/35h = 0, so 30h/31h = 15360: top = 15 MiB + 1 MiB = 16 MiB.
    16: ([(0x0, 0x9F000, 1), (0x9F000, 0x1000, 2), (0xE8000, 0x18000, 2),
          (0x100000, 0xEF0000, 1), (0xFF0000, 0x10000, 3), (0xFFFC0000, 0x40000, 2)],
         (15360, 0)),
    # 34h/35h = (32768 - 16384) / 64 = 256: top = 16 MiB + 16 MiB = 32 MiB.
    32: ([(0x0, 0x9F000, 1), (0x9F000, 0x1000, 2), (0xE8000, 0x18000, 2),
          (0x100000, 0x1EF0000, 1), (0x1FF0000, 0x10000, 3), (0xFFFC0000, 0x40000, 2)],
         (15360, 256)),
    # 34h/35h = 3840: top = 256 MiB.
    256: ([(0x0, 0x9F000, 1), (0x9F000, 0x1000, 2), (0xE8000, 0x18000, 2),
           (0x100000, 0xFEF0000, 1), (0xFFF0000, 0x10000, 3), (0xFFFC0000, 0x40000, 2)],
          (15360, 3840)),
    # 34h/35h = 32512: top = 2 GiB (Bochs 2.7's largest host-backed size).
    2048: ([(0x0, 0x9F000, 1), (0x9F000, 0x1000, 2), (0xE8000, 0x18000, 2),
            (0x100000, 0x7FEF0000, 1), (0x7FFF0000, 0x10000, 3), (0xFFFC0000, 0x40000, 2)],
           (15360, 32512)),
    # 34h/35h = 66304, capped at 0xBF00: top = 3 GiB; 5Bh-5Dh = 64 MiB >> 16
    # = 0x400: entry 7 is 4 GiB + 64 MiB.  The 1 GiB from 3 to 4 GiB is lost.
    4160: ([(0x0, 0x9F000, 1), (0x9F000, 0x1000, 2), (0xE8000, 0x18000, 2),
            (0x100000, 0xBFEF0000, 1), (0xBFFF0000, 0x10000, 3), (0xFFFC0000, 0x40000, 2),
            (0x100000000, 0x4000000, 1)],
           (15360, 0xBF00)),
}
# The formula above, kept honest against the hand-written tables.
assert all(EXPECTED[m][0] == _table(t, a) for m, t, a in (
    (2, 2 * MIB, 0), (16, 16 * MIB, 0), (32, 32 * MIB, 0), (256, 256 * MIB, 0), (2048, 2048 * MIB, 0),
    (4160, 3 * 1024 * MIB, 64 * MIB)))
BIOS_INT12_KIB = 639


# ---- running and parsing ---------------------------------------------------

class Boot:
    def __init__(self, rc, out, err, secs):
        self.rc, self.out, self.err, self.secs = rc, out.replace("\r", ""), err, secs

    def tail(self):
        return (self.out + self.err)[-400:]


def boot(image, megs=32, *opts, deadline=DEADLINE):
    start = time.monotonic()
    p = subprocess.run([BOCHS_RUN, image, "--megs", str(megs), "--timeout", str(deadline),
                        *opts], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       stdin=subprocess.DEVNULL)
    return Boot(p.returncode, p.stdout.decode("latin-1"), p.stderr.decode("latin-1"),
                time.monotonic() - start)


def usable_run(table, start, limit):
    """RAM running contiguously from `start` in a raw table, up to `limit`
    (what the loader's cross-check computes from E820)."""
    at = start
    for b, l, t in sorted(table):
        if t == 1 and b <= at < b + l:
            at = b + l
    return min(at, limit) - start


# ---- checks ------------------------------------------------------------------

def check_ok(b, megs, bits, int12_kib=BIOS_INT12_KIB, allow_flags=0):
    """Everything a good boot must show; a list of problems (empty: PASS)."""
    if b.rc != 0:
        return ["exit %d, expected 0; tail: %r" % (b.rc, b.tail())]
    rep = parse_report(b.out)
    if rep["end"] != "end ok":
        return ["no 'end ok' line (last: %r)" % rep["end"]]
    bad = []
    if "did not shut Bochs down" in b.err:
        bad.append("the kernel did not end the run through the shutdown port")
    expected, e801 = EXPECTED[megs]

    # 1. The raw map is exactly the BIOS's table, attributes untouched.
    raw = [(base, ln, t) for base, ln, t, _ in rep["raw"]]
    if raw != expected:
        bad.append("raw map differs from Bochs' BIOS table:\n  got      %s\n  expected %s"
                   % (fmt_table(raw), fmt_table(expected)))
    if any(a != 1 for *_, a in rep["raw"]):
        bad.append("raw attributes are not 1 for 20-byte answers")

    # 2. The sanitized map is well formed.
    m = rep["map"]
    if not m:
        bad.append("no map lines")
    bad += map_form_problems(m)

    # 3. Conventional memory: INT 12h and 40:13 say 639 KiB on this BIOS.
    if rep["conv_kib"] != int12_kib:
        bad.append("conventional memory %s KiB, expected %d" % (rep["conv_kib"], int12_kib))
    conv_top = (rep["conv_kib"] or 640) * KIB

    # 4. Every byte the BIOS calls RAM stays RAM-like (usable, loader,
    #    kernel), except 0..0x500, the conventional top..1 MiB and partial
    #    4 KiB pages at the edges of a range.
    ram_like = [(base, base + ln) for base, ln, t in m if t in RAM_LIKE]
    for base, ln, t in expected:
        if t != 1:
            continue
        s, e = base, base + ln
        allowed = [(0, IVT_BDA_END), (conv_top, MIB),
                   (s, (s + PAGE - 1) // PAGE * PAGE), (e // PAGE * PAGE, e)]
        lost = subtract(subtract([(s, e)], allowed), ram_like)
        if lost:
            bad.append("BIOS RAM %#x-%#x lost in the map: %s"
                       % (s, e, ["%#x-%#x" % x for x in lost]))

    # 5. Firmware ranges that are not RAM stay at least as restrictive.
    for base, ln, t in expected:
        if t == 1:
            continue
        strong = [(mb, mb + ml) for mb, ml, mt in m if RANK.get(mt, 99) >= E820_RANK[t]]
        weak = subtract([(base, base + ln)], strong)
        if weak:
            bad.append("BIOS type %d range %#x+%#x weakened in the map: %s"
                       % (t, base, ln, ["%#x-%#x" % x for x in weak]))

    # 6. Nothing usable over the BIOS's non-RAM ranges, the IVT/BDA, the
    #    EBDA..1 MiB, the loader's low area (include/layout.h), the loader's
    #    regions or the kernel.
    forbidden = [((0, IVT_BDA_END), "IVT/BDA"), ((conv_top, MIB), "EBDA..1MiB"),
                 (LOADER_LOW, "loader low area")]
    forbidden += [((base, base + ln), "loader region") for base, ln in rep["loader"]]
    if rep["kernel"]:
        forbidden.append(((rep["kernel"][0], sum(rep["kernel"])), "kernel"))
    else:
        bad.append("no kernel region reported")
    forbidden += [((base, base + ln), "BIOS type %d" % t) for base, ln, t in expected if t != 1]
    for base, ln, t in m:
        if t != "usable":
            continue
        for f, what in forbidden:
            if overlaps((base, base + ln), f):
                bad.append("usable %#x-%#x overlaps %s %#x-%#x"
                           % (base, base + ln, what, f[0], f[1]))
    if not rep["loader"]:
        bad.append("no loader regions reported")
    for base, ln in rep["loader"]:
        if subtract([(base, base + ln)],
                    [(mb, mb + ml) for mb, ml, t in m if t == "loader"]):
            bad.append("loader region %#x+%#x not typed loader" % (base, ln))
    if rep["kernel"]:
        kb, kl = rep["kernel"]
        if subtract([(kb, kb + kl)], [(mb, mb + ml) for mb, ml, t in m if t == "kernel"]):
            bad.append("kernel region %#x+%#x not typed kernel" % (kb, kl))

    # 7. The summary adds up; the source is E820.
    s = rep["summary"] or {}
    total = sum(ln for base, ln, t in m if t == "usable")
    above = sum(max(0, base + ln - max(base, FOUR_GIB)) for base, ln, t in m if t == "usable")
    if (s.get("usable") != str(total) or s.get("above4g") != str(above)
            or s.get("source") != "e820"):
        bad.append("summary %s, expected usable=%d above4g=%d source=e820" % (s, total, above))
    bios_above = sum(max(0, base + ln - max(base, FOUR_GIB)) for base, ln, t in expected
                     if t == 1)
    if above != bios_above:
        bad.append("usable above 4 GiB %d, the BIOS has %d" % (above, bios_above))

    # 8. The kernel touched every usable page above itself it could reach.
    t = rep["touch"] or {}
    lo = int(t.get("above", "0"), 16)
    reach = 1 << 64 if bits == 64 else FOUR_GIB
    want = sum(max(0, (min(base + ln, reach) - max(base, lo)) // PAGE) for base, ln, tt in m
               if tt == "usable")
    if t.get("pages") != str(want):
        bad.append("touch pages=%s, expected %d" % (t.get("pages"), want))

    # 9. The quirk record: Bochs answers 20-byte entries; its E820 and the
    #    older calls disagree in known ways (636 vs 639 KiB; E820 keeps the
    #    top 64 KiB for ACPI where E801 counts it), and the loader's second
    #    walk must agree with the first.
    q = rep["quirks"]
    flags = int(q.get("flags", "0"), 16)
    if not flags & QUIRK_E820_SHORT_ENTRIES:
        bad.append("20-byte E820 answers not flagged")
    if flags & QUIRKS_NEVER & ~allow_flags:
        bad.append("unexpected quirk flags %#x" % (flags & QUIRKS_NEVER & ~allow_flags))
    if q.get("e820_end") != "ebx-zero" or q.get("entries") != str(len(expected)):
        bad.append("E820 walk ended %s after %s entries, expected ebx-zero after %d"
                   % (q.get("e820_end"), q.get("entries"), len(expected)))
    if (q.get("int12"), q.get("bda")) != (str(int12_kib), str(int12_kib)):
        bad.append("INT 12h %s / 40:13 %s KiB, expected %d" % (q.get("int12"), q.get("bda"),
                                                                 int12_kib))
    if e801 and (q.get("e801_low"), q.get("e801_high")) != tuple(map(str, e801)):
        bad.append("E801 %s/%s, expected %d KiB / %d blocks" % (q.get("e801_low"),
                                                               q.get("e801_high"), *e801))
    if "e820_conv" in q:
        conv = usable_run(expected, 0, 640 * KIB) // KIB
        ext_low = usable_run(expected, MIB, 16 * MIB) // KIB
        ext_high = usable_run(expected, 16 * MIB, FOUR_GIB) // (64 * KIB)
        got = (q.get("e820_conv"), q.get("e820_ext_low"), q.get("e820_ext_high"))
        if got != (str(conv), str(ext_low), str(ext_high)):
            bad.append("E820 cross-check figures %s, expected %s"
                       % (got, (conv, ext_low, ext_high)))
        if bool(flags & QUIRK_E820_INT12_MISMATCH) != (conv != int12_kib):
            bad.append("E820/INT 12h mismatch flag wrong (%d vs %d KiB)" % (conv, int12_kib))
        if e801 and bool(flags & QUIRK_E820_E801_MISMATCH) != ((ext_low, ext_high) != e801):
            bad.append("E820/E801 mismatch flag wrong")
        if q.get("recheck_diff") != "0" or flags & QUIRK_E820_UNSTABLE:
            bad.append("second E820 walk differed: recheck_diff=%s" % q.get("recheck_diff"))
    return bad


def fmt_table(t):
    return "[" + ", ".join("(%#x, %#x, %d)" % e for e in t) + "]"


def check_loader_error(b, message, within=10):
    """Exit 2 (stage2's message), stopped by the runner right away."""
    bad = []
    if b.rc != 2:
        bad.append("exit %d, expected 2 (loader error); tail: %r" % (b.rc, b.tail()))
    if not re.search(r"^stage2: error: .*%s" % re.escape(message), b.out, re.M):
        bad.append("no 'stage2: error: ...%s' line" % message)
    if b.secs > within:
        bad.append("took %.1f s (the runner should stop Bochs at once)" % b.secs)
    return bad


# ---- images ------------------------------------------------------------------

def shim_image(tmp, name, *defines):
    """The normal 64-bit image behind tests/shims/shim.asm; the real MBR
    moves to the last sector, where the shim reads it from."""
    img = os.path.join(tmp, name)
    shutil.copy(os.path.join(BUILD, "disk.img"), img)
    last = os.path.getsize(img) // SECTOR - 1
    shim = img + ".shim"
    subprocess.run(["nasm", "-f", "bin", "-DREAL_MBR_LBA=%d" % last, *defines,
                    os.path.join(ROOT, "tests", "shims", "shim.asm"), "-o", shim], check=True)
    with open(img, "r+b") as f:
        mbr = f.read(SECTOR)
        f.seek(last * SECTOR)
        f.write(mbr)
        f.seek(0)
        with open(shim, "rb") as s:
            f.write(s.read())
    return img


def mbr_image(tmp, name, code):
    """A 1 MiB disk whose boot sector is `code` (machine code at 0x7C00)."""
    img = os.path.join(tmp, name)
    sector = bytearray(SECTOR)
    sector[:len(code)] = code
    sector[510:] = b"\x55\xaa"
    with open(img, "wb") as f:
        f.write(bytes(sector) + bytes(MIB - SECTOR))
    return img


# cli; lidt [idt]; int3; jmp $; idt: a zero-limit IDT at 0x7C09 -> triple fault
TRIPLE_FAULT = b"\xfa\x0f\x01\x1e\x09\x7c\xcc\xeb\xfe" + bytes(6)
SPIN = b"\xeb\xfe"  # jmp $


# ---- the tests -----------------------------------------------------------------

def tests(tmp):
    d64 = os.path.join(BUILD, "disk.img")
    d32 = os.path.join(BUILD, "disk32.img")
    t = {}

    def ok(name, image, megs, bits, *opts, deadline=DEADLINE, extra=None, **kw):
        def run():
            b = boot(image, megs, *opts, deadline=deadline)
            bad = check_ok(b, megs, bits, **kw)
            if not bad and extra:
                bad += [why for what, why in extra if not what(b)]
            return bad
        t[name] = run

    # The map at several sizes: CMOS 30h/31h (2, 16 MiB), 34h/35h (32, 256,
    # 2048 MiB), and RAM above 4 GiB with the 3-4 GiB gap (4160 MiB: guest
    # RAM beyond 2 GiB lives in Bochs' swap file, about 12-15 s a boot).
    for bits, img in ((64, d64), (32, d32)):
        for megs in (2, 16, 32, 256, 2048):
            ok("e820-elf%d-%dm" % (bits, megs), img, megs, bits)
        ok("e820-elf%d-4160m-above-4g" % bits, img, 4160, bits, deadline=BIG_DEADLINE)

    # 1 MiB of RAM: the kernel cannot be placed; a clear error, promptly.
    t["loader-error-1m"] = lambda: check_loader_error(boot(d64, 1), "is not in usable RAM")

    # A20 off before the MBR runs: Bochs wraps addresses at 1 MiB for real,
    # so a loader that touched high memory before enabling A20, or copied
    # through the wrong path, corrupts itself here.
    ok("a20-off-int15", shim_image(tmp, "a20b.img", "-DA20_OFF"), 32, 64,
       extra=[(lambda b: "A20: int15-2401" in b.out, "A20 not enabled by INT 15h 2401h")])
    ok("a20-off-8042", shim_image(tmp, "a20k.img", "-DA20_OFF", "-DHOOK_2401"), 32, 64,
       # The shim's INT 15h hook takes 1 KiB below the EBDA by lowering 40:13
       # without moving the EBDA, as option ROMs do: INT 12h and the EBDA
       # pointer disagree, rightly flagged.
       int12_kib=BIOS_INT12_KIB - 1, allow_flags=define("bootinfo.h", "QUIRK_CONV_MISMATCH"),
       extra=[(lambda b: "A20: 8042" in b.out, "A20 not enabled through the 8042")])

    # A 1.44 MB floppy (mkimage --floppy): DL=0, no INT 13h extensions, CHS
    # reads.
    def floppy(name, kernel):
        img = os.path.join(tmp, name)
        subprocess.run([os.path.join(BUILD, "mkimage"), "--floppy", os.path.join(BUILD, "mbr.bin"),
                        os.path.join(BUILD, "stage2.bin"), os.path.join(BUILD, kernel), img],
                       check=True, stdout=subprocess.DEVNULL)
        return img

    classic = os.path.join(tmp, "classic.img")
    subprocess.run([os.path.join(BUILD, "mkimage"), "--classic", os.path.join(BUILD, "mbr.bin"),
                    os.path.join(BUILD, "stage2.bin"), os.path.join(BUILD, "kernel64.elf"),
                    classic], check=True, stdout=subprocess.DEVNULL)
    ok("classic-layout-partition-at-lba63", classic, 32, 64)

    def chs(b):
        m = re.search(r"quirks flags=0x([0-9a-f]+)", b.out)
        return m and int(m.group(1), 16) & QUIRK_DISK_CHS
    ok("floppy-chs-elf64", floppy("f64.img", "kernel64.elf"), 32, 64, "--floppy",
       extra=[(chs, "CHS reads not flagged"),
              (lambda b: "started from drive 0x0 " in b.out, "not started from drive 0")])
    ok("floppy-chs-elf32", floppy("f32.img", "kernel32.elf"), 32, 32, "--floppy",
       extra=[(chs, "CHS reads not flagged")])

    # CPUs: a Pentium 4 without long mode; a Skylake with 1 GiB pages
    # (Bochs' default CPU has 2 MiB pages only), RAM above 4 GiB included.
    t["cpu-no-long-mode-elf64"] = lambda: check_loader_error(
        boot(d64, 32, "--cpu", "p4_willamette"), "this CPU has no long mode")
    ok("cpu-no-long-mode-elf32", d32, 32, 32, "--cpu", "p4_willamette")
    ok("cpu-2mib-pages", d64, 32, 64,
       extra=[(lambda b: "with 2 MiB pages" in b.out, "not mapped with 2 MiB pages")])
    ok("cpu-1gib-pages-4160m", d64, 4160, 64, "--cpu", "corei7_skylake_x",
       deadline=BIG_DEADLINE,
       extra=[(lambda b: "with 1 GiB pages" in b.out, "not mapped with 1 GiB pages")])

    # The runner's own verdicts.
    def runner_hang():
        b = boot(mbr_image(tmp, "spin.img", SPIN), 32, deadline=3)
        return [] if b.rc == 3 and b.secs < 15 else \
            ["exit %d after %.1f s, expected 3 (hang) after about 3 s" % (b.rc, b.secs)]

    def runner_triple_fault():
        b = boot(mbr_image(tmp, "tf.img", TRIPLE_FAULT), 32)
        bad = [] if b.rc == 5 and b.secs < 15 else \
            ["exit %d after %.1f s, expected 5 at once" % (b.rc, b.secs)]
        if "3rd" not in b.err:
            bad.append("Bochs' triple-fault message not passed on: %r" % b.err[-300:])
        return bad
    t["runner-hang-exit-3"] = runner_hang
    t["runner-triple-fault-exit-5"] = runner_triple_fault
    return t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()

    missing = [p for p in (os.path.join(BUILD, "disk.img"), os.path.join(BUILD, "disk32.img"))
               if not os.path.exists(p)]
    if missing:
        print("FAIL bochs-setup: %s missing (run make all)" % ", ".join(missing))
        return 1
    if not shutil.which("bochs"):
        print("FAIL bochs-setup: bochs not installed "
              "(apt-get install bochs bochs-term bochsbios vgabios)")
        return 1

    return run_cases(tests, args.only, args.jobs)


if __name__ == "__main__":
    sys.exit(main())
