#!/usr/bin/env python3
"""Tests of the benchmark's tools and inputs: tools/grub-image (GRUB 2 boots
the Multiboot 1 and 2 test kernels from the image it lays out), the tiny
kernel's magic check, the floor and raw-read boot sectors, and
tools/inscount (the same count twice, matching Bochs' own clock, phases in
the order of the POST codes QEMU sees, each BIOS call of a probe boot sector
counted under its service, the MBR reading stage2's core in one call), and
make bench's timed phases (the same POST codes, in order).

Expected values come from elsewhere than the code under test: GRUB's own
boot.img and grub-file, mtools' view of the FAT partition, QEMU's -kernel
Multiboot loader, SeaBIOS refusing a read past the disk's end, Bochs'
instruction clock, QEMU's trace of port 0x80, a probe that makes a known set
of BIOS calls.

Needs `make test` (or make all bench-test-inputs) first.  Prints one
"PASS <name>" / "FAIL <name>: why" line per test.
"""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tools"))
import benchlib as bl  # noqa: E402
from bootlib import Reporter  # noqa: E402

INSCOUNT = os.path.join(bl.ROOT, "tools", "inscount")
GRUB_CACHE = os.path.join(bl.BUILD, "grub")


def kernel(name):
    return os.path.join(bl.BENCH, name)


def mtools(cmd, img, *args):
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    lba = bl.partition1(img)[1]
    return subprocess.run([cmd, "-i", "%s@@%d" % (img, lba * 512)] + list(args), env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def grub_tests(report, tmp):
    mod = os.path.join(tmp, "mod1.bin")
    with open(mod, "wb") as f:
        f.write(os.urandom(3000))
    for proto, kname in (("multiboot", "tiny-mb1.elf"), ("multiboot2", "tiny-mb2.elf")):
        img = os.path.join(tmp, "grub-%s.img" % proto)
        bad = []
        try:
            out = bl.grub_image(kernel(kname), proto, img)
        except bl.BenchError as e:
            report("grub_image_%s_boots" % proto, [str(e)])
            continue
        for machine, drive_if in (("pc", "ide"), ("q35", "ide"), ("pc", "virtio")):
            rc = bl.boot(img, machine=machine, drive_if=drive_if, timeout=60)[0]
            if rc != bl.RUN_OK:
                bad.append("%s/%s: qemu-run status %d (%s)" %
                           (machine, drive_if, rc, bl.RUN_WORDS.get(rc, "?")))
        if "GRUB" not in out:
            bad.append("no summary line: %r" % out)
        report("grub_image_%s_boots" % proto, bad)

    # The layout as grub-install makes it, read back independently.
    img = os.path.join(tmp, "grub-layout.img")
    bad = []
    cmdline = "console=ttyS0 it's  two spaces"
    p = subprocess.run([bl.GRUB_IMAGE, "--kernel", kernel("tiny-mb2.elf"), "--protocol",
                        "multiboot2", "--cmdline", cmdline, "--module", mod, "mod string",
                        "--video", "1024x768x32", "-o", img],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        report("grub_image_layout", ["tools/grub-image failed: " + p.stdout])
        return
    root = subprocess.run([bl.GRUB_IMAGE, "--fetch-only"], stdout=subprocess.PIPE,
                          text=True).stdout.strip()
    moddir = os.path.join(root, "usr/lib/grub/i386-pc")
    with open(img, "rb") as f:
        disk = f.read()
    with open(os.path.join(moddir, "boot.img"), "rb") as f:
        boot_img = f.read()
    with open(os.path.join(moddir, "diskboot.img"), "rb") as f:
        diskboot = f.read()
    if disk[:440] != boot_img[:440]:
        bad.append("LBA 0 does not start with boot.img's 440 bytes")
    if disk[510:512] != b"\x55\xaa":
        bad.append("no 55 AA at 510")
    # core.img begins with diskboot.img; grub-mkimage patches only its
    # blocklist at the end of that sector.
    if disk[512:512 + 0x100] != diskboot[:0x100]:
        bad.append("LBA 1 does not hold core.img (diskboot.img's code)")
    pe = disk[0x1BE:0x1CE]
    ptype, lba, count = pe[4], struct.unpack_from("<I", pe, 8)[0], struct.unpack_from("<I", pe, 12)[0]
    if pe[0] != 0x80 or lba != 2048 or ptype not in bl.FAT_PART_TYPES:
        bad.append("partition 1: flag %#x type %#x LBA %d, want active FAT at 2048" %
                   (pe[0], ptype, lba))
    if (lba + count) * 512 != len(disk):
        bad.append("partition 1 ends at sector %d, the image has %d" % (lba + count,
                                                                        len(disk) // 512))
    cfg = mtools("mtype", img, "::/boot/grub/grub.cfg").stdout.decode()
    want = ["set timeout=0", "insmod vbe", "set gfxpayload=1024x768x32",
            "multiboot2 /boot/tiny-mb2.elf 'console=ttyS0 it'\\''s  two spaces'",
            "module2 /boot/modules/mod1.bin 'mod string'"]
    for w in want:
        if w not in cfg:
            bad.append("grub.cfg lacks %r" % w)
    for name, src in (("::/boot/tiny-mb2.elf", kernel("tiny-mb2.elf")),
                      ("::/boot/modules/mod1.bin", mod),
                      ("::/boot/grub/i386-pc/normal.mod", os.path.join(moddir, "normal.mod")),
                      ("::/boot/grub/i386-pc/moddep.lst", os.path.join(moddir, "moddep.lst"))):
        got = mtools("mtype", img, name).stdout
        with open(src, "rb") as f:
            if got != f.read():
                bad.append("%s differs from %s" % (name, src))
    rc = bl.boot(img, timeout=60)[0]
    if rc != bl.RUN_OK:
        bad.append("the image with a command line, a module and a video mode did not boot: "
                   "status %d" % rc)
    report("grub_image_layout", bad)

    p = subprocess.run([bl.GRUB_IMAGE, "--kernel", kernel("tiny-mb1.elf"), "--protocol",
                        "multiboot2", "-o", os.path.join(tmp, "wrong.img")],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    report("grub_image_refuses_wrong_protocol",
           [] if p.returncode == 1 and "is not a multiboot2 kernel" in p.stdout
           else ["status %d, output %r" % (p.returncode, p.stdout)])


def magic_tests(report, tmp):
    """QEMU's own Multiboot loader (-kernel) passes 0x2BADB002: the MB1 tiny
    kernel accepts it, and a copy expecting another magic refuses it."""
    blank = os.path.join(tmp, "blank.img")
    with open(blank, "wb") as f:
        f.truncate(1 << 20)     # no boot sector: only -kernel can end the boot
    src = kernel("tiny-mb1.elf")
    with open(src, "rb") as f:
        data = bytearray(f.read())
    # The magic as the code compares it: in the kernel's code, not in the
    # symbol table (nasm lists its equ constants there too).
    magic = struct.pack("<I", 0x2BADB002)
    off, size = [(o, n) for o, n, _, _, flags, _ in bl.elf_info(src)[1] if flags & 1][0]
    code = bytes(data[off:off + size])
    at = off + code.find(magic)
    bad = []
    if code.count(magic) != 1:
        bad.append("the magic 0x2BADB002 is not in %s's code exactly once" % src)
    else:
        rc = bl.boot(blank, timeout=30, snapshot=True, extra=("-kernel", src))[0]
        if rc != bl.RUN_OK:
            bad.append("QEMU -kernel: status %d, want %d" % (rc, bl.RUN_OK))
        data[at] ^= 1
        wrong = os.path.join(tmp, "wrong-magic.elf")
        with open(wrong, "wb") as f:
            f.write(data)
        rc = bl.boot(blank, timeout=30, snapshot=True, extra=("-kernel", wrong))[0]
        if rc != bl.RUN_KERNEL_FAIL:
            bad.append("a kernel expecting another magic: status %d, want %d" %
                       (rc, bl.RUN_KERNEL_FAIL))
    report("tiny_kernel_checks_the_magic", bad)

    img = os.path.join(tmp, "loader-own.img")
    try:
        bl.loader_image(kernel("tiny-own.elf"), img)
        rc = bl.boot(img, timeout=60)[0]
        report("loader_boots_tiny_own_kernel",
               [] if rc == bl.RUN_OK else ["qemu-run status %d" % rc])
    except bl.BenchError as e:
        report("loader_boots_tiny_own_kernel", [str(e)])


def sector_tests(report, tmp):
    floor = bl.sector_image(kernel("floor.bin"), os.path.join(tmp, "floor.img"))
    bad = []
    for machine, drive_if in (("pc", "ide"), ("q35", "ide"), ("pc", "virtio")):
        rc = bl.boot(floor, machine=machine, drive_if=drive_if, timeout=30)[0]
        if rc != bl.RUN_OK:
            bad.append("%s/%s: status %d" % (machine, drive_if, rc))
    report("floor_exits_at_once", bad)

    bad = []
    try:
        # The raw-read stage reads the kernel where the raw layout keeps it.
        loader = bl.loader_image(kernel("tiny-own.elf"), os.path.join(tmp, "loader-raw.img"),
                                 LAYOUT="raw")
        raw, count = bl.raw_image(loader, kernel("tiny-own.elf"), os.path.join(tmp, "raw.img"))
        first, n = bl.kernel_sectors(kernel("tiny-own.elf"))
        size = os.path.getsize(kernel("tiny-own.elf"))
        if count != n or n * 512 < size - first * 512 - 512:
            bad.append("raw stage reads %d sectors, the kernel's loadable bytes need %d" %
                       (count, n))
        rc = bl.boot(raw, timeout=30)[0]
        if rc != bl.RUN_OK:
            bad.append("raw-read stage: status %d, want %d" % (rc, bl.RUN_OK))
        # Past the disk's end SeaBIOS refuses the read: the stage must say so.
        syms = bl.symbols(os.path.join(bl.BENCH, "rawread.elf"))
        base = bl.defines("layout.h")["MBR_LOAD_ADDR"]
        with open(raw, "r+b") as f:
            f.seek(syms["read_lba"] - base)
            f.write(struct.pack("<I", os.path.getsize(raw) // 512))
        rc = bl.boot(raw, timeout=30)[0]
        if rc != bl.RUN_LOADER_ERROR:
            bad.append("a read past the disk's end: status %d, want %d" %
                       (rc, bl.RUN_LOADER_ERROR))
    except bl.BenchError as e:
        bad.append(str(e))
    report("raw_read_stage", bad)


def post_sequence(image, tmp):
    """Stage2's POST codes in the order QEMU saw them written to port 0x80,
    by their names in the headers (the MBR's are printable ASCII)."""
    # Stage2's codes: inscount does not split the MBR's phase by its codes,
    # which are printable ASCII.
    names = {c: n for c, n in bl.post_codes().items() if c >= 0x80}
    trace = os.path.join(tmp, "post.trace")
    bl.boot(image, timeout=60, extra=("-trace", "memory_region_ops_write", "-D", trace))
    seq = []
    with open(trace, errors="replace") as f:
        for line in f:
            m = re.search(r"addr 0x80 value (0x[0-9a-f]+) size 1", line)
            if m and int(m.group(1), 16) in names:
                name = names[int(m.group(1), 16)]
                if not seq or seq[-1] != name:
                    seq.append(name)
    return seq


def inscount_tests(report, tmp):
    image = os.path.join(tmp, "inscount.img")
    try:
        bl.loader_image(kernel("tiny-own.elf"), image)
    except bl.BenchError as e:
        report("inscount_repeatable", [str(e)])
        return
    p = subprocess.run([INSCOUNT, "--repeat", "--top", "5", "--image", image],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = p.stdout
    bad = []
    if p.returncode != 0:
        report("inscount_repeatable", ["status %d: %s" % (p.returncode, out[-2000:])])
        return
    m = re.search(r"^repeat: (\d+) (\d+)$", out, re.M)
    total = re.search(r"kernel's entry: (\d+)$", out, re.M)
    if not m or m.group(1) != m.group(2) or not total or total.group(1) != m.group(1):
        bad.append("not the same count twice: %r" % (m and m.group(0)))
    report("inscount_repeatable", bad)

    # With INT 13h extensions (SeaBIOS has them) the MBR reads stage2's core
    # in one call: each call costs far more than its sectors (README, Speed).
    m = re.search(r"^\s+from mbr:read_sector\.call\s+(\d+)\s+\d+$", out, re.M)
    report("mbr_reads_core_in_one_call",
           [] if m and m.group(1) == "1" else
           ["INT 13h calls from the MBR's read_sector: %s, want 1" % (m.group(1) if m else "none")])

    bad = []
    ticks = re.search(r"clock between the two breakpoints: (\d+) ticks", out)
    if not total or not ticks:
        bad.append("no total or no tick count in the report")
    else:
        t, n = int(ticks.group(1)), int(total.group(1))
        # Bochs' clock counts instructions too (and a few ticks around
        # interrupt delivery): the trace must agree with it closely.
        if not n <= t <= n * 1.001 or n < 1000:
            bad.append("trace counted %d instructions, Bochs' clock %d ticks" % (n, t))
        phases = re.search(r"^  all\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$", out, re.M)
        if not phases or sum(int(x) for x in phases.groups()[:5]) != n or \
                int(phases.group(6)) != n:
            bad.append("the phase table does not add up to the total")
    report("inscount_matches_bochs_clock", bad)

    # The phases are the MBR, stage2's start, then each POST code in the
    # order the boot wrote them (as QEMU saw port 0x80).
    table = out[out.find("by phase"):out.find("\n  all ")].splitlines()[1:]
    phases = [row.split()[0] for row in table]
    want = ["mbr", "stage2"] + post_sequence(image, tmp)
    got = phases
    report("inscount_phases_follow_post_codes",
           [] if got == want else ["phases %s, POST codes seen by QEMU %s" % (got, want)])

    # make bench's breakdown of the time (benchlib.post_phases) times the
    # same codes: one phase per code from the MBR's start, in the boot's
    # order, each taking some time and none the whole boot's.
    bad = []
    try:
        timed = bl.post_phases(image, os.path.join(tmp, "phases.trace"), 2)
    except bl.BenchError as e:
        timed, bad = [], [str(e)]
    names = [n for n, _ in timed]
    if names != ["POST_MBR_START"] + want[2:]:
        bad.append("phases timed %s, POST codes seen by QEMU %s" % (names, want[2:]))
    bad += ["%s: %.3f ms" % (n, ms) for n, ms in timed if not 0 < ms < 5000]
    report("bench_phases_follow_post_codes", bad)

    # The attribution, on a boot sector that makes a known set of BIOS calls.
    probe = bl.sector_image(kernel("callprobe.bin"), os.path.join(tmp, "probe.img"))
    syms = bl.symbols(kernel("callprobe.elf"))
    p = subprocess.run([INSCOUNT, "--image", probe, "--stop", hex(syms["probe_done"])],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    bad = []
    if p.returncode != 0:
        bad.append("status %d: %s" % (p.returncode, p.stdout[-2000:]))
    for vector, sym in (("10", "PROBE_TTY_CALLS"), ("13", "PROBE_DISK_CALLS"),
                        ("15", "PROBE_E820_CALLS")):
        m = re.search(r"^  INT %sh .*?\s(\d+)\s+\d+$" % vector, p.stdout, re.M)
        if not m or int(m.group(1)) != syms[sym]:
            bad.append("INT %sh: %s calls counted, the probe makes %d" %
                       (vector, m.group(1) if m else "no", syms[sym]))
    report("inscount_counts_each_bios_call", bad)


def main():
    report = Reporter()
    missing = [k for k in ("tiny-own.elf", "tiny-mb1.elf", "tiny-mb2.elf", "floor.bin",
                           "rawread.bin", "callprobe.bin") if not os.path.exists(kernel(k))]
    if missing:
        print("FAIL bench_inputs: missing %s (make bench-test-inputs)" % ", ".join(missing))
        sys.exit(1)
    tmp = tempfile.mkdtemp(prefix="benchtest.")
    try:
        magic_tests(report, tmp)
        sector_tests(report, tmp)
        grub_tests(report, tmp)
        inscount_tests(report, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(1 if report.failed else 0)


if __name__ == "__main__":
    main()
