#!/usr/bin/env python3
"""BIOS fixtures under QEMU: the production images (build/disk.img, ELF64, and
build/disk32.img, ELF32) boot with an option ROM (tests/fixtures/int15rom.asm,
built by `make fixtures` into build/fixtures/) that, before the boot sector
runs, takes a few KiB off 40:13, copies its INT 15h handler there and hooks
INT 15h, so the firmware misbehaves for real while the image stays the same:

  noe820         E820 fails (CF=1, AH=86h); E801 and the rest chain to SeaBIOS
  noe820-noe801  E820 and E801 fail; 88h chains
  quirky-e820    E820 answered from a scripted table in the stolen RAM
  stolen         everything chains; the ROM only takes 8 KiB off 40:13

For each variant and image the kernel must say "end ok", its "map" lines must
equal the list derived by hand below, "raw" lines and the quirk record must
show what the fixture answered, and "summary ... source=" must name the
interface the variant forces.  Then, through QEMU's monitor, INT 15h must
still point into the fixture's stolen RAM, that RAM must still hold the ROM's
resident image (except the saved old vector) and its fill bytes, and the map
must keep that RAM reserved.

Prints one line per test, "PASS <name>" or "FAIL <name>: <why>", and exits 1
if anything failed.  Usage: fixturetest.py [--only SUBSTRING] [--jobs N]
"""
import argparse
import os
import re
import struct
import subprocess
import sys
import tempfile
import threading

from bootlib import (Reporter, MIB, PAGE, ROOT, Monitor, define as header_define, kernel_pages,
                     map_ranges, page_down, page_up, parse_report, parse_seabios_e820)

FIXTURES = os.path.join(ROOT, "build", "fixtures")
IMAGES = {64: os.path.join(ROOT, "build", "disk.img"),
          32: os.path.join(ROOT, "build", "disk32.img")}
KERNELS = {64: os.path.join(ROOT, "build", "kernel64.elf"),
           32: os.path.join(ROOT, "build", "kernel32.elf")}
QEMU = "qemu-system-x86_64"
SERIAL_DEADLINE = 60      # seconds until "end ok" / "end fail"
QEMU_TIMEOUT = 90         # hard limit on each QEMU process (timeout(1))

KIB = 1024
GIB = 1 << 30


IVT_BDA_END = header_define("layout.h", "IVT_BDA_END")
LOADER_LOW_BASE = header_define("layout.h", "LOADER_LOW_BASE")
LOADER_LOW_END = header_define("layout.h", "LOADER_LOW_END")
KERNEL_STACK_SIZE = header_define("layout.h", "KERNEL_STACK_SIZE")
QUIRK = {n: header_define("bootinfo.h", "QUIRK_" + n) for n in (
    "E820_SHORT_ENTRIES", "E820_ATTR_ALL_CLEAR", "E820_ATTR_HONOURED", "OVERLAP",
    "UNSORTED", "UNKNOWN_TYPE", "ZERO_LENGTH", "CONV_MISMATCH", "E801_CXDX")}


# --- the fixture ROMs ------------------------------------------------------------
# Descriptor at ROM offset 0x20 (int15rom.asm, "descriptor for the test").
DESC_OFF = 0x20
DESC_MAGIC = b"I15FIXT1"
VF_NOE820, VF_NOE801, VF_QUIRKY = 1, 2, 4

# SeaBIOS (1.16, QEMU pc) sets 40:13 to 639 KiB with a 1 KiB EBDA at 0x9FC00
# (qemu-notes.md: INT 12h says 639 KiB); a fixture taking S KiB leaves
# 639 - S KiB and lives at (639 - S) KiB .. 639 KiB.
SEABIOS_BASE_KIB = 639
EBDA = 0x9FC00

# The quirky-e820 script, in call order: (base, length, type, attr, ECX).
# int15rom.asm holds the same table (checked byte for byte below).  The
# machine: -machine pc,max-ram-below-4g=256M -m 512M, whose real RAM is
# 0-0xA0000, 1 MiB-0x10000000 (SeaBIOS keeps 0xFFE0000-0x10000000 for its
# tables) and 4 GiB-0x110000000.
UNKNOWN_TYPE = 2954887168        # = 0xB0200000, what an AMI CSM returned
assert UNKNOWN_TYPE == 0xB0200000
QUIRKY_SCRIPT = [
    (0x0000000000100000, 0x000000000FEE0000, 1, 1, 24),   # 0 RAM 1 MiB-0xFFE0000
    (0x0000000008000800, 0x0000000000001000, 2, 1, 24),   # 1 reserved inside 0, unaligned
    (0x0000000000000000, 0x000000000009FC00, 1, 0, 20),   # 2 low RAM over the stolen KiB
    (0x000000000009FC00, 0x0000000000000400, 2, 0, 20),   # 3 EBDA
    (0x00000000000F0000, 0x0000000000010000, 2, 1, 24),   # 4 system BIOS
    (0x000000000FF00000, 0x0000000000100000, UNKNOWN_TYPE, 1, 24),  # 5 over 0's end
    (0x000000000FE00000, 0x0000000000100000, 3, 1, 24),   # 6 ACPI inside 0
    (0x000000000FE80000, 0x0000000000001000, 4, 1, 24),   # 7 NVS inside 6
    (0x0000000006000000, 0x0000000004000000, 1, 1, 24),   # 8 RAM over 0, contains 1
    (0x0000000002000000, 0x0000000000100000, 2, 0, 24),   # 9 valid bit clear: dropped
    (0x0000000005000000, 0x0000000000000000, 2, 1, 24),   # 10 zero length: skipped
    (0x00000000FFFC0000, 0x0000000000040000, 2, 1, 24),   # 11 BIOS flash
    (0x0000000110000000, 0x0000000010000000, 1, 0, 24),   # 12 valid bit clear, no RAM there
    (0x0000000100000000, 0x0000000010000000, 1, 1, 24),   # 13 RAM 4 GiB-4.25 GiB
    (0x000000010FFFF000, 0x0000000000002000, 5, 1, 24),   # 14 bad across 13's end
    (0x000000FD00000000, 0x0000000300000000, 2, 0, 20),   # 15 far above 4 GiB
]


def read_rom(path):
    with open(path, "rb") as f:
        rom = f.read()
    if rom[DESC_OFF:DESC_OFF + 8] != DESC_MAGIC:
        raise ValueError("no fixture descriptor at 0x20")
    (res_len, res_off, oldvec, handler, steal_kib, flags, table_off, table_count,
     fill) = struct.unpack_from("<8HB", rom, DESC_OFF + 8)
    image = rom[res_off:res_off + res_len]
    table = [struct.unpack_from("<QQIII", image, table_off + 32 * i) for i in range(table_count)]
    return dict(rom=rom, res_len=res_len, image=image, oldvec=oldvec, handler=handler,
                steal_kib=steal_kib, flags=flags, table=table, fill=fill)


def check_rom(variant, spec):
    path = os.path.join(FIXTURES, "int15-%s.bin" % variant)
    if not os.path.exists(path):
        return None, ["%s missing: run `make fixtures`" % os.path.relpath(path, ROOT)]
    bad = []
    try:
        r = read_rom(path)
    except (ValueError, struct.error) as e:
        return None, ["%s: %s" % (path, e)]
    rom = r["rom"]
    if rom[0:2] != b"\x55\xaa":
        bad.append("no 55 AA signature")
    if rom[2] * 512 != len(rom):
        bad.append("size byte %d blocks, file %d bytes" % (rom[2], len(rom)))
    if sum(rom) & 0xFF:
        bad.append("bytes sum to %#x, not 0" % (sum(rom) & 0xFF))
    if rom[3] != 0xE9:
        bad.append("no jump at the init entry (offset 3)")
    if r["flags"] != spec["flags"] or r["steal_kib"] != spec["steal_kib"]:
        bad.append("built as flags=%d steal=%d KiB, this test expects flags=%d steal=%d KiB"
                   % (r["flags"], r["steal_kib"], spec["flags"], spec["steal_kib"]))
    if r["res_len"] > r["steal_kib"] * KIB:
        bad.append("resident image larger than the stolen RAM")
    if r["image"][:4] != b"I15R":
        bad.append("resident image does not start with 'I15R'")
    want = QUIRKY_SCRIPT if spec["flags"] & VF_QUIRKY else []
    if r["table"] != want:
        bad.append("E820 table in the ROM differs from this test's script: %s"
                   % [tuple(hex(x) for x in e) for e in r["table"]])
    return r, bad


# --- the kernel ------------------------------------------------------------------
# --- expected maps, derived by hand ----------------------------------------------
# The loader's rules (../shared/design.md, stage2/sanitize.h, stage2/main.c):
#   * inputs: the firmware ranges, plus reserved [0, IVT_BDA_END), reserved
#     [conv_top, 1 MiB) where conv_top = min(INT 12h, 40:13, EBDA base)
#     (SeaBIOS's INT 12h returns 40:13), loader [LOADER_LOW_BASE,
#     LOADER_LOW_END), the 16 KiB kernel stack (loader), the ELF64 page
#     tables (loader) and the kernel's pages (kernel);
#   * a change-point sweep: the most restrictive type wins (usable < loader <
#     kernel < ACPI reclaimable < persistent < ACPI NVS < reserved < bad;
#     unknown types are reserved); adjacent equal types merge;
#   * usable ranges shrink to 4 KiB; a trimmed fragment joins the touching
#     (more restrictive) neighbour;
#   * the stack is first fit in usable memory at or above LOADER_LOW_END, i.e.
#     at LOADER_LOW_END itself in every variant here (usable RAM runs from 0 to
#     conv_top > LOADER_LOW_END); the ELF64 page tables come right after it:
#     1 PML4 + 1 PDPT + one page directory per GiB mapped (the CPU is pinned to
#     qemu64 without pdpe1gb, so 2 MiB pages), the GiBs being 0-3 always plus
#     every GiB holding RAM-like memory (usable, loader, kernel, ACPI) above.
#   So the low end is always: reserved [0, IVT_BDA_END), loader
#   [LOADER_LOW_BASE, LOADER_LOW_END + stack + tables), usable up to
#   page_down(conv_top), reserved from there to 1 MiB (the fragment below
#   conv_top joins the reserved carve-out, which also covers the EBDA, VGA
#   and BIOS), then the kernel's pages from 1 MiB.

def loader_end(bits, tables64):
    return LOADER_LOW_END + KERNEL_STACK_SIZE + (tables64 * PAGE if bits == 64 else 0)


def expected_stolen(bits, k0, ke):
    # -m 256M, everything chains to SeaBIOS.  SeaBIOS calls this legacy
    # (non-PnP) ROM as a BCV in bcv_prepboot(); malloc_prepboot() then reserves
    # [40:13 * 1024, 0xA0000) in its own table, so its E820 answer already has
    # RAM 0-0x9DC00 (631 KiB).  conv_top = min(631 KiB, 631 KiB, EBDA 0x9FC00)
    # = 0x9DC00 -> usable ends at page_down(0x9DC00) = 0x9D000, and
    # [0x9D000, 0x9DC00) joins the reserved [0x9DC00, 1 MiB).
    # Page tables: RAM-like memory only below 4 GiB -> 1 + 1 + 4 = 6.
    le = loader_end(bits, 6)
    return [("reserved", 0, IVT_BDA_END),
            ("loader", LOADER_LOW_BASE, le),
            ("usable", le, 0x9D000),
            ("reserved", 0x9D000, MIB),
            ("kernel", k0, ke),
            ("usable", ke, 0xFFE0000),            # SeaBIOS RAM 1 MiB-0xFFE0000
            ("reserved", 0xFFE0000, 0x10000000),  # SeaBIOS's high tables
            ("reserved", 0xFFFC0000, 4 * GIB),    # BIOS flash
            ("reserved", 0xFD00000000, 0x10000000000)]  # QEMU's HT range (AMD CPU model)


def expected_noe820(bits, k0, ke):
    # -m 256M.  E820 fails on the first call -> E801 from SeaBIOS:
    # LegacyRamSize = end of its highest RAM entry below 4 GiB = 0xFFE0000, so
    # CX = AX = 15360 KiB (1-16 MiB) and DX = BX = (0xFFE0000 - 16 MiB) / 64 KiB
    # = 3838 (0xEFE); the loader takes CX/DX (non-zero) and synthesizes usable
    # [0, conv_top), reserved [conv_top, 1 MiB), usable [1 MiB, 16 MiB) and
    # usable [16 MiB, 16 MiB + 3838 * 64 KiB = 0xFFE0000).  conv_top = 638 KiB
    # = 0x9F800 -> usable to 0x9F000, [0x9F000, 0x9F800) joins reserved.
    # Page tables: 6 (nothing above 4 GiB).
    le = loader_end(bits, 6)
    return [("reserved", 0, IVT_BDA_END),
            ("loader", LOADER_LOW_BASE, le),
            ("usable", le, 0x9F000),
            ("reserved", 0x9F000, MIB),
            ("kernel", k0, ke),
            ("usable", ke, 0xFFE0000)]            # 1-16 MiB and 16 MiB+ merge


def expected_noe820_noe801(bits, k0, ke):
    # -m 256M.  E820 and E801 fail -> 88h from SeaBIOS: LegacyRamSize
    # (0xFFE0000) is over 64 MiB, so AX = 63 * 1024 = 64512 KiB -> usable
    # [1 MiB, 64 MiB).  conv_top = 637 KiB = 0x9F400 -> usable to 0x9F000.
    le = loader_end(bits, 6)
    return [("reserved", 0, IVT_BDA_END),
            ("loader", LOADER_LOW_BASE, le),
            ("usable", le, 0x9F000),
            ("reserved", 0x9F000, MIB),
            ("kernel", k0, ke),
            ("usable", ke, 0x4000000)]


def expected_quirky(bits, k0, ke):
    # -machine pc,max-ram-below-4g=256M -m 512M, E820 = QUIRKY_SCRIPT.
    # Dropped before the sweep: 9 and 12 (valid bit clear while other 24-byte
    # entries set it), 10 (zero length).  Entry 2 says usable up to 0x9FC00,
    # over the 4 KiB the ROM took (635-639 KiB): conv_top = min(INT 12h 635 KiB,
    # 40:13 635 KiB, EBDA 0x9FC00) = 0x9EC00 and the reserved carve-out
    # [0x9EC00, 1 MiB) beats entry 2 -> usable to page_down(0x9EC00) = 0x9E000.
    # Above 1 MiB (kernel pages carved out of entry 0):
    #   0x103000.. (kernel end)..0x8000000  usable (0 and 8)
    #   0x8000000-0x8002000 reserved: entry 1 is 0x8000800-0x8001800, and the
    #       usable fragments 0x8000000-0x8000800 and 0x8001800-0x8002000 join it
    #   0x8002000-0xFE00000 usable (0 and 8; 9 dropped so 32-33 MiB stays usable)
    #   0xFE00000-0xFE80000 acpi-reclaimable (6 beats 0)
    #   0xFE80000-0xFE81000 acpi-nvs (7 beats 6)
    #   0xFE81000-0xFF00000 acpi-reclaimable
    #   0xFF00000-0x10000000 reserved (5, unknown type; beats 0 up to 0xFFE0000)
    #   0xFFFC0000-4 GiB reserved (11)
    #   4 GiB-0x10FFFF000 usable (13), 0x10FFFF000-0x110001000 bad (14 beats 13)
    #   0xFD00000000-0x10000000000 reserved (15)
    # Page tables: GiBs 0-3 plus GiB 4 (usable 4 GiB..) -> 1 + 1 + 5 = 7.
    le = loader_end(bits, 7)
    return [("reserved", 0, IVT_BDA_END),
            ("loader", LOADER_LOW_BASE, le),
            ("usable", le, 0x9E000),
            ("reserved", 0x9E000, MIB),
            ("kernel", k0, ke),
            ("usable", ke, 0x8000000),
            ("reserved", 0x8000000, 0x8002000),
            ("usable", 0x8002000, 0xFE00000),
            ("acpi-reclaimable", 0xFE00000, 0xFE80000),
            ("acpi-nvs", 0xFE80000, 0xFE81000),
            ("acpi-reclaimable", 0xFE81000, 0xFF00000),
            ("reserved", 0xFF00000, 0x10000000),
            ("reserved", 0xFFFC0000, 4 * GIB),
            ("usable", 4 * GIB, 0x10FFFF000),
            ("bad", 0x10FFFF000, 0x110001000),
            ("reserved", 0xFD00000000, 0x10000000000)]


def seabios_table(steal_kib, above4g):
    """SeaBIOS's own E820 table for these machines once the fixture took its
    KiB (malloc_prepboot reserves from the new 40:13 top to 0xA0000)."""
    top = (SEABIOS_BASE_KIB - steal_kib) * KIB
    t = [(0, top, 1), (top, 0xA0000 - top, 2), (0xF0000, 0x10000, 2),
         (0x100000, 0xFFE0000 - 0x100000, 1), (0xFFE0000, 0x20000, 2),
         (0xFFFC0000, 0x40000, 2)]
    if above4g:
        t.append((4 * GIB, 0x10000000, 1))
    t.append((0xFD00000000, 0x300000000, 2))
    return t


VARIANTS = {
    "noe820": dict(flags=VF_NOE820, steal_kib=1, machine="pc", mem="256M", source="e801",
                   expect=expected_noe820),
    "noe820-noe801": dict(flags=VF_NOE820 | VF_NOE801, steal_kib=2, machine="pc",
                          mem="256M", source="88", expect=expected_noe820_noe801),
    "quirky-e820": dict(flags=VF_QUIRKY, steal_kib=4, machine="pc,max-ram-below-4g=256M",
                        mem="512M", source="e820", expect=expected_quirky),
    "stolen": dict(flags=0, steal_kib=8, machine="pc", mem="256M", source="e820",
                   expect=expected_stolen),
}


def expected_raw(variant, spec):
    """The raw lines: (base, length, type, attr); attr 1 where ECX was 20 (the
    loader presets the attribute dword to 1) or the entry was synthesized."""
    top = (SEABIOS_BASE_KIB - spec["steal_kib"]) * KIB
    if variant == "quirky-e820":
        return [(b, l, t, a if n == 24 else 1) for b, l, t, a, n in QUIRKY_SCRIPT]
    if variant == "stolen":
        return [(b, l, t, 1) for b, l, t in seabios_table(spec["steal_kib"], False)]
    if variant == "noe820":
        return [(0, top, 1, 1), (top, MIB - top, 2, 1),
                (MIB, 15 * MIB, 1, 1), (16 * MIB, 3838 * 0x10000, 1, 1)]
    if variant == "noe820-noe801":
        return [(0, top, 1, 1), (top, MIB - top, 2, 1), (MIB, 64512 * KIB, 1, 1)]
    raise KeyError(variant)


def expected_quirks(variant, spec):
    """Fields of the kernel's two "quirks" lines, and flags that must be set."""
    kib = SEABIOS_BASE_KIB - spec["steal_kib"]
    q = {"int12": str(kib), "bda": str(kib)}
    must, mustnot = ["CONV_MISMATCH"], []   # 40:13 below the EBDA at 639 KiB
    if variant == "quirky-e820":
        # 16 entries then the CF call; 10 zero length; 9 and 12 valid bit
        # clear; 5 unknown.  (The overlap count is checked in run_case.)
        q.update(e820_end="carry", calls="17", entries="16", dropped_zero="1",
                 dropped_attr="2", unknown_types="1")
        must += ["E820_SHORT_ENTRIES", "E820_ATTR_HONOURED", "OVERLAP", "UNSORTED",
                 "UNKNOWN_TYPE", "ZERO_LENGTH"]
        mustnot += ["E820_ATTR_ALL_CLEAR"]
    elif variant == "stolen":
        q.update(e820_end="ebx-zero", calls="7", entries="7", dropped_attr="0")
        must += ["E820_SHORT_ENTRIES"]
    else:
        # CF=1 on the first call: no E820 at all.
        q.update(e820_end="none", calls="1", entries="0")
        if variant == "noe820":
            q.update(e801_low="15360", e801_high="3838")
            must += ["E801_CXDX"]
        else:
            q.update(e801_low="0", e801_high="0", ext88="64512")
    return q, must, mustnot


# --- running QEMU ---------------------------------------------------------------
def boot(image, rom, spec, tmp, stolen_base, stolen_len):
    """Boots until the kernel's verdict, then reads the INT 15h vector and the
    stolen RAM through the monitor.  Returns (serial text, problems, vector,
    stolen bytes, SeaBIOS log)."""
    disk = os.path.join(tmp, "disk.img")
    with open(image, "rb") as src, open(disk, "wb") as dst:
        dst.write(src.read())
    sock = os.path.join(tmp, "mon.sock")
    sblog = os.path.join(tmp, "seabios.log")
    dump = os.path.join(tmp, "stolen.bin")
    args = ["timeout", "--kill-after=5", str(QEMU_TIMEOUT), QEMU,
            "-display", "none", "-no-reboot", "-serial", "stdio",
            "-monitor", "unix:%s,server=on,wait=off" % sock,
            "-machine", spec["machine"], "-m", spec["mem"], "-cpu", "qemu64,pdpe1gb=off",
            "-chardev", "file,id=sb,path=%s" % sblog,
            "-device", "isa-debugcon,iobase=0x402,chardev=sb",
            "-option-rom", rom,
            "-drive", "file=%s,format=raw" % disk]
    errf = open(os.path.join(tmp, "qemu.err"), "w+")
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errf)
    out = []
    verdict = threading.Event()

    def reader():
        for raw in iter(lambda: p.stdout.readline(), b""):
            line = raw.decode(errors="replace").replace("\r", "")
            out.append(line)
            if line.startswith("end ") or line.startswith("stage2: boot stopped"):
                verdict.set()
        verdict.set()  # QEMU went away

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    problems, vector, stolen = [], None, None
    if not verdict.wait(SERIAL_DEADLINE):
        problems.append("no 'end' line within %d s" % SERIAL_DEADLINE)
    try:
        if p.poll() is not None:
            raise OSError("QEMU exited with status %d before the monitor step" % p.returncode)
        mon = Monitor(sock)
        mon.cmd("stop")
        m = re.search(r"^0*54: 0x([0-9a-f]{8})$", mon.cmd("xp /1xw 0x54"), re.M)
        if not m:
            raise OSError("could not read the INT 15h vector through the monitor")
        vector = int(m.group(1), 16)
        mon.cmd('pmemsave %#x %d "%s"' % (stolen_base, stolen_len, dump))
        mon.quit()
        with open(dump, "rb") as f:
            stolen = f.read()
    except OSError as e:
        problems.append("monitor: %s" % e)
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    t.join(5)
    errf.seek(0)
    err = errf.read()
    errf.close()
    if p.returncode not in (0, None) and not problems:
        problems.append("QEMU exited with status %d: %s" % (p.returncode, err.strip()[-300:]))
    sb = open(sblog, errors="replace").read() if os.path.exists(sblog) else ""
    return "".join(out), problems, vector, stolen, sb


def fmt_map(m):
    return ", ".join("%s %#x-%#x" % e for e in m)


def run_case(variant, bits, spec, rom):
    bad = []
    kruns = kernel_pages(KERNELS[bits])
    if len(kruns) != 1 or kruns[0][0] != MIB:
        return ["the kernel's pages are %s; the derivations here assume one run from 1 MiB"
                % ["%#x-%#x" % r for r in kruns]]
    k0, ke = kruns[0]
    kib = SEABIOS_BASE_KIB - spec["steal_kib"]
    stolen_base, stolen_end = kib * KIB, SEABIOS_BASE_KIB * KIB
    # The monitor's unix socket path must stay short (108 bytes at most).
    tmpdir = None if len(tempfile.gettempdir()) < 60 else "/tmp"
    with tempfile.TemporaryDirectory(prefix="fixt", dir=tmpdir) as tmp:
        text, problems, vector, stolen, sb = boot(
            IMAGES[bits], os.path.join(FIXTURES, "int15-%s.bin" % variant), spec, tmp,
            stolen_base, stolen_end - stolen_base)
    bad += problems
    rep = parse_report(text)
    rep["map"] = map_ranges(rep)  # (type, start, end), as the derivations are written

    # (1) the kernel's verdict
    if rep["end"] != "end ok":
        tail = [l for l in text.split("\n") if l.strip()][-8:]
        return bad + ["kernel ended with %r; last output: %s" % (rep["end"], " | ".join(tail))]

    # (2) the sanitized map, exactly
    want = spec["expect"](bits, k0, ke)
    if rep["map"] != want:
        extra = [e for e in rep["map"] if e not in want]
        missing = [e for e in want if e not in rep["map"]]
        bad.append("map differs: unexpected [%s]; missing [%s]" % (fmt_map(extra), fmt_map(missing)))

    # raw lines: what the fixture (or SeaBIOS through it) answered
    raw_want = expected_raw(variant, spec)
    if rep["raw"] != raw_want:
        bad.append("raw map %s, expected %s" % (
            [tuple(hex(x) for x in r) for r in rep["raw"]],
            [tuple(hex(x) for x in r) for r in raw_want]))
    sbt = parse_seabios_e820(sb)
    sb_want = seabios_table(spec["steal_kib"], "max-ram-below-4g" in spec["machine"])
    if sbt != sb_want:
        bad.append("SeaBIOS's own E820 table is %s, the derivations assume %s" % (sbt, sb_want))
    if variant == "quirky-e820" and sbt:
        # The script describes real memory: every usable byte is SeaBIOS RAM.
        ram = [(b, b + l) for b, l, t in sbt if t == 1]
        for typ, b, e in want:
            if typ == "usable" and not any(rb <= b and e <= re_ for rb, re_ in ram):
                bad.append("expected usable %#x-%#x is not RAM in SeaBIOS's map" % (b, e))

    # quirk record
    q, must, mustnot = expected_quirks(variant, spec)
    for k, v in q.items():
        if rep["quirks"].get(k) != v:
            bad.append("quirks %s=%s, expected %s" % (k, rep["quirks"].get(k), v))
    if variant == "quirky-e820":
        # Overlapping pairs among the entries kept (0-8, 11, 13-15): 0-1, 0-5,
        # 0-6, 0-7, 0-8, 1-8, 6-7, 13-14 = 8 (include/bootinfo.h: pairs of
        # kept firmware entries that overlap, whatever their types).
        if rep["quirks"].get("overlaps") != "8":
            bad.append("quirks overlaps=%s, expected 8" % rep["quirks"].get("overlaps"))
    flags = int(rep["quirks"].get("flags", "0"), 16)
    for n in must:
        if not flags & QUIRK[n]:
            bad.append("quirk flag %s not set (flags=%#x)" % (n, flags))
    for n in mustnot:
        if flags & QUIRK[n]:
            bad.append("quirk flag %s set (flags=%#x)" % (n, flags))

    # (3) the source the variant forces, and a summary that adds up
    s = rep["summary"] or {}
    usable = sum(e - b for t, b, e in want if t == "usable")
    above = sum(e - max(b, 4 * GIB) for t, b, e in want if t == "usable" and e > 4 * GIB)
    if s != {"usable": str(usable), "above4g": str(above), "source": spec["source"]}:
        bad.append("summary %s, expected usable=%d above4g=%d source=%s"
                   % (s, usable, above, spec["source"]))

    # (4) INT 15h still points into the stolen RAM, which holds the resident image
    if vector is not None:
        seg, off = vector >> 16, vector & 0xFFFF
        if seg != stolen_base >> 4 or off != rom["handler"]:
            bad.append("INT 15h is %04x:%04x, expected %04x:%04x (the handler in the "
                       "stolen RAM)" % (seg, off, stolen_base >> 4, rom["handler"]))
    if stolen is not None:
        img, ov = rom["image"], rom["oldvec"]
        got = stolen[:len(img)]
        if got[:ov] + got[ov + 4:] != img[:ov] + img[ov + 4:]:
            diff = [i for i in range(len(img)) if i < len(got) and got[i] != img[i]
                    and not ov <= i < ov + 4]
            bad.append("resident image in RAM differs from the ROM's at offsets %s"
                       % [hex(i) for i in diff[:16]])
        old_off, old_seg = struct.unpack_from("<HH", got, ov)
        if old_seg != 0xF000:
            bad.append("saved old vector %04x:%04x is not SeaBIOS's (F000:xxxx)"
                       % (old_seg, old_off))
        rest = stolen[len(img):]
        if rest != bytes([rom["fill"]]) * len(rest):
            first = next(i for i, c in enumerate(rest) if c != rom["fill"])
            bad.append("stolen RAM overwritten after the image, first at %#x"
                       % (stolen_base + len(img) + first))

    # (5) the stolen RAM is reserved in the map
    cover = [(b, e) for t, b, e in rep["map"] if t == "reserved" and b <= stolen_base < e]
    if not cover or cover[0][1] < stolen_end:
        bad.append("stolen RAM %#x-%#x not wholly reserved in the map" % (stolen_base, stolen_end))
    for t, b, e in rep["map"]:
        if t == "usable" and b < stolen_end and stolen_base < e:
            bad.append("usable %#x-%#x overlaps the stolen RAM" % (b, e))
    return bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()


    report = Reporter()
    failed = report.failed

    roms, cases = {}, []
    for variant, spec in VARIANTS.items():
        name = "fixture-rom-%s" % variant
        rom, bad = check_rom(variant, spec)
        if args.only in name:
            report(name, bad)
        for bits in (64, 32):
            cname = "fixture-%s-elf%d" % (variant, bits)
            if args.only not in cname:
                continue
            if rom is None:
                report(cname, ["no usable ROM (see %s)" % name])
            elif not os.path.exists(IMAGES[bits]):
                report(cname, ["%s missing: run `make all`" % IMAGES[bits]])
            else:
                roms[variant] = rom
                cases.append((cname, variant, bits))

    slots = threading.Semaphore(max(1, args.jobs))

    def run(case):
        cname, variant, bits = case
        with slots:
            try:
                bad = run_case(variant, bits, VARIANTS[variant], roms[variant])
            except Exception as e:  # a crash is a failure of this case, not of the suite
                bad = ["test crashed: %r" % e]
        report(cname, bad)

    threads = [threading.Thread(target=run, args=(c,)) for c in cases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
