#!/usr/bin/env python3
"""BIOS fixtures under Bochs: the option ROMs of tests/fixtures/int15rom.asm
(built by `make fixtures` into build/fixtures/), which fixturetest.py loads
into QEMU/SeaBIOS with -option-rom, here loaded into Bochs with its own BIOS
(rombios, Debian's bochsbios) through `tools/bochs-run --optrom`, so that
each variant is proven on a second BIOS implementation:

  noe820         E820 fails; E801 comes from Bochs' BIOS
  noe820-noe801  E820 and E801 fail; 88h comes from Bochs' BIOS
  quirky-e820    E820 answered from the fixture's scripted table
  stolen         everything chains to Bochs' BIOS; 8 KiB off 40:13

For each case: (a) the kernel says "end ok"; (b) its "map" lines equal,
exactly, the list derived by hand below for Bochs' BIOS; (c) "summary ...
source=" names the interface the variant forces; (d) after the kernel's last
line (tools/bochs-run --dump: Bochs' magic breakpoint, see there) INT 15h
still points at the handler in the fixture's stolen RAM, and that RAM holds
the ROM's resident image (its saved-old-vector field holding Bochs' own INT
15h entry, F000:F859) followed by the fill byte; (e) the stolen RAM is not
usable in the map.  Also checked: the raw lines, the quirk record (INT 12h,
40:13, E801 and 88h as Bochs answers them), and for quirky-e820 that every
usable byte of the scripted table is real RAM in the Bochs guest.

Prints one line per test, "PASS <name>" or "FAIL <name>: <why>", then a
"# ..." timing line; exits 1 if anything failed.
Usage: bochsfixturetest.py [--only SUBSTRING] [--jobs N] [--mutants]
  --mutants  after each boot, also feed altered copies of its output (a
             dropped "end ok", a changed map line, another source, a moved
             INT 15h vector, a changed byte in the stolen RAM, the stolen RAM
             made usable, ...) to the same checks and report, as
             "PASS mutants-<case>", whether every alteration was caught by
             the check meant for it.
"""
import argparse
import os
import re
import shutil
import struct
import subprocess
import sys
import threading
import time

from bootlib import (Reporter, BUILD, MIB, PAGE, ROOT, define, kernel_pages, map_ranges, page_down,
                     page_up, parse_report)
# The fixture ROMs' facts (descriptor, scripted table) have one owner: the
# QEMU fixture test, which also checks every ROM against them.
from fixturetest import (DESC_MAGIC, DESC_OFF, QUIRKY_SCRIPT, UNKNOWN_TYPE, fmt_map,
                         loader_end, read_rom)

FIXTURES = os.path.join(BUILD, "fixtures")
BOCHS_RUN = os.path.join(ROOT, "tools", "bochs-run")
IMAGES = {64: os.path.join(BUILD, "disk.img"), 32: os.path.join(BUILD, "disk32.img")}
KERNELS = {64: os.path.join(BUILD, "kernel64.elf"), 32: os.path.join(BUILD, "kernel32.elf")}
DEADLINE = 40           # seconds per boot (tools/bochs-run --timeout)
BIG_DEADLINE = 90       # guest RAM above 2 GiB lives in Bochs' swap file

KIB = 1 << 10
GIB = 1 << 30
FOUR_GIB = 4 * GIB


IVT_BDA_END = define("layout.h", "IVT_BDA_END")
LOADER_LOW_BASE = define("layout.h", "LOADER_LOW_BASE")
LOADER_LOW_END = define("layout.h", "LOADER_LOW_END")
KERNEL_STACK_SIZE = define("layout.h", "KERNEL_STACK_SIZE")
QUIRK = {n: define("bootinfo.h", "QUIRK_" + n) for n in (
    "E820_SHORT_ENTRIES", "E820_ATTR_ALL_CLEAR", "E820_ATTR_HONOURED", "OVERLAP", "UNSORTED",
    "UNKNOWN_TYPE", "ZERO_LENGTH", "E801_CXDX", "CONV_MISMATCH", "E820_INT12_MISMATCH",
    "E820_UNSTABLE", "RAW_OVERFLOW", "WRAP_CLIPPED", "E801_BOGUS", "INT12_BAD",
    "E820_ONE_ENTRY", "DISK_RETRY")}


# ---- what Bochs' BIOS answers ------------------------------------------------
#
# Bochs 2.7 with Debian's BIOS-bochs-latest (rombios.c + rombios32.c); the
# E820 formula is the one tests/boot/bochstest.py documents and checks at
# many sizes.  For guest RAM of M KiB Bochs sets CMOS
#   30h/31h = min(M - 1024, 0xFC00)          KiB above 1 MiB
#   34h/35h = min((M - 16384) / 64, 0xBF00)  64 KiB blocks above 16 MiB (0 up to 16 MiB)
#   5Bh-5Dh = (M KiB - 4 GiB) / 64 KiB       RAM above 4 GiB
# and rombios answers
#   INT 12h     the word at 40:13 (POST sets 639 KiB: 1 KiB EBDA at 0x9FC00,
#               40:0E = 9FC0h), so it follows an option ROM that lowers 40:13;
#   E820        from a fixed script that does NOT look at 40:13: RAM 0-0x9F000
#               (636 KiB), reserved 0x9F000-0xA0000 and 0xE8000-1 MiB, RAM
#               1 MiB-(top - 64 KiB), ACPI data (type 3) top-64 KiB..top,
#               reserved 0xFFFC0000-4 GiB, RAM 4 GiB.. when 5Bh-5Dh != 0;
#               top = 34h/35h * 64 KiB + 16 MiB (or 30h/31h KiB + 1 MiB up to
#               16 MiB); 20-byte entries, ECX=20, EBX=0 with the last;
#   E801        CX = AX = min(30h/31h, 0x3C00), DX = BX = 34h/35h: the ACPI
#               data at the top of RAM is counted as memory (E820 keeps it);
#   88h         AX = min(30h/31h, 0xFFC0): NOT capped at 15 MiB as SeaBIOS
#               caps it (SeaBIOS: min(RAM below 4 GiB - 1 MiB, 63 MiB) from its
#               own E820 RAM, without its high tables); here up to 63 MiB
#               through the CMOS cap, ACPI data again counted.
# Its INT 15h handler is the fixed ROM BIOS entry point F000:F859 (rombios.c's
# list of compatibility entry points), which the fixture saves as the old
# vector.  Checked once against raw lines of real runs (the "raw" and "quirks"
# checks below keep checking it): 64 MiB E801 15360/768, 32 MiB 88h 31744,
# 128 MiB 88h 64512, E820 unchanged with 40:13 at 631 KiB.
BIOS_BASE_KIB = 639
EBDA = 0x9FC00
BIOS_INT15 = (0xF000, 0xF859)
NO_RAM_BYTE = 0xFF       # what Bochs returns for a physical read with no RAM


def cmos(megs):
    k = megs * 1024
    c30 = min(k - 1024, 0xFC00) if k > 1024 else 0
    c34 = min((k - 16384) // 64, 0xBF00) if k > 16384 else 0
    above = max(0, megs * MIB - FOUR_GIB)
    return c30, c34, above


def bochs_top(megs):
    c30, c34, _ = cmos(megs)
    top = c34 * 64 * KIB + 16 * MIB
    return top if top > 16 * MIB else c30 * KIB + MIB


def bochs_e820(megs):
    """Bochs' E820 table (base, length, type) in call order."""
    top = bochs_top(megs)
    above = cmos(megs)[2]
    t = [(0, 0x9F000, 1), (0x9F000, 0x1000, 2), (0xE8000, 0x18000, 2)]
    if top > MIB:
        t += [(MIB, top - 0x10000 - MIB, 1), (top - 0x10000, 0x10000, 3)]
    t.append((0xFFFC0000, 0x40000, 2))
    if above:
        t.append((FOUR_GIB, above, 1))
    return t


def bochs_e801(megs):
    c30, c34, _ = cmos(megs)
    return min(c30, 0x3C00), c34


def bochs_88(megs):
    return min(cmos(megs)[0], 0xFFC0)


def bochs_ram(megs):
    """Physical RAM of the guest as [start, end) ranges: 0-640 KiB, 1 MiB up
    to the top below 4 GiB (the ACPI data is RAM too), 4 GiB.. if any."""
    top, above = bochs_top(megs), cmos(megs)[2]
    r = [(0, 0xA0000), (MIB, top)]
    if above:
        r.append((FOUR_GIB, FOUR_GIB + above))
    return r


# ---- the fixture ROMs --------------------------------------------------------
# Descriptor at ROM offset 0x20 (int15rom.asm, "descriptor for the test").
VF_NOE820, VF_NOE801, VF_QUIRKY = 1, 2, 4

# The quirky-e820 script, in call order: (base, length, type, attr, ECX);
# the same table as int15rom.asm's (checked byte for byte against the ROM)
# and fixturetest.py's.  It was written for a QEMU guest with RAM at
# 0-0xA0000, 1 MiB-256 MiB and 4 GiB-4.25 GiB.  In Bochs, RAM below 4 GiB
# goes up to 3 GiB at most and RAM above 4 GiB is what --megs has beyond
# 4 GiB, so --megs 4352 (4 GiB + 256 MiB) gives RAM at 0-0xA0000, 1 MiB-3 GiB
# and 4 GiB-4.25 GiB: every valid usable entry (0, 2, 8, 13) is real RAM, and
# entry 12 (valid bit clear, 4.25-4.5 GiB) is, as on QEMU, RAM that does not
# exist.  Nothing smaller works: entry 13 needs RAM up to 4.25 GiB.


def check_rom(variant, spec):
    path = os.path.join(FIXTURES, "int15-%s.bin" % variant)
    if not os.path.exists(path):
        return None, ["%s missing: run `make fixtures`" % os.path.relpath(path, ROOT)]
    try:
        r = read_rom(path)
    except (ValueError, struct.error) as e:
        return None, ["%s: %s" % (path, e)]
    bad = []
    rom = r["rom"]
    if rom[0:2] != b"\x55\xaa" or rom[2] * 512 != len(rom) or sum(rom) & 0xFF:
        bad.append("not a valid option ROM (55 AA, size byte, checksum)")
    if (r["flags"], r["steal_kib"]) != (spec["flags"], spec["steal_kib"]):
        bad.append("built as flags=%d steal=%d KiB, this test expects flags=%d steal=%d KiB"
                   % (r["flags"], r["steal_kib"], spec["flags"], spec["steal_kib"]))
    if len(r["image"]) > r["steal_kib"] * KIB or r["image"][:4] != b"I15R":
        bad.append("resident image does not fit or does not start with 'I15R'")
    if r["table"] != (QUIRKY_SCRIPT if spec["flags"] & VF_QUIRKY else []):
        bad.append("E820 table in the ROM differs from this test's script")
    r["path"] = path
    return r, bad


# ---- expected maps, derived by hand ------------------------------------------
# The loader's rules (as in fixturetest.py; design.md, stage2/sanitize.h):
# firmware ranges plus reserved [0, IVT_BDA_END), reserved [conv_top, 1 MiB)
# with conv_top = min(INT 12h, 40:13, EBDA base), loader [LOADER_LOW_BASE,
# LOADER_LOW_END), the kernel stack and the ELF64 page tables (loader, first
# fit from LOADER_LOW_END: KERNEL_STACK_SIZE, then 1 PML4 + 1 PDPT + one
# page directory per GiB mapped, the GiBs being 0-3 plus every GiB holding
# RAM-like memory above; Bochs' default CPU, bx_generic, has no 1 GiB pages),
# the kernel's pages; the most restrictive type wins, equal neighbours merge,
# usable ranges shrink to whole pages and a trimmed fragment joins its
# (more restrictive) neighbour.
#
# Conventional memory, every variant: Bochs' POST sets 40:13 = 639 KiB, the
# fixture takes S KiB, INT 12h returns the new word: conv_top = min(639 - S,
# 639 - S, EBDA 0x9FC00 = 639 KiB) KiB = (639 - S) KiB, and the low end is
#   reserved [0, IVT_BDA_END), loader [LOADER_LOW_BASE, loader_end),
#   usable [loader_end, page_down(conv_top)), reserved [page_down(conv_top),
#   1 MiB) (the fragment below conv_top joins the carve-out, which covers the
#   stolen RAM, the EBDA, and Bochs' reserved 0x9F000-0xA0000 and 0xE8000-
#   1 MiB), then the kernel's pages from 1 MiB.
# For stolen (S = 8) that carve-out is what keeps the fixture out of usable
# memory: Bochs' E820 still says RAM up to 0x9F000, over 0x9DC00-0x9F000 of
# the stolen RAM (the quirky script's entry 2 does the same on purpose).

def low_part(bits, steal_kib, tables64, k0, ke):
    conv_top = (BIOS_BASE_KIB - steal_kib) * KIB
    le = loader_end(bits, tables64)
    return [("reserved", 0, IVT_BDA_END),
            ("loader", LOADER_LOW_BASE, le),
            ("usable", le, page_down(conv_top)),
            ("reserved", page_down(conv_top), MIB),
            ("kernel", k0, ke)]


def expected_stolen(bits, megs, k0, ke):
    # E820 from Bochs (6 entries below 4 GiB), untouched by 40:13 = 631 KiB.
    # conv_top = 631 KiB = 0x9DC00 -> usable to 0x9D000; reserved 0x9D000-
    # 1 MiB beats Bochs' "RAM 0-0x9F000".  Above: RAM 1 MiB..top-64K minus the
    # kernel, Bochs' ACPI data, the BIOS ROM at the top of 4 GiB.  Page
    # tables: 6 (nothing RAM-like above 4 GiB).
    # 256 MiB: top = (262144 - 16384) / 64 * 64 KiB + 16 MiB = 0x10000000.
    top = bochs_top(megs)
    return low_part(bits, 8, 6, k0, ke) + [
        ("usable", ke, top - 0x10000),
        ("acpi-reclaimable", top - 0x10000, top),
        ("reserved", 0xFFFC0000, FOUR_GIB)]


def expected_noe820(bits, megs, k0, ke):
    # E820 fails -> E801 from Bochs: 64 MiB: CX = min(64512, 0x3C00) = 15360,
    # DX = (65536 - 16384) / 64 = 768 -> synthesized usable [1 MiB, 16 MiB) and
    # [16 MiB, 16 MiB + 768 * 64 KiB = 64 MiB), one run with the kernel carved
    # out.  Unlike E820, E801 counts Bochs' ACPI data (0x3FF0000-0x4000000)
    # as memory: it becomes usable (the BIOS's answer, nothing the loader can
    # know).  conv_top = 638 KiB = 0x9F800 -> usable to 0x9F000.  6 tables.
    low, high = bochs_e801(megs)
    assert low == 15 * KIB and high
    return low_part(bits, 1, 6, k0, ke) + [("usable", ke, 16 * MIB + high * 64 * KIB)]


def expected_noe820_noe801(bits, megs, k0, ke):
    # E820 and E801 fail -> 88h from Bochs: AX = min(30h/31h, 0xFFC0).
    # 32 MiB: 32768 - 1024 = 31744 KiB -> usable [1 MiB, 32 MiB) (SeaBIOS
    # would stop short of its high tables; the ACPI data counts here too).
    # 128 MiB: 30h/31h is capped at 0xFC00 = 64512 KiB -> usable to 64 MiB.
    # conv_top = 637 KiB = 0x9F400 -> usable to 0x9F000.  6 tables.
    return low_part(bits, 2, 6, k0, ke) + [("usable", ke, MIB + bochs_88(megs) * KIB)]


def expected_quirky(bits, megs, k0, ke):
    # E820 = QUIRKY_SCRIPT, so above 1 MiB nothing depends on the BIOS: the
    # same list as fixturetest.py derives for QEMU.  Dropped before the sweep:
    # 9 and 12 (valid bit clear while other 24-byte entries set it), 10 (zero
    # length).  Entry 2 (usable to 0x9FC00) covers the 4 stolen KiB: conv_top
    # = 635 KiB = 0x9EC00 -> usable to 0x9E000, the carve-out beats entry 2.
    #   0x103000.. (kernel end)..0x8000000  usable (0 and 8)
    #   0x8000000-0x8002000 reserved (entry 1, 0x8000800-0x8001800, plus the
    #       usable fragments on both sides)
    #   0x8002000-0xFE00000 usable; 0xFE00000-0xFE80000 acpi-reclaimable (6);
    #   0xFE80000-0xFE81000 acpi-nvs (7); 0xFE81000-0xFF00000 acpi-reclaimable;
    #   0xFF00000-0x10000000 reserved (5, unknown type); 0xFFFC0000-4 GiB
    #   reserved (11); 4 GiB-0x10FFFF000 usable (13); 0x10FFFF000-0x110001000
    #   bad (14 beats 13); 0xFD00000000-0x10000000000 reserved (15).
    # Page tables: GiBs 0-3 plus GiB 4 -> 1 + 1 + 5 = 7.
    return low_part(bits, 4, 7, k0, ke) + [
        ("usable", ke, 0x8000000),
        ("reserved", 0x8000000, 0x8002000),
        ("usable", 0x8002000, 0xFE00000),
        ("acpi-reclaimable", 0xFE00000, 0xFE80000),
        ("acpi-nvs", 0xFE80000, 0xFE81000),
        ("acpi-reclaimable", 0xFE81000, 0xFF00000),
        ("reserved", 0xFF00000, 0x10000000),
        ("reserved", 0xFFFC0000, FOUR_GIB),
        ("usable", FOUR_GIB, 0x10FFFF000),
        ("bad", 0x10FFFF000, 0x110001000),
        ("reserved", 0xFD00000000, 0x10000000000)]


def expected_raw(variant, megs, steal_kib):
    """The raw lines (base, length, type, attr): attr 1 where the answer had
    20 bytes (the loader presets it) or the entry was synthesized."""
    top = (BIOS_BASE_KIB - steal_kib) * KIB
    if variant == "quirky-e820":
        return [(b, l, t, a if n == 24 else 1) for b, l, t, a, n in QUIRKY_SCRIPT]
    if variant == "stolen":
        return [(b, l, t, 1) for b, l, t in bochs_e820(megs)]
    low = [(0, top, 1, 1), (top, MIB - top, 2, 1)]
    if variant == "noe820":
        e801_low, e801_high = bochs_e801(megs)
        return low + [(MIB, e801_low * KIB, 1, 1), (16 * MIB, e801_high * 64 * KIB, 1, 1)]
    return low + [(MIB, bochs_88(megs) * KIB, 1, 1)]


def expected_quirks(variant, megs, steal_kib):
    """Fields of the kernel's "quirks" lines, flags that must be set and
    flags that must not."""
    kib = str(BIOS_BASE_KIB - steal_kib)
    q = {"int12": kib, "bda": kib, "recheck_diff": "0"}
    must, mustnot = ["CONV_MISMATCH"], ["E820_UNSTABLE", "INT12_BAD", "RAW_OVERFLOW"]
    e801 = tuple(map(str, bochs_e801(megs)))
    if variant == "stolen":
        # Bochs' walk: 6 entries, EBX=0 with the last; E820's low RAM is still
        # 636 KiB (0x9F000) while INT 12h says 631: flagged.  The cross-check
        # asks E801 too (the fixture chains it).
        q.update(e820_end="ebx-zero", calls="6", entries="6", dropped_attr="0",
                 e801_low=e801[0], e801_high=e801[1], e820_conv="636")
        must += ["E820_SHORT_ENTRIES", "E820_INT12_MISMATCH", "E801_CXDX"]
        mustnot += ["OVERLAP", "UNSORTED", "UNKNOWN_TYPE", "ZERO_LENGTH"]
    elif variant == "quirky-e820":
        # 16 entries then the CF call; 10 zero length; 9 and 12 valid bit
        # clear; 5 unknown; overlapping kept pairs 0-1, 0-5, 0-6, 0-7, 0-8,
        # 1-8, 6-7, 13-14 = 8.  E801 (cross-check) from Bochs.
        q.update(e820_end="carry", calls="17", entries="16", dropped_zero="1",
                 dropped_attr="2", unknown_types="1", overlaps="8",
                 e801_low=e801[0], e801_high=e801[1], e820_conv="639")
        must += ["E820_SHORT_ENTRIES", "E820_ATTR_HONOURED", "OVERLAP", "UNSORTED",
                 "UNKNOWN_TYPE", "ZERO_LENGTH", "E820_INT12_MISMATCH"]
        mustnot += ["E820_ATTR_ALL_CLEAR"]
    else:
        q.update(e820_end="none", calls="1", entries="0")
        if variant == "noe820":
            q.update(e801_low=e801[0], e801_high=e801[1])
            must += ["E801_CXDX"]
        else:
            q.update(e801_low="0", e801_high="0", ext88=str(bochs_88(megs)))
    return q, must, mustnot


# variant -> images and --megs per image, source, expectation
VARIANTS = {
    "noe820": dict(flags=VF_NOE820, steal_kib=1, megs={64: 64, 32: 64}, source="e801",
                   expect=expected_noe820),
    "noe820-noe801": dict(flags=VF_NOE820 | VF_NOE801, steal_kib=2, megs={64: 32, 32: 128},
                          source="88", expect=expected_noe820_noe801),
    "quirky-e820": dict(flags=VF_QUIRKY, steal_kib=4, megs={64: 4352, 32: 4352},
                        source="e820", expect=expected_quirky),
    "stolen": dict(flags=0, steal_kib=8, megs={64: 256, 32: 32}, source="e820",
                   expect=expected_stolen),
}
assert bochs_ram(4352) == [(0, 0xA0000), (MIB, 3 * GIB), (FOUR_GIB, FOUR_GIB + 256 * MIB)]
assert bochs_e820(32) == [(0x0, 0x9F000, 1), (0x9F000, 0x1000, 2), (0xE8000, 0x18000, 2),
                          (0x100000, 0x1EF0000, 1), (0x1FF0000, 0x10000, 3),
                          (0xFFFC0000, 0x40000, 2)]   # bochstest.py's 32 MiB table

# The quirky case also reads, after its last line, the last usable page below
# 0x10FFFF000 (ELF64 kernels write a pattern in every usable page they reach)
# and the first bytes past 4 GiB + 256 MiB (no RAM: Bochs returns 0xFF).
QUIRKY_LAST_PAGE = 0x10FFFE000
QUIRKY_NO_RAM = 0x110000000


# ---- running and checking ------------------------------------------------------

def dumped(rep, addr, n):
    d = rep["dump"]
    if any(addr + i not in d for i in range(n)):
        return None
    return bytes(d[addr + i] for i in range(n))


def case_dumps(variant, bits, rom):
    stolen_base = (BIOS_BASE_KIB - rom["steal_kib"]) * KIB
    d = [(0x54, 4), (stolen_base, rom["steal_kib"] * KIB)]
    if variant == "quirky-e820" and bits == 64:
        d += [(QUIRKY_LAST_PAGE, PAGE), (QUIRKY_NO_RAM, 16)]
    return d


def boot(variant, bits, spec, rom):
    megs = spec["megs"][bits]
    args = [BOCHS_RUN, IMAGES[bits], "--megs", str(megs),
            "--timeout", str(BIG_DEADLINE if megs > 2048 else DEADLINE), "--optrom", rom["path"]]
    for a, n in case_dumps(variant, bits, rom):
        args += ["--dump", "%x:%x" % (a, n)]
    p = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    return (p.returncode, p.stdout.decode("latin-1").replace("\r", ""),
            p.stderr.decode("latin-1"))


def check(variant, bits, spec, rom, kpages, rc, out, err):
    """Problems as (tag, text); tag a-e as in the module docstring, or raw,
    quirks, ram, rom for the other checks."""
    bad = []
    megs = spec["megs"][bits]
    rep = parse_report(out)
    rep["map"] = map_ranges(rep)  # (type, start, end), as the derivations are written
    k0, ke = kpages
    steal = rom["steal_kib"]
    stolen_base, stolen_end = (BIOS_BASE_KIB - steal) * KIB, BIOS_BASE_KIB * KIB

    # (a) the kernel's verdict, and the runner's
    if rep["end"] != "end ok" or rc != 0:
        tail = [l for l in (out + err).split("\n") if l.strip()][-6:]
        return [("a", "bochs-run exit %d, kernel ended with %r; last output: %s"
                 % (rc, rep["end"], " | ".join(tail)))]

    # (b) the sanitized map, exactly
    want = spec["expect"](bits, megs, k0, ke)
    if rep["map"] != want:
        extra = [e for e in rep["map"] if e not in want]
        missing = [e for e in want if e not in rep["map"]]
        bad.append(("b", "map differs: unexpected [%s]; missing [%s]"
                    % (fmt_map(extra), fmt_map(missing))))

    # raw lines: what the fixture, or Bochs' BIOS through it, answered
    raw_want = expected_raw(variant, megs, steal)
    if rep["raw"] != raw_want:
        bad.append(("raw", "raw map %s, expected %s" % (
            [tuple(hex(x) for x in r) for r in rep["raw"]],
            [tuple(hex(x) for x in r) for r in raw_want])))

    # quirk record
    q, must, mustnot = expected_quirks(variant, megs, steal)
    for k, v in q.items():
        if rep["quirks"].get(k) != v:
            bad.append(("quirks", "quirks %s=%s, expected %s" % (k, rep["quirks"].get(k), v)))
    flags = int(rep["quirks"].get("flags", "0"), 16)
    for n in must:
        if not flags & QUIRK[n]:
            bad.append(("quirks", "quirk flag %s not set (flags=%#x)" % (n, flags)))
    for n in mustnot:
        if flags & QUIRK[n]:
            bad.append(("quirks", "quirk flag %s set (flags=%#x)" % (n, flags)))

    # (c) the source the variant forces, and a summary that adds up
    s = rep["summary"] or {}
    usable = sum(e - b for t, b, e in want if t == "usable")
    above = sum(e - max(b, FOUR_GIB) for t, b, e in want if t == "usable" and e > FOUR_GIB)
    if s.get("source") != spec["source"]:
        bad.append(("c", "source=%s, expected %s" % (s.get("source"), spec["source"])))
    if (s.get("usable"), s.get("above4g")) != (str(usable), str(above)):
        bad.append(("b", "summary usable=%s above4g=%s, expected %d %d"
                    % (s.get("usable"), s.get("above4g"), usable, above)))

    # Every usable byte expected is RAM in this guest, and the kernel touched
    # every usable page above itself it could reach (so it really was RAM).
    ram = bochs_ram(megs)
    for t, b, e in want:
        if t == "usable" and not any(rb <= b and e <= re_ for rb, re_ in ram):
            bad.append(("ram", "expected usable %#x-%#x is not RAM in a %d MiB Bochs guest"
                        % (b, e, megs)))
    reach = 1 << 64 if bits == 64 else FOUR_GIB
    pages = sum(max(0, (min(e, reach) - max(b, ke)) // PAGE) for t, b, e in want
                if t == "usable")
    if rep["touch"].get("pages") != str(pages):
        bad.append(("ram", "touch pages=%s, expected %d" % (rep["touch"].get("pages"), pages)))

    # (d) INT 15h points into the stolen RAM, which holds the resident image
    vec = dumped(rep, 0x54, 4)
    stolen = dumped(rep, stolen_base, stolen_end - stolen_base)
    if vec is None or stolen is None:
        bad.append(("d", "no complete dump of 0x54 and the stolen RAM from bochs-run --dump"))
    else:
        off, seg = struct.unpack("<HH", vec)
        if (seg, off) != (stolen_base >> 4, rom["handler"]):
            bad.append(("d", "INT 15h is %04x:%04x, expected %04x:%04x (the handler in the "
                        "stolen RAM)" % (seg, off, stolen_base >> 4, rom["handler"])))
        img, ov = rom["image"], rom["oldvec"]
        got = stolen[:len(img)]
        diff = [i for i in range(len(img)) if got[i] != img[i] and not ov <= i < ov + 4]
        if diff:
            bad.append(("d", "resident image in RAM differs from the ROM's at offsets %s"
                        % [hex(i) for i in diff[:16]]))
        old_off, old_seg = struct.unpack_from("<HH", got, ov)
        if (old_seg, old_off) != BIOS_INT15:
            bad.append(("d", "saved old vector %04x:%04x is not Bochs' INT 15h entry %04x:%04x"
                        % (old_seg, old_off, *BIOS_INT15)))
        rest = stolen[len(img):]
        if rest != bytes([rom["fill"]]) * len(rest):
            first = next(i for i, c in enumerate(rest) if c != rom["fill"])
            bad.append(("d", "stolen RAM overwritten after the image, first at %#x"
                        % (stolen_base + len(img) + first)))

    # The quirky table's RAM at 4 GiB ends where the table says: the last
    # usable page holds the kernel's pattern, the first byte past it is no RAM.
    if variant == "quirky-e820" and bits == 64:
        last = dumped(rep, QUIRKY_LAST_PAGE, PAGE)
        none = dumped(rep, QUIRKY_NO_RAM, 16)
        pat = ((QUIRKY_LAST_PAGE >> 12) ^ 0xA5C3E1F0) & 0xFFFFFFFF
        if last is None or struct.unpack_from("<I", last, 0)[0] != pat or \
                struct.unpack_from("<I", last, PAGE - 4)[0] != pat ^ 0xFFFFFFFF:
            bad.append(("ram", "page %#x does not hold the kernel's touch pattern"
                        % QUIRKY_LAST_PAGE))
        if none != bytes([NO_RAM_BYTE]) * 16:
            bad.append(("ram", "%#x reads %s, expected no RAM (0xff bytes): the guest has "
                        "more RAM above 4 GiB than the script assumes"
                        % (QUIRKY_NO_RAM, none.hex() if none else None)))

    # (e) the stolen RAM is not usable (reserved, wholly) in the map
    cover = [(b, e) for t, b, e in rep["map"] if t == "reserved" and b <= stolen_base < e]
    if not cover or cover[0][1] < stolen_end:
        bad.append(("e", "stolen RAM %#x-%#x not wholly reserved in the map"
                    % (stolen_base, stolen_end)))
    for t, b, e in rep["map"]:
        if t == "usable" and b < stolen_end and stolen_base < e:
            bad.append(("e", "usable %#x-%#x overlaps the stolen RAM" % (b, e)))
    return bad


# ---- mutants: altered copies of a passing output must fail ---------------------

def mutants(variant, bits, rom, out):
    """(what, tag the alteration must trip, altered stdout)."""
    steal = rom["steal_kib"]
    stolen_base = (BIOS_BASE_KIB - steal) * KIB
    lines = out.split("\n")
    m = []

    def sub(what, tag, pattern, repl, count=1):
        new, n = re.subn(pattern, repl, out, count=count, flags=re.M)
        m.append((what, tag, new if n else None))   # None: could not be applied

    sub("no end ok", "a", r"^end ok$", "")
    sub("end fail", "a", r"^end ok$", "end fail touch-mismatch")
    maps = [i for i, l in enumerate(lines) if l.startswith("map ")]
    drop = lines[:maps[-1]] + lines[maps[-1] + 1:]
    m.append(("last map line dropped", "b", "\n".join(drop)))
    extra = lines[:maps[-1] + 1] + ["map 0x0000010000000000 0x0000000000001000 reserved"] + \
        lines[maps[-1] + 1:]
    m.append(("map line added", "b", "\n".join(extra)))
    sub("a usable end moved by a page", "b",
        r"^(map 0x[0-9a-f]{16} )0x([0-9a-f]{16})( usable)$",
        lambda x: x.group(1) + "0x%016x" % (int(x.group(2), 16) - PAGE) + x.group(3))
    sub("a type changed", "b", r" kernel$", " loader")
    other = {"e820": "e801", "e801": "88", "88": "e820"}
    sub("other source", "c", r"source=(\w+)", lambda x: "source=" + other[x.group(1)])
    sub("raw line changed", "raw", r"^(raw 0x[0-9a-f]{16} 0x[0-9a-f]{15})[0-9a-f]",
        lambda x: x.group(1) + "f" if not x.group(0).endswith("f") else x.group(1) + "e")
    sub("INT 12h changed", "quirks", r"int12=(\d+)", lambda x: "int12=%d" % (int(x.group(1)) + 1))

    def dump_byte(addr, new_byte):
        """The output with the dumped byte at addr replaced (every copy)."""
        new = []
        for line in lines:
            f = line.split()
            if f[:1] == ["dump"] and 0 <= addr - int(f[1], 16) < len(f) - 2:
                f[2 + addr - int(f[1], 16)] = "%02x" % new_byte
                line = " ".join(f)
            new.append(line)
        return "\n".join(new)
    m.append(("INT 15h segment moved", "d", dump_byte(0x56, ((stolen_base >> 4) + 1) & 0xFF)))
    m.append(("INT 15h offset moved", "d", dump_byte(0x54, rom["handler"] + 1)))
    m.append(("handler byte changed", "d",
              dump_byte(stolen_base + rom["handler"], rom["image"][rom["handler"]] ^ 0xFF)))
    m.append(("saved old vector changed", "d",
              dump_byte(stolen_base + rom["oldvec"], 0x12)))
    m.append(("fill byte changed", "d", dump_byte(stolen_base + steal * KIB - 1, 0)))
    m.append(("dump lines missing", "d", re.sub(r"^dump .*\n", "", out, flags=re.M)))
    # The map line that reserves the stolen RAM made usable.
    sub("stolen RAM usable", "e",
        r"^(map 0x000000000009[0-9a-f]000 0x[0-9a-f]{16}) reserved$", r"\1 usable")
    if variant == "quirky-e820" and bits == 64:
        m.append(("RAM past the script", "ram", dump_byte(QUIRKY_NO_RAM + 3, 0)))
    return m


# ---- main ------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--mutants", action="store_true")
    args = ap.parse_args()
    start = time.monotonic()

    times = []

    report = Reporter()
    failed, lock = report.failed, report.lock

    missing = [p for p in (*IMAGES.values(), *KERNELS.values()) if not os.path.exists(p)]
    if missing:
        report("bochs-setup", ["%s missing (run make all)"
                               % ", ".join(os.path.relpath(p, ROOT) for p in missing)])
        return 1
    for tool, pkg in (("bochs", "bochs bochs-term bochsbios vgabios"), ("timeout", "coreutils")):
        if not shutil.which(tool):
            report("bochs-setup", ["%s not installed (apt-get install %s)" % (tool, pkg)])
            return 1

    cases = []
    for variant, spec in VARIANTS.items():
        rom, bad = check_rom(variant, spec)
        name = "bochs-fixture-rom-%s" % variant
        if args.only in name:
            report(name, bad)
        for bits in (64, 32):
            cname = "bochs-fixture-%s-elf%d-%dm" % (variant, bits, spec["megs"][bits])
            if args.only not in cname:
                continue
            if rom is None:
                report(cname, ["no usable ROM (see %s)" % name])
            else:
                cases.append((cname, variant, bits, spec, rom))

    # The biggest guests (Bochs' swap file) first, so they overlap the rest.
    pending = sorted(cases, key=lambda c: -c[3]["megs"][c[2]])

    def worker():
        while True:
            with lock:
                if not pending:
                    return
                case = pending.pop(0)
            run(case)

    def run(case):
        cname, variant, bits, spec, rom = case
        t0 = time.monotonic()
        mut = None
        try:
            kruns = kernel_pages(KERNELS[bits])
            if len(kruns) != 1 or kruns[0][0] != MIB:
                raise ValueError("the kernel's pages are %s; the derivations here assume "
                                 "one run from 1 MiB" % ["%#x-%#x" % r for r in kruns])
            rc, out, err = boot(variant, bits, spec, rom)
            bad = check(variant, bits, spec, rom, kruns[0], rc, out, err)
            if args.mutants and not bad:
                mut = []
                for what, tag, text in mutants(variant, bits, rom, out):
                    if text is None or text == out:
                        mut.append("%s: could not alter the output" % what)
                        continue
                    got = check(variant, bits, spec, rom, kruns[0], 0, text, "")
                    if tag not in [t for t, _ in got]:
                        mut.append("%s not caught by check %s (got %s)"
                                   % (what, tag, sorted({t for t, _ in got})))
        except Exception as e:  # a crash is a failure of this case, not of the suite
            bad = [("crash", "test crashed: %r" % e)]
        secs = time.monotonic() - t0
        with lock:
            times.append((secs, cname))
        report(cname, ["(%s) %s" % b for b in bad])
        if mut is not None:
            report("mutants-" + cname, mut)

    threads = [threading.Thread(target=worker) for _ in range(max(1, args.jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    slow = max(times) if times else (0, "-")
    print("# %d boots in %.1f s wall, slowest %s %.1f s"
          % (len(times), time.monotonic() - start, slow[1], slow[0]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
