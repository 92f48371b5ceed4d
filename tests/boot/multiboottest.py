#!/usr/bin/env python3
"""Multiboot boot tests under QEMU/SeaBIOS.

1. Against GRUB 2.06 (Debian's grub-pc-bin, tools/grub-image): the five test
   kernels (build/mbk: Multiboot1 ELF and a.out kludge, Multiboot2 ELF32,
   ELF64 and address tag) with a command line and two modules, booted by this loader
   and by GRUB on pc and q35 with 128M, and a few 4G and 8G runs.  Both must
   describe the same usable memory; every address where the two maps differ
   must be explained by one of this loader's documented rules (RULES below,
   README "Booting Multiboot kernels"), else the case fails naming it.  The
   other fields are compared too (mem_upper, boot device, command line,
   modules by their bytes' CRC-32, ELF sections, the RSDP), each difference
   by its rule.
2. This loader alone: command lines and module strings with blanks, a
   64 MiB module, a gzip-compressed module, a gzip-compressed kernel (stage2
   loads its extension's common part, then the Multiboot part), the raw
   layout, Bochs, and refusals
   (unknown flag bits, required tags, bad checksum, addresses over the loader
   or outside RAM, a module too big for RAM) by their messages.
3. An unmodified third-party kernel: Debian's grub-invaders (Multiboot1,
   a.out kludge; apt-get download, cached under build/): after some seconds
   QEMU still runs (no reset), the CPU executes inside the kernel's image,
   and a screendump shows the game's screen (not blank, the loader's text
   gone).

Prints "PASS <name>" / "FAIL <name>: <why>" per case, and "note <name>: ..."
for each map difference with the rule behind it.
Usage: multiboottest.py [--only SUBSTRING] [--jobs N]
"""
import argparse
import gzip
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zlib

from bootlib import (BUILD, MIB, PAGE, ROOT, Monitor, Reporter, define, page_down, read_ppm,
                     subtract)

QEMU_RUN = os.path.join(ROOT, "tools", "qemu-run")
MKDISK = os.path.join(ROOT, "tools", "mkdisk")
GRUB_IMAGE = os.path.join(ROOT, "tools", "grub-image")
MBK = os.path.join(BUILD, "mbk")
WORK = os.path.join(BUILD, "mbtest")
KERNELS = {"mb1": ("mb1.elf", "multiboot"), "mb1-aout": ("mb1-aout.bin", "multiboot"),
           "mb2": ("mb2.elf", "multiboot2"), "mb2-aout": ("mb2-aout.bin", "multiboot2"),
           "mb2-64": ("mb2-64.elf", "multiboot2")}
IVT_BDA_END = define("layout.h", "IVT_BDA_END")
MB1_HEADER_MAGIC = define("multiboot.h", "MULTIBOOT_HEADER_MAGIC")
STATUS_ERROR = 2  # tools/qemu-run: the loader stopped with a message

# One command line and module words GRUB passes through unchanged: tools/
# grub-image hands each string to GRUB as one quoted word, and GRUB quotes a
# word with blanks again.
GRUB_CMDLINE = "mbtest.cmdline=1"
GRUB_MODULES = [("mod-a.bin", "alpha=1"), ("mod-b.txt", "beta")]

# Where the two maps may differ, and why (README "Booting Multiboot kernels").
RULES = {
    "ivt-bda": "the first page holds the IVT and BDA: reserved here (design.md: IVT/BDA stay "
               "reserved; usable ranges are whole pages); GRUB passes on the firmware's usable "
               "entry from 0",
    "page": "usable ranges are whole 4 KiB pages here; the firmware's conventional memory ends "
            "inside a page",
    "ebda": "the EBDA up to 1 MiB is one reserved range here (design.md), where the firmware's "
            "map (and GRUB's) leaves the VGA and ROM hole out",
}


# --- files -------------------------------------------------------------------
def make_files():
    """Module files with bytes from a fixed seed (the kernel's CRC-32 is
    checked against zlib's of these files)."""
    os.makedirs(WORK, exist_ok=True)
    rng = random.Random(20261203)
    files = {"mod-a.bin": bytes(rng.getrandbits(8) for _ in range(70001)),
             "mod-b.txt": b"a module that is text\n"}
    for name, data in files.items():
        path = os.path.join(WORK, name)
        if not os.path.exists(path) or open(path, "rb").read() != data:
            with open(path, "wb") as f:
                f.write(data)
    big = os.path.join(WORK, "mod-big.bin")
    if not os.path.exists(big) or os.path.getsize(big) != 64 * MIB:
        block = bytes(rng.getrandbits(8) for _ in range(MIB))
        with open(big, "wb") as f:
            for i in range(64):
                f.write(bytes([i]) + block[1:])
    gz = os.path.join(WORK, "mod-a.bin.gz")
    if not os.path.exists(gz):
        subprocess.run(["gzip", "-9", "-k", "-n", "-f", os.path.join(WORK, "mod-a.bin")],
                       check=True)
    return {n: os.path.join(WORK, n) for n in ("mod-a.bin", "mod-b.txt", "mod-big.bin",
                                               "mod-a.bin.gz")}


def crc_of(path, gunzip=False):
    data = open(path, "rb").read()
    if gunzip:
        data = zlib.decompress(data, 16 + zlib.MAX_WBITS)
    return zlib.crc32(data) & 0xFFFFFFFF, len(data)


def run(cmd, what):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode:
        raise RuntimeError("%s failed: %s" % (what, p.stdout.strip()[-500:]))


def our_image(out, kernel, cmdline="", modules=(), protocol="auto"):
    cmd = [MKDISK, "--kernel", kernel, "--protocol", protocol, "--cmdline", cmdline]
    for path, words in modules:
        cmd += ["--module", path + (" " + words if words else "")]
    run(cmd + [out], "mkdisk")
    return out


def grub_image(out, kernel, protocol, cmdline, modules):
    cmd = [GRUB_IMAGE, "--kernel", kernel, "--protocol", protocol, "--cmdline", cmdline,
           "-o", out]
    for path, words in modules:
        cmd += ["--module", path] + ([words] if words else [])
    run(cmd, "grub-image")
    return out


def boot(image, machine="pc", mem="128M", timeout=120):
    p = subprocess.run([QEMU_RUN, "--machine", machine, "-m", mem, "--timeout", str(timeout),
                        image], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       errors="replace")
    return p.returncode, p.stdout.replace("\r", "")


# --- the test kernels' report ---------------------------------------------------
def unescape(s):
    return re.sub(r"\\x([0-9a-f]{2})", lambda m: chr(int(m.group(1), 16)), s)


def parse(text):
    """tests/kernels/mbkernel.c's report."""
    r = {"mmap": [], "modules": [], "sections": set(), "rsdp": set(), "tags": [], "end": None,
         "symbols": False}
    for line in text.split("\n"):
        f = line.split()
        if not f:
            continue
        k = f[0]
        if k == "mbtest":
            r.update({kv.split("=")[0]: int(kv.split("=")[1], 0) for kv in f[1:]})
        elif k == "flags":
            r["flags"] = int(f[1], 16)
        elif k == "tag":
            r["tags"].append(int(f[1]))
        elif k == "mem":
            r["mem_lower"], r["mem_upper"] = (int(x.split("=")[1]) for x in f[1:3])
        elif k == "bootdev":
            r["bootdev"] = tuple(int(x, 16) for x in f[1:4])
        elif k in ("cmdline", "loader"):
            m = re.match(r'\w+ "(.*)"$', line)
            r[k] = unescape(m.group(1)) if m else None
        elif k == "module":
            m = re.match(r'module (\d+) 0x([0-9a-f]+) 0x([0-9a-f]+) crc=0x([0-9a-f]+) "(.*)"$',
                         line)
            if m:
                r["modules"].append((int(m.group(2), 16), int(m.group(3), 16),
                                     int(m.group(4), 16), unescape(m.group(5))))
        elif k == "mmap":
            r["mmap"].append((int(f[1], 16), int(f[2], 16), int(f[3])))
        elif k == "elf":
            r["elf"] = tuple(int(x.split("=")[1]) for x in f[1:4])
        elif k == "section":
            r["sections"].add((f[1], f[2], f[3]))
        elif k == "symbols":
            r["symbols"] = True
        elif k == "fb":
            r["fb"] = " ".join(f[1:])
        elif k == "rsdp":
            kv = dict(x.split("=") for x in f[2:])
            r["rsdp"].add((f[1], int(kv["rev"]), kv["oem"], int(kv["rsdt"], 16),
                           kv["match"]))
        elif k == "loadbase":
            r["loadbase"] = int(f[1], 16)
        elif k == "end":
            r["end"] = line.strip()
    return r


def intervals(mmap, want):
    """[start, end) runs of the given type(s), merged, sorted."""
    runs = sorted((b, b + l) for b, l, t in mmap if t in want and l)
    out = []
    for s, e in runs:
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(e, out[-1][1]))
        else:
            out.append((s, e))
    return out


def type_at(mmap, a):
    for b, l, t in mmap:
        if b <= a < b + l:
            return t
    return None


def map_differences(ours, grub):
    """Every range where the two maps disagree, each with its rule or None:
    (start, end, ours' type, GRUB's type, rule)."""
    points = sorted({p for b, l, _ in ours + grub for p in (b, b + l)})
    conv_top = next((b + l for b, l, t in grub if b == 0 and t == 1), None)
    diffs = []
    for s, e in zip(points, points[1:]):
        to, tg = type_at(ours, s), type_at(grub, s)
        if to == tg:
            continue
        rule = None
        if e <= PAGE and to == 2 and tg == 1:
            rule = "ivt-bda"
        elif conv_top and page_down(conv_top) <= s and e <= conv_top and to == 2 and tg == 1:
            rule = "page"
        elif conv_top and conv_top <= s and e <= MIB and to == 2 and tg is None:
            rule = "ebda"
        if diffs and diffs[-1][1] == s and diffs[-1][2:] == (to, tg, rule):
            diffs[-1] = (diffs[-1][0], e, to, tg, rule)
        else:
            diffs.append((s, e, to, tg, rule))
    return diffs


def common_checks(rep, rc, text):
    if rep["end"] != "end ok" or rc != 0:
        tail = [l for l in text.split("\n") if "error" in l or l.startswith("end")]
        return ["did not end ok (qemu-run %d): %s" % (rc, tail[-3:])]
    return []


# --- against GRUB ----------------------------------------------------------------
def compare(name, kind, ours, grub, files, note):
    bad = []
    proto = 1 if kind.startswith("mb1") else 2
    for who, r in (("this loader", ours), ("GRUB", grub)):
        if r.get("proto") != proto:
            bad.append("%s: protocol %s" % (who, r.get("proto")))
    # Usable memory: identical but for the rules, and nothing usable here that
    # GRUB does not call usable.
    diffs = map_differences(ours["mmap"], grub["mmap"])
    for s, e, to, tg, rule in diffs:
        what = "%#x-%#x: type %s here, %s in GRUB's map" % (s, e, to, tg if tg else "absent")
        if rule is None:
            bad.append("unexplained map difference %s" % what)
        else:
            note(name, "%s [%s: %s]" % (what, rule, RULES[rule]))
    extra = subtract(intervals(ours["mmap"], {1}), intervals(grub["mmap"], {1}))
    if extra:
        bad.append("usable here but not in GRUB's map: %s" % extra)
    # mem_upper from the same map is the same; mem_lower is the top of the
    # usable range from the first page, which is whole pages here.
    if ours.get("mem_upper") != grub.get("mem_upper"):
        bad.append("mem_upper %s, GRUB %s" % (ours.get("mem_upper"), grub.get("mem_upper")))
    low_end = next((e for s, e in intervals(ours["mmap"], {1}) if s <= PAGE), 0)
    if ours.get("mem_lower") != min(low_end, 0xA0000) // 1024 or \
            ours.get("mem_lower", 0) * 1024 != page_down(grub.get("mem_lower", 0) * 1024):
        bad.append("mem_lower %s (map's low usable end %#x), GRUB %s"
                   % (ours.get("mem_lower"), low_end, grub.get("mem_lower")))
    elif ours["mem_lower"] != grub["mem_lower"]:
        note(name, "mem_lower %u here, %u in GRUB [page: %s]"
             % (ours["mem_lower"], grub["mem_lower"], RULES["page"]))
    for k in ("bootdev", "cmdline", "fb", "symbols"):
        if ours.get(k) != grub.get(k):
            bad.append("%s: %r here, %r from GRUB" % (k, ours.get(k), grub.get(k)))
    if ours.get("cmdline") != GRUB_CMDLINE:
        bad.append("command line %r, configured %r" % (ours.get("cmdline"), GRUB_CMDLINE))
    if ours.get("bootdev") != ((0x80, 0, 0xFF) if proto == 1 else (0x80, 0, 0xFFFFFFFF)):
        bad.append("boot device %s" % (ours.get("bootdev"),))
    # Modules: the files' bytes and sizes, page-aligned; strings by each
    # loader's rule (here: path and words; GRUB 2.06: the words alone).
    for who, r in (("this loader", ours), ("GRUB", grub)):
        mods = r["modules"]
        if len(mods) != len(GRUB_MODULES):
            bad.append("%s: %d modules" % (who, len(mods)))
            continue
        for (start, end, crc, string), (fname, words) in zip(mods, GRUB_MODULES):
            want_crc, size = crc_of(files[fname])
            want = ("/boot/%s %s" % (fname, words)) if who == "this loader" else words
            if crc != want_crc or end - start != size or start % PAGE or string != want:
                bad.append("%s: module %s at %#x-%#x crc %#x string %r (want %d bytes, crc "
                           "%#x, %r)" % (who, fname, start, end, crc, string, size, want_crc,
                                         want))
    if ours.get("elf") != grub.get("elf") or ours["sections"] != grub["sections"]:
        bad.append("ELF sections differ: %s %s / GRUB %s %s"
                   % (ours.get("elf"), sorted(ours["sections"]), grub.get("elf"),
                      sorted(grub["sections"])))
    if "aout" not in kind and not ours["symbols"]:
        bad.append("no symbol table check")
    if proto == 2:
        if ours["rsdp"] != grub["rsdp"] or not ours["rsdp"]:
            bad.append("RSDP: %s here, GRUB %s" % (ours["rsdp"], grub["rsdp"]))
        if ours.get("loadbase") != 0x100000 or grub.get("loadbase") != 0x100000:
            bad.append("load base %s / GRUB %s" % (ours.get("loadbase"), grub.get("loadbase")))
        # GRUB also gives the APM table (tag 10), which this loader does not.
        if set(grub["tags"]) - set(ours["tags"]) - {10} or set(ours["tags"]) - set(grub["tags"]):
            bad.append("information tags %s here, GRUB %s" % (sorted(set(ours["tags"])),
                                                              sorted(set(grub["tags"]))))
    else:
        # GRUB also gives VBE information (flag 11), which this loader does not.
        if (grub.get("flags", 0) & ~0x800) != ours.get("flags"):
            bad.append("information flags %#x here, GRUB %#x" % (ours.get("flags", 0),
                                                                 grub.get("flags", 0)))
    return bad


# --- refusals ----------------------------------------------------------------------
def patched(src, out, edits):
    """A copy of src with 32-bit little-endian words replaced: {offset: value}."""
    data = bytearray(open(src, "rb").read())
    for off, v in edits.items():
        data[off:off + 4] = (v & 0xFFFFFFFF).to_bytes(4, "little")
    with open(out, "wb") as f:
        f.write(data)
    return out


def mb1_aout_fields(path):
    data = open(path, "rb").read()
    return [int.from_bytes(data[i:i + 4], "little") for i in range(0, 32, 4)]


def mb1_checksum(flags):
    return -(MB1_HEADER_MAGIC + flags)


def mb2_tag_offsets(path):
    """{type: offset of the tag in the file} for the Multiboot2 header."""
    data = open(path, "rb").read()
    off = next(o for o in range(0, 32768, 8) if data[o:o + 4] == b"\xd6\x50\x52\xe8")
    length = int.from_bytes(data[off + 8:off + 12], "little")
    tags, t = {}, off + 16
    while t < off + length:
        ty, size = int.from_bytes(data[t:t + 2], "little"), int.from_bytes(data[t + 4:t + 8],
                                                                             "little")
        tags.setdefault(ty, t)
        if ty == 0:
            break
        t += (size + 7) & ~7
    return tags


def refusal_cases(files):
    """(name, image builder, machine memory, expected message part)."""
    aout = os.path.join(MBK, "mb1-aout.bin")
    mb2 = os.path.join(MBK, "mb2.elf")
    f = mb1_aout_fields(aout)
    flags, hdr, load, load_end, bss_end, entry = f[1], f[3], f[4], f[5], f[6], f[7]
    size = os.path.getsize(aout)
    cases = []

    def aout_case(name, edits, want, mem="128M", protocol="auto"):
        def make(tmp):
            k = patched(aout, os.path.join(tmp, "kernel.bin"), edits)
            return our_image(os.path.join(tmp, "disk.img"), k, protocol=protocol)
        cases.append((name, make, mem, want))

    aout_case("refuse_mb1_flag3", {4: flags | 8, 8: mb1_checksum(flags | 8)},
              "the Multiboot1 header requires flag bit 3, which Multiboot 0.6.96 does not "
              "define: no loader can honour it")
    # Flag bit 2 (a video mode) is honoured: tests/boot/videotest.py boots
    # Multiboot1 kernels that ask for one.
    aout_case("refuse_mb1_checksum", {8: mb1_checksum(flags) + 1},
              "kernel.bin: Multiboot1 header: the Multiboot1 header at offset 0x0 has a bad "
              "checksum (magic + flags + checksum is not 0)", protocol="multiboot1")
    low = 0x20000  # inside the loader's heap (include/layout.h)
    aout_case("refuse_mb1_over_loader",
              {12: low + (hdr - load), 16: low, 20: low + (load_end - load),
               24: low + (bss_end - load), 28: low + (entry - load)},
              "the kernel image (%d bytes at %#x-%#x, as its address fields say) overlaps the "
              "loader" % (bss_end - load, low, low + bss_end - load))
    aout_case("refuse_mb1_beyond_ram", {24: 0x10000000},
              "the kernel image (%d bytes at 0x100000-0x10000000, as its address fields say) "
              "is not in usable RAM" % (0x10000000 - load))
    aout_case("refuse_mb1_past_file", {20: load + size + 4},
              "load_end_addr %#x reaches past the end of the file" % (load + size + 4))

    tags = mb2_tag_offsets(mb2)

    def mb2_case(name, edits, want):
        def make(tmp):
            k = patched(mb2, os.path.join(tmp, "kernel.elf"), edits)
            return our_image(os.path.join(tmp, "disk.img"), k)
        cases.append((name, make, "128M", want))

    # The required information request's first type (the command line) made
    # the VBE information (7), which only a video mode gives, and the entry
    # asks for none; the module alignment tag made type 11; the console flags
    # tag made "console required, no EGA text".
    mb2_case("refuse_mb2_request_vbe", {tags[1] + 8: 7},
             "the Multiboot2 information request requires VBE information (tag type 7), and "
             "no video mode was set")
    mb2_case("refuse_mb2_unknown_tag", {tags[6]: 11},
             "header tag type 11 (unknown) is not known to this loader and not marked optional")
    mb2_case("refuse_mb2_console", {tags[4] + 8: 1},
             "the console flags tag (console_flags 0x1) requires a console, and the kernel "
             "supports none this loader offers")

    def big_module(tmp):
        return our_image(os.path.join(tmp, "disk.img"), mb2,
                         modules=[(files["mod-big.bin"], "")])
    cases.append(("refuse_module_too_big", big_module, "64M",
                  "module /boot/mod-big.bin (67108864 bytes) does not fit in the RAM below "
                  "4 GiB"))
    return cases


def refusal(name, make, mem, want):
    with tempfile.TemporaryDirectory() as tmp:
        img = make(tmp)
        rc, text = boot(img, mem=mem, timeout=60)
    errors = [l for l in text.split("\n") if l.startswith("stage2: error: ")]
    if rc != STATUS_ERROR or not errors:
        return ["expected a loader error (qemu-run %d, status 2), got %d: %s"
                % (STATUS_ERROR, rc, text.strip().split("\n")[-2:])]
    if want not in errors[0]:
        return ["message %r lacks %r" % (errors[0], want)]
    return []


# --- this loader alone -----------------------------------------------------------------
def own_cases(files):
    cmdline = 'console=ttyS0 mb.words="two words" \\ end'
    mods = [(files["mod-a.bin"], "first module, with words"), (files["mod-b.txt"], ""),
            (files["mod-big.bin"], "64 MiB")]
    expect = [("/boot/mod-a.bin first module, with words", files["mod-a.bin"]),
              ("/boot/mod-b.txt", files["mod-b.txt"]),
              ("/boot/mod-big.bin 64 MiB", files["mod-big.bin"])]
    cases = []
    for kind in ("mb1", "mb2"):
        cases.append(("own_%s_modules_64m" % kind, kind, dict(cmdline=cmdline, modules=mods),
                      "256M", cmdline, expect, False))
    cases.append(("own_mb2_gzip_module", "mb2",
                  dict(cmdline="", modules=[(files["mod-a.bin.gz"], "gz")]), "128M", "",
                  [("/boot/mod-a.bin.gz gz", files["mod-a.bin.gz"])], True))
    # A gzip-compressed kernel: stage2 loads its extension's common part
    # (gzip) first and the Multiboot part later, in a second unpacking.
    cases.append(("own_mb2_gzip_kernel", "mb2",
                  dict(cmdline="gz", modules=[(files["mod-a.bin.gz"], "gz")], gzip_kernel=True),
                  "128M", "gz", [("/boot/mod-a.bin.gz gz", files["mod-a.bin.gz"])], True))
    cases.append(("own_mb1_aout_modules", "mb1-aout",
                  dict(cmdline="x", modules=mods[:2]), "128M", "x", expect[:2], False))
    return cases


def own_case(kind, spec, mem, cmdline, expect, gz):
    spec = dict(spec)
    gzip_kernel = spec.pop("gzip_kernel", False)
    with tempfile.TemporaryDirectory() as tmp:
        kernel = os.path.join(MBK, KERNELS[kind][0])
        if gzip_kernel:
            with open(kernel, "rb") as f, open(os.path.join(tmp, "kernel.gz"), "wb") as g:
                g.write(gzip.compress(f.read(), mtime=0))
            kernel = os.path.join(tmp, "kernel.gz")
        img = our_image(os.path.join(tmp, "disk.img"), kernel, **spec)
        rc, text = boot(img, mem=mem, timeout=180)
    r = parse(text)
    bad = common_checks(r, rc, text)
    if gzip_kernel and not re.search(r"stage2: /boot/kernel\.gz: gunzip \d+ bytes to %d\n"
                                     % os.path.getsize(os.path.join(MBK, KERNELS[kind][0])),
                                     text):
        bad.append("no line saying the kernel was inflated to its size")
    if bad:
        return bad
    if r.get("cmdline") != cmdline:
        bad.append("command line %r, configured %r" % (r.get("cmdline"), cmdline))
    if len(r["modules"]) != len(expect):
        return bad + ["%d modules, %d configured" % (len(r["modules"]), len(expect))]
    prev_end = 0
    for (start, end, crc, string), (want, path) in zip(r["modules"], expect):
        want_crc, size = crc_of(path, gunzip=gz)
        if string != want or crc != want_crc or end - start != size:
            bad.append("module %r at %#x-%#x crc %#x, want %r (%d bytes, crc %#x)"
                       % (string, start, end, crc, want, size, want_crc))
        if start % PAGE or start < prev_end:
            bad.append("module %r at %#x: not page-aligned or not above the one before"
                       % (string, start))
        # Modules are in usable memory by the Multiboot rule.
        if subtract([(start, end)], intervals(r["mmap"], {1})):
            bad.append("module %r at %#x-%#x is not in the map's usable memory"
                       % (string, start, end))
        prev_end = end
    return bad


def bochs_case(files):
    """Bochs and its own BIOS (unreal-mode copies as Bochs checks them): a
    Multiboot2 kernel with a module and a command line."""
    with tempfile.TemporaryDirectory() as tmp:
        img = our_image(os.path.join(tmp, "disk.img"), os.path.join(MBK, "mb2.elf"),
                        "bochs run", [(files["mod-a.bin"], "under bochs")])
        p = subprocess.run([os.path.join(ROOT, "tools", "bochs-run"), img, "--megs", "64",
                            "--timeout", "120"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, errors="replace")
    r = parse(p.stdout.replace("\r", ""))
    bad = common_checks(r, p.returncode, p.stdout)
    want_crc, size = crc_of(files["mod-a.bin"])
    if not bad and (r.get("cmdline") != "bochs run" or len(r["modules"]) != 1 or
                    r["modules"][0][2:] != (want_crc, "/boot/mod-a.bin under bochs") or
                    r["modules"][0][1] - r["modules"][0][0] != size):
        bad.append("cmdline %r modules %s" % (r.get("cmdline"), r["modules"]))
    return bad


def raw_case():
    with tempfile.TemporaryDirectory() as tmp:
        img = os.path.join(tmp, "disk.img")
        run([os.path.join(BUILD, "mkimage"), os.path.join(BUILD, "mbr.bin"),
             os.path.join(BUILD, "stage2.bin"), os.path.join(MBK, "mb1.elf"), img], "mkimage")
        rc, text = boot(img)
    r = parse(text)
    bad = common_checks(r, rc, text)
    if not bad and (r.get("cmdline") != "" or r.get("bootdev") != (0x80, 0, 0xFF)
                    or r["modules"]):
        bad.append("raw layout: cmdline %r bootdev %s modules %s"
                   % (r.get("cmdline"), r.get("bootdev"), r["modules"]))
    return bad


# --- grub-invaders -------------------------------------------------------------------
def invaders_kernel():
    """Debian's grub-invaders, downloaded once and cached under build/."""
    d = os.path.join(BUILD, "grub-invaders")
    exe = os.path.join(d, "root", "boot", "invaders.exec")
    if os.path.exists(exe):
        return exe
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    p = subprocess.run(["apt-get", "download", "grub-invaders"], cwd=d, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if p.returncode and os.geteuid() == 0:
        run(["apt-get", "update", "-q"], "apt-get update")
        p = subprocess.run(["apt-get", "download", "grub-invaders"], cwd=d,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    debs = [n for n in os.listdir(d) if n.endswith(".deb")]
    if p.returncode or not debs:
        raise RuntimeError("apt-get download grub-invaders failed: %s" % p.stdout[-300:])
    run(["dpkg-deb", "-x", os.path.join(d, debs[0]), os.path.join(d, "root")], "dpkg-deb")
    return exe


LOADER_TEXT_RGB = b"\xa8\xa8\xa8"  # VGA attribute 7 as QEMU draws it


def lit_cells(w, h, px, rows=25, cols=80):
    """The text screen's character cells with any lit pixel, as (row, col)."""
    ch, cw = h // rows, w // cols
    lit = set()
    for y in range(rows * ch):
        line = px[3 * y * w:3 * (y + 1) * w]
        for x in range(0, cols * cw):
            if line[3 * x] or line[3 * x + 1] or line[3 * x + 2]:
                lit.add((y // ch, x // cw))
    return lit


def invaders_case():
    exe = invaders_kernel()
    data = open(exe, "rb").read()
    off = next(o for o in range(0, 8192, 4) if int.from_bytes(data[o:o + 4], "little")
               == MB1_HEADER_MAGIC)
    load, bss_end = (int.from_bytes(data[off + i:off + i + 4], "little") for i in (16, 24))
    bad = []
    with tempfile.TemporaryDirectory() as tmp:
        img = our_image(os.path.join(tmp, "disk.img"), exe)
        sock = os.path.join(tmp, "mon.sock")
        serial = os.path.join(tmp, "serial.txt")
        q = subprocess.Popen(["timeout", "--kill-after=5", "60", "qemu-system-x86_64",
                              "-display", "none", "-no-reboot", "-m", "128M",
                              "-serial", "file:%s" % serial,
                              "-monitor", "unix:%s,server=on,wait=off" % sock,
                              "-drive", "file=%s,format=raw" % img],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        try:
            deadline = time.time() + 20
            while not os.path.exists(sock) and time.time() < deadline:
                time.sleep(0.1)
            mon = Monitor(sock)
            time.sleep(6)
            if q.poll() is not None:
                bad.append("QEMU ended after %s (a reset or triple fault with -no-reboot)"
                           % q.returncode)
            else:
                shots = []
                for i in range(2):
                    path = os.path.join(tmp, "screen%d.ppm" % i)
                    mon.cmd("screendump %s" % path)
                    shots.append(read_ppm(path))
                    time.sleep(2)
                regs = mon.cmd("info registers")
                m = re.search(r"EIP=([0-9a-f]+)", regs)
                eip = int(m.group(1), 16) if m else None
                if eip is None or not load <= eip < bss_end:
                    bad.append("EIP %s is not inside the game (%#x-%#x)"
                               % (m.group(1) if m else "?", load, bss_end))
                m = re.search(r"CR0=([0-9a-f]+)", regs)
                cr0 = int(m.group(1), 16) if m else 0
                if not cr0 & 1 or cr0 & 0x80000000:
                    bad.append("CR0 %#x: not protected mode with paging off" % cr0)
                # The game's screen: not blank, moving (its invaders march), and
                # none of the loader's light-grey text left (the game draws in
                # other colours).
                cells = lit_cells(*shots[-1])
                if len(cells) < 3:
                    bad.append("the screen is (nearly) blank: %d lit cells" % len(cells))
                if shots[0] == shots[1]:
                    bad.append("the screen did not change in 2 s: the game is not running")
                px = shots[-1][2]
                if any(px[i:i + 3] == LOADER_TEXT_RGB for i in range(0, len(px), 3)):
                    bad.append("the loader's text is still on the screen")
                if q.poll() is not None:
                    bad.append("QEMU ended during the test (a reset?)")
            mon.quit()
        except (OSError, RuntimeError) as e:
            bad.append("monitor: %s" % e)
        finally:
            try:
                q.wait(10)
            except subprocess.TimeoutExpired:
                q.kill()
                q.wait()
        text = open(serial, errors="replace").read() if os.path.exists(serial) else ""
        if "starting the Multiboot1 kernel at 0x%x" % int.from_bytes(data[off + 28:off + 32],
                                                                        "little") not in text:
            bad.append("the loader did not start the game: %s" % text.strip()[-300:])
    return bad


# --- main ----------------------------------------------------------------------------
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    report = Reporter()
    lock = threading.Lock()

    def note(name, text):
        with lock:
            print("note %s: %s" % (name, text), flush=True)

    missing = [p for p in [os.path.join(MBK, k[0]) for k in KERNELS.values()]
               + [os.path.join(BUILD, n) for n in ("stage2.bin", "mbr.bin", "mkimage", "install")]
               if not os.path.exists(p)]
    if missing:
        report("multiboot_setup", ["missing %s: run `make all`" % missing])
        return 1
    files = make_files()

    # Against GRUB: every kernel on both machines at 128M; 4G and 8G on a
    # diagonal (each kernel version and machine at each size once).
    grub_cfgs = [(k, m, "128M") for k in KERNELS for m in ("pc", "q35")]
    grub_cfgs += [("mb1", "pc", "4G"), ("mb2", "q35", "4G"), ("mb2", "pc", "8G"),
                  ("mb1", "q35", "8G")]
    grub_cfgs = [c for c in grub_cfgs if args.only in "grub_%s_%s_%s" % c]
    images, image_lock = {}, threading.Lock()

    def images_for(kind, tmp):
        with image_lock:
            if kind not in images:
                kernel = os.path.join(MBK, KERNELS[kind][0])
                mods = [(files[n], w) for n, w in GRUB_MODULES]
                images[kind] = (
                    our_image(os.path.join(tmp, "%s-ours.img" % kind), kernel, GRUB_CMDLINE,
                              mods),
                    grub_image(os.path.join(tmp, "%s-grub.img" % kind), kernel,
                               KERNELS[kind][1], GRUB_CMDLINE, mods))
            return images[kind]

    slots = threading.Semaphore(max(1, args.jobs))
    threads = []
    tmp = tempfile.mkdtemp(prefix="mbtest-")

    def start(name, fn, *a):
        if args.only not in name:
            return

        def body():
            with slots:
                try:
                    bad = fn(*a)
                except Exception as e:  # a crash fails this case, not the suite
                    bad = ["test crashed: %r" % e]
            report(name, bad)
        t = threading.Thread(target=body)
        t.start()
        threads.append(t)

    def grub_case(name, kind, machine, mem):
        ours_img, grub_img = images_for(kind, tmp)
        rc_o, text_o = boot(ours_img, machine, mem)
        rc_g, text_g = boot(grub_img, machine, mem)
        ours, grub = parse(text_o), parse(text_g)
        bad = ["this loader: %s" % b for b in common_checks(ours, rc_o, text_o)]
        bad += ["GRUB: %s" % b for b in common_checks(grub, rc_g, text_g)]
        return bad or compare(name, kind, ours, grub, files, note)

    for kind, machine, mem in grub_cfgs:
        start("grub_%s_%s_%s" % (kind, machine, mem), grub_case,
              "grub_%s_%s_%s" % (kind, machine, mem), kind, machine, mem)
    for name, kind, spec, mem, cmdline, expect, gz in own_cases(files):
        start(name, own_case, kind, spec, mem, cmdline, expect, gz)
    start("own_mb1_raw_layout", raw_case)
    start("own_mb2_bochs", bochs_case, files)
    for name, make, mem, want in refusal_cases(files):
        start(name, refusal, name, make, mem, want)
    start("invaders_runs", invaders_case)
    for t in threads:
        t.join()
    shutil.rmtree(tmp, ignore_errors=True)
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
