#!/usr/bin/env python3
"""Debian's Linux kernel, unmodified, booted by this loader (the Linux boot
protocol), with a second opinion for everything the loader hands over.

Set-up (cached under build/cache/linux/): the current linux-image-*-amd64
package of this Debian release (its name from `apt-cache depends
linux-image-amd64`), fetched with `apt-get download`; only its
/boot/vmlinuz-* is unpacked (dpkg-deb --fsys-tarfile), the modules are not
needed.  The initramfs is written here: a cpio (newc) archive holding a
static /init (tests/boot/linuxinit.c, gcc -static -nostdlib) that prints
"linuxtest-init: cmdline=<its /proc/cmdline>" and powers the machine off.

Boots (tools/mkdisk images: FAT, /boot/loader.cfg with the command line and
the initrd):
  linux_<machine>_<mem>   pc and q35 with 128M and 4G, pc with 8G: the
                          kernel with console=ttyS0 and the initrd, and
                          the same kernel, initrd and command line booted by
                          QEMU itself (-kernel/-initrd/-append: SeaBIOS's
                          linuxboot ROM runs Linux's own real-mode code,
                          which reads the firmware's map itself).  The
                          "BIOS-e820:" lines must be equal, and equal to
                          SeaBIOS's own table (port 0x402) as Linux prints
                          it; the "Console:" lines equal; the init's line
                          with the exact command line in both; no panic, BUG
                          or Oops; the 64-bit entry used.
  linux_entry32_pc_128M   the same kernel with XLF_KERNEL_64 cleared in its
                          header (one bit), so the loader takes the 32-bit
                          entry: the same checks against linux_pc_128M's
                          reference boot.
  linux_e801_pc_128M      with an option ROM that makes E820 fail
                          (tests/fixtures, int15-noe820): the loader hands
                          over no E820 table and Linux's own real-mode code
                          in the reference boot reads E801 through the same
                          ROM; the "BIOS-e801:" lines must be equal.
  refuse_*                a truncated setup header, protocol 2.05, a command
                          line longer than cmdline_size, a vga= that is
                          not a mode, a kernel larger
                          than RAM, an initrd above initrd_addr_max, the
                          classic layout without stage2's extension: each
                          stops with exit status 2 and the exact message
                          (numbers derived here from the kernel's header and
                          SeaBIOS's table).

Prints one line per test, "PASS <name>" or "FAIL <name>: <why>", and exits 1
if anything failed.
Usage: linuxtest.py [--only SUBSTRING] [--jobs N] [--big]   (--big adds q35 with 8 GiB)
"""
import argparse
import glob
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time

from bootlib import (BUILD, MIB, ROOT, Reporter, image_layout, page_down, page_up,
                     parse_seabios_e820)

CACHE = os.path.join(BUILD, "cache", "linux")
QEMU_RUN = os.path.join(ROOT, "tools", "qemu-run")
MKDISK = os.path.join(ROOT, "tools", "mkdisk")
NOE820_ROM = os.path.join(BUILD, "fixtures", "int15-noe820.bin")
DEADLINE = 240      # seconds per Linux boot (TCG; 40 s is usual at 4 GiB)
REFUSE_WITHIN = 30  # a refusal comes long before that

# Setup header fields (Documentation/arch/x86/boot.rst), read here on their
# own, independently of include/linux_boot.h.
HDR = {"setup_sects": (0x1F1, "B"), "jump": (0x201, "B"), "version": (0x206, "H"),
       "initrd_addr_max": (0x22C, "I"), "kernel_alignment": (0x230, "I"),
       "min_alignment": (0x235, "B"), "xloadflags": (0x236, "H"), "cmdline_size": (0x238, "I"),
       "pref_address": (0x258, "Q"), "init_size": (0x260, "I")}
XLF_KERNEL_64 = 1

# How Linux names E820 types in its "BIOS-e820:" lines (e820_print_type).
LINUX_TYPE_NAMES = {1: "usable", 2: "reserved", 3: "ACPI data", 4: "ACPI NVS", 5: "unusable"}


def header(kernel):
    return {k: struct.unpack_from("<" + f, kernel, off)[0] for k, (off, f) in HDR.items()}


def patched(kernel, field, value):
    off, f = HDR[field]
    k = bytearray(kernel)
    struct.pack_into("<" + f, k, off, value)
    return bytes(k)


# ---- set-up -------------------------------------------------------------------

def debian_kernel():
    """The path of the cached vmlinuz, downloading the package if needed."""
    dep = subprocess.run(["apt-cache", "depends", "linux-image-amd64"], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    m = re.search(r"Depends: (linux-image-\S+-amd64)\b", dep.stdout)
    if not m:
        raise RuntimeError("apt-cache names no linux-image-*-amd64 package for "
                           "linux-image-amd64 (apt-get update?): %s" % dep.stdout.strip()[:200])
    pkg = m.group(1)
    d = os.path.join(CACHE, pkg)
    found = glob.glob(os.path.join(d, "boot", "vmlinuz-*"))
    if found:
        return found[0]
    os.makedirs(d, exist_ok=True)
    p = subprocess.run(["apt-get", "download", pkg], cwd=d, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    debs = glob.glob(os.path.join(d, "*.deb"))
    if p.returncode or not debs:
        raise RuntimeError("apt-get download %s failed: %s" % (pkg, p.stdout.strip()[-300:]))
    # Only the kernel: the package's modules (hundreds of MiB) are not needed.
    tar = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", debs[0]], stdout=subprocess.PIPE)
    x = subprocess.run(["tar", "-x", "-C", d, "--wildcards", "./boot/vmlinuz-*"],
                       stdin=tar.stdout)
    tar.wait()
    found = glob.glob(os.path.join(d, "boot", "vmlinuz-*"))
    if tar.returncode or x.returncode or not found:
        raise RuntimeError("unpacking %s found no /boot/vmlinuz-*" % debs[0])
    os.remove(debs[0])
    return found[0]


def cpio_newc(entries):
    """A cpio archive in the "newc" format (what the kernel unpacks into its
    rootfs): entries are (name, mode, data, (rdevmajor, rdevminor))."""
    out = bytearray()

    def pad4():
        out.extend(b"\0" * (-len(out) % 4))
    for ino, (name, mode, data, rdev) in enumerate(entries + [("TRAILER!!!", 0, b"", (0, 0))],
                                                   1):
        fields = (ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name) + 1, 0)
        out += b"070701" + b"".join(b"%08X" % v for v in fields)
        out += name.encode() + b"\0"
        pad4()
        out += data
        pad4()
    return bytes(out)


def build_initrd(tmp):
    init = os.path.join(tmp, "init")
    p = subprocess.run(["gcc", "-static", "-nostdlib", "-O2", "-fno-stack-protector",
                        "-fno-pie", "-no-pie", "-o", init,
                        os.path.join(ROOT, "tests", "boot", "linuxinit.c")],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode:
        raise RuntimeError("building the init failed: %s" % p.stdout)
    with open(init, "rb") as f:
        code = f.read()
    path = os.path.join(tmp, "initrd.cpio")
    with open(path, "wb") as f:
        f.write(cpio_newc([("dev", 0o040755, b"", (0, 0)),
                           ("dev/console", 0o020600, b"", (5, 1)),
                           ("proc", 0o040755, b"", (0, 0)),
                           ("init", 0o100755, code, (0, 0))]))
    return path


def mkdisk(out, kernel, cmdline, initrd=None, classic=False):
    args = [MKDISK, "--kernel", kernel, "--cmdline", cmdline, out]
    if initrd:
        args[1:1] = ["--initrd", initrd]
    if classic:
        args[1:1] = ["--classic"]
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode:
        raise RuntimeError("mkdisk failed: %s" % p.stdout.strip())
    return out


# ---- boots ----------------------------------------------------------------------

class Boot:
    def __init__(self, rc, out, seabios, secs):
        self.rc, self.secs = rc, secs
        self.out = out.replace("\r", "")
        self.seabios = seabios
        # Linux's lines without their timestamps.
        self.lines = [re.sub(r"^\[\s*\d+\.\d+\]\s", "", l) for l in self.out.split("\n")]

    def grep(self, prefix):
        return [l for l in self.lines if l.startswith(prefix)]


EXAMPLE_IMAGE = os.path.join(BUILD, "example.img")


def boot_ours(image, machine, mem, rom=None, deadline=DEADLINE):
    with tempfile.TemporaryDirectory() as tmp:
        sb = os.path.join(tmp, "seabios.log")
        args = [QEMU_RUN, "--timeout", str(deadline), "--machine", machine, "-m", mem,
                "--seabios-log", sb, image]
        if rom:
            args += ["--", "-option-rom", rom]
        start = time.monotonic()
        p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           errors="replace")
        secs = time.monotonic() - start
        with open(sb, errors="replace") as f:
            seabios = f.read()
    return Boot(p.returncode, p.stdout, seabios, secs)


def boot_reference(kernel, initrd, cmdline, machine, mem, rom=None):
    args = ["timeout", "--kill-after=5", str(DEADLINE), "qemu-system-x86_64", "-display", "none",
            "-no-reboot", "-serial", "stdio", "-monitor", "none", "-machine", machine, "-m", mem,
            "-kernel", kernel, "-initrd", initrd, "-append", cmdline]
    if rom:
        args += ["-option-rom", rom]
    start = time.monotonic()
    p = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, errors="replace")
    return Boot(p.returncode, p.stdout, None, time.monotonic() - start)


def linux_problems(b, cmdline, who):
    """What must hold for any Linux boot that reached the init."""
    bad = []
    want = "linuxtest-init: cmdline=" + cmdline
    if want not in b.lines:
        got = b.grep("linuxtest-init:")
        bad.append("%s: the init's line %s (want %r)" %
                   (who, "was %r" % got[0] if got else "never came", want[:80]))
    if not b.grep("reboot: Power down"):
        bad.append("%s: Linux did not power off (exit %d after %.0f s): %s" %
                   (who, b.rc, b.secs, b.out.strip()[-300:]))
    for pat in ("Kernel panic", "BUG:", "Oops"):
        if pat in b.out:
            bad.append("%s: %r in the log" % (who, pat))
    return bad


def seabios_as_linux_prints(table):
    """SeaBIOS's table the way Linux prints it after its own sanitizing:
    sorted, equal neighbours merged."""
    merged = []
    for base, length, typ in sorted(table):
        if merged and merged[-1][2] == typ and merged[-1][1] == base:
            merged[-1][1] = base + length
        else:
            merged.append([base, base + length, typ])
    return ["BIOS-e820: [mem %#018x-%#018x] %s" %
            (b, e - 1, LINUX_TYPE_NAMES.get(t, "type %u" % t)) for b, e, t in merged]


def compare(ours, ref, cmdline, entry, prefix="BIOS-e820:"):
    bad = linux_problems(ours, cmdline, "loader") + linux_problems(ref, cmdline, "QEMU -kernel")
    mine, theirs = ours.grep(prefix), ref.grep(prefix)
    if len(mine) < 2:
        bad.append("loader boot: %d %r lines" % (len(mine), prefix))
    if mine != theirs:
        bad.append("%s lines differ: loader %s, QEMU -kernel %s" % (prefix, mine, theirs))
    if ours.grep("Console:") != ref.grep("Console:"):
        bad.append("Console lines differ: %s vs %s" % (ours.grep("Console:"),
                                                         ref.grep("Console:")))
    if not re.search(r"stage2: starting Linux at 0x[0-9a-f]+ \(%s entry\)" % entry, ours.out):
        bad.append("stage2 did not say it used the %s entry" % entry)
    return bad


def check_seabios(ours):
    table = parse_seabios_e820(ours.seabios or "")
    if table is None:
        return ["no SeaBIOS e820 table in its debug log"]
    want = seabios_as_linux_prints(table)
    if ours.grep("BIOS-e820:") != want:
        return ["BIOS-e820 lines %s differ from SeaBIOS's table as Linux prints it %s"
                % (ours.grep("BIOS-e820:"), want)]
    return []


def refusal_problems(b, message):
    if b.rc != 2:
        return ["exit status %d, want 2 (loader error): %s" % (b.rc, b.out.strip()[-300:])]
    bad = []
    if message not in b.out:
        m = re.search(r"stage2: error: (.*)", b.out)
        bad.append("message %r, want it to contain %r" % (m.group(1) if m else None, message))
    if b.secs > REFUSE_WITHIN:
        bad.append("took %.0f s" % b.secs)
    return bad


# ---- the tests -----------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--big", action="store_true", help="also boot q35 with 8 GiB")
    a = ap.parse_args()
    report = Reporter()

    try:
        kernel_path = debian_kernel()
    except (RuntimeError, OSError) as e:
        report("linux_setup", [str(e)])
        return 1
    with open(kernel_path, "rb") as f:
        kernel = f.read()
    hdr = header(kernel)
    tmp = tempfile.mkdtemp(prefix="linuxtest-")
    try:
        initrd = build_initrd(tmp)
        return run(a, report, kernel, kernel_path, hdr, initrd, tmp)
    except RuntimeError as e:
        report("linux_setup", [str(e)])
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(a, report, kernel, kernel_path, hdr, initrd, tmp):
    configs = [("pc", "128M"), ("q35", "128M"), ("pc", "4G"), ("q35", "4G"), ("pc", "8G")]
    if a.big:
        configs.append(("q35", "8G"))
    jobs = []      # (sort key, name, thunk); results by name
    results = {}
    tests = []     # (name, thunk computing the problems)

    def want(name):
        return a.only in name

    def add_boot(key, cost, fn):
        jobs.append((cost, key, fn))

    def write(name, data):
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    mem_cost = {"128M": 1, "4G": 2, "8G": 3}
    for machine, mem in configs:
        name = "linux_%s_%s" % (machine, mem)
        need_ref = want(name) or (machine, mem) == ("pc", "128M") and want("linux_entry32") or \
            mem == "128M" and want("rsdp_matches_linux_%s_128M" % machine)
        if not need_ref:
            continue
        cmdline = "console=ttyS0 linuxtest=%s-%s" % (machine, mem)
        img = mkdisk(os.path.join(tmp, name + ".img"), kernel_path, cmdline, initrd)
        add_boot(("ref", name), mem_cost[mem],
                 lambda m=machine, s=mem, c=cmdline: boot_reference(kernel_path, initrd, c, m, s))
        if want(name):
            add_boot(("ours", name), mem_cost[mem],
                     lambda i=img, m=machine, s=mem: boot_ours(i, m, s))
            tests.append((name, lambda n=name, c=cmdline: compare(
                results[("ours", n)], results[("ref", n)], c, "64-bit") +
                check_seabios(results[("ours", n)])))

    if want("linux_entry32_pc_128M"):
        # The same kernel with XLF_KERNEL_64 cleared, so the loader takes
        # the 32-bit entry; Linux is the same, so is what it must print.
        k32 = write("vmlinuz-entry32", patched(kernel, "xloadflags",
                                               hdr["xloadflags"] & ~XLF_KERNEL_64))
        img32 = mkdisk(os.path.join(tmp, "entry32.img"), k32, "console=ttyS0 linuxtest=pc-128M",
                       initrd)
        add_boot(("ours", "linux_entry32_pc_128M"), 1, lambda: boot_ours(img32, "pc", "128M"))
        tests.append(("linux_entry32_pc_128M", lambda: compare(
            results[("ours", "linux_entry32_pc_128M")], results[("ref", "linux_pc_128M")],
            "console=ttyS0 linuxtest=pc-128M", "32-bit") +
            check_seabios(results[("ours", "linux_entry32_pc_128M")])))

    # The ACPI RSDP the loader hands over (the own protocol's boot info,
    # Multiboot2's tags) against Linux's own search of the same machine: the
    # reference boot prints "ACPI: RSDP 0x..." from what Linux found itself.
    for machine in ("pc", "q35"):
        rname = "rsdp_matches_linux_%s_128M" % machine
        if not want(rname) or ("ref", "linux_%s_128M" % machine) not in [k for _, k, _ in jobs]:
            continue
        add_boot(("ours", rname), 1, lambda m=machine: boot_ours(EXAMPLE_IMAGE, m, "128M"))

        def rsdp(n=rname, m=machine):
            ours = re.search(r"^rsdp 0x([0-9a-f]+)", results[("ours", n)].out, re.M)
            ref = re.search(r"ACPI: RSDP 0x([0-9A-Fa-f]+)", results[("ref", "linux_%s_128M" % m)].out)
            if not ours or not ref:
                return ["no rsdp line from the example kernel" if not ours else
                        "no 'ACPI: RSDP' line from Linux"]
            if int(ours.group(1), 16) != int(ref.group(1), 16):
                return ["the loader says the RSDP is at 0x%s, Linux found it at 0x%s"
                        % (ours.group(1), ref.group(1))]
            return []
        tests.append((rname, rsdp))

    if want("linux_e801_pc_128M"):
        if not os.path.exists(NOE820_ROM):
            report("linux_e801_pc_128M", ["%s missing: run `make fixtures`" % NOE820_ROM])
        else:
            cmd801 = "console=ttyS0 linuxtest=e801"
            img801 = mkdisk(os.path.join(tmp, "e801.img"), kernel_path, cmd801, initrd)
            add_boot(("ours", "e801"), 1, lambda: boot_ours(img801, "pc", "128M", NOE820_ROM))
            add_boot(("ref", "e801"), 1, lambda: boot_reference(kernel_path, initrd, cmd801,
                                                                "pc", "128M", NOE820_ROM))

            def e801():
                ours, ref = results[("ours", "e801")], results[("ref", "e801")]
                bad = compare(ours, ref, cmd801, "64-bit", prefix="BIOS-e801:")
                if ours.grep("BIOS-e820:"):
                    bad.append("Linux printed BIOS-e820 lines: the loader handed over a table")
                if "0 e820 entries" not in ours.out:
                    bad.append("stage2 did not hand over an empty e820 table")
                return bad
            tests.append(("linux_e801_pc_128M", e801))

    # ---- refusals, each message with numbers derived here ----
    name_of = lambda path: "/boot/" + os.path.basename(path)   # mkdisk puts files in /boot
    refusals = []
    if want("refuse_truncated_setup_header"):
        cut = 0x240
        k = write("vmlinuz-cut", kernel[:cut])
        end = 0x202 + kernel[0x201]
        refusals.append(("refuse_truncated_setup_header", k, "console=ttyS0", None, "128M",
                         lambda sb, k=k: "%s: truncated setup header: it ends at %#x, the file has "
                                    "%u bytes" % (name_of(k), end, cut)))
    if want("refuse_protocol_2_05"):
        k = write("vmlinuz-2.05", patched(kernel, "version", 0x0205))
        refusals.append(("refuse_protocol_2_05", k, "console=ttyS0", None, "128M",
                         lambda sb, k=k: "%s: boot protocol 2.05 is too old: this loader "
                                         "boots 2.06 and later" % name_of(k)))
    if want("refuse_cmdline_too_long"):
        long_line = "console=ttyS0 " + "x" * (hdr["cmdline_size"] + 1)
        refusals.append(("refuse_cmdline_too_long", kernel_path, long_line, None, "128M",
                         lambda sb: "%s: the command line is %u bytes long; this kernel takes at "
                                    "most %u (cmdline_size)" %
                                    (name_of(kernel_path), len(long_line), hdr["cmdline_size"])))
    if want("refuse_vga_not_a_mode"):
        # "79l" for "791": a typo in vga= stops the boot by name rather than
        # booting in a mode nobody asked for.
        refusals.append(("refuse_vga_not_a_mode", kernel_path, "console=ttyS0 vga=79l", None,
                         "128M",
                         lambda sb: "%s: vga=79l on the command line is not a video mode: give "
                                    "a VESA mode as Linux numbers it (791 or 0x317: VBE mode "
                                    "0x117), or normal, ext or ask" % name_of(kernel_path)))
    # 64 MiB: the kernel wants init_size bytes from pref_address (16 MiB).
    def larger(sb):
        pref = hdr["pref_address"]
        align = 1 << hdr["min_alignment"] if hdr["min_alignment"] else hdr["kernel_alignment"]
        top = next(page_down(b + l) for b, l, t in sb if t == 1 and b <= pref < b + l)
        return ("%s does not fit in memory: it needs %u KiB (init_size) from a %u KiB-aligned "
                "address at or above %#x, and the largest free range of usable RAM there is "
                "%u KiB" % (name_of(kernel_path), page_up(hdr["init_size"]) // 1024,
                            align // 1024, pref, (top - pref) // 1024))
    if want("refuse_kernel_larger_than_ram"):
        refusals.append(("refuse_kernel_larger_than_ram", kernel_path, "console=ttyS0", None,
                         "64M", larger))
    if want("refuse_initrd_above_initrd_addr_max"):
        # initrd_addr_max lowered to 32 MiB - 1 and a 16 MiB initrd: below
        # 32 MiB the kernel holds 16 MiB up (pref_address, init_size), so
        # only 1-16 MiB is left, 15 MiB.
        k = write("vmlinuz-lowinitrd", patched(kernel, "initrd_addr_max", 0x1FFFFFF))
        big = write("initrd-16m.img", bytes(16 * MIB))
        refusals.append(("refuse_initrd_above_initrd_addr_max", k, "console=ttyS0", big, "128M",
                         lambda sb: "initrd %s (16384 KiB) does not fit below initrd_addr_max "
                                    "0x1ffffff: the largest free range of usable RAM there is "
                                    "%u KiB" % (name_of(big), (hdr["pref_address"] - MIB) // 1024)))
    if want("refuse_linux_without_extension"):
        # Partition 1 at LBA 63: stage2's extension, which holds the Linux
        # protocol, does not fit the gap, so the installer leaves it out and
        # the boot must say so.  (Were it ever to fit, the boot must get as
        # far as the kernel, which 64 MiB refuses.)
        def no_ext(sb):
            if image_layout(classic_img)["ext_sectors"]:
                return larger(sb)
            return ("the Linux boot protocol needs this loader's extension (Multiboot, Linux, "
                    "video modes, gzip), which is not installed on this disk")
        classic_img = mkdisk(os.path.join(tmp, "classic.img"), kernel_path, "console=ttyS0",
                             classic=True)
        refusals.append(("refuse_linux_without_extension", classic_img, None, None, "64M",
                         no_ext))
    for name, k, cmdline, rd, mem, message in refusals:
        img = k if cmdline is None else mkdisk(os.path.join(tmp, name + ".img"), k, cmdline, rd)
        add_boot(("ours", name), 0,
                 lambda i=img, s=mem: boot_ours(i, "pc", s, deadline=REFUSE_WITHIN + 30))

        def check(n=name, msg=message):
            b = results[("ours", n)]
            table = parse_seabios_e820(b.seabios or "")
            if table is None:
                return ["no SeaBIOS e820 table in its debug log"]
            return refusal_problems(b, msg(table))
        tests.append((name, check))

    # Longest boots first, at most --jobs at once.
    jobs.sort(key=lambda j: -j[0])
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                if not jobs:
                    return
                _, key, fn = jobs.pop(0)
            r = fn()
            with lock:
                results[key] = r
    threads = [threading.Thread(target=worker) for _ in range(max(1, a.jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for name, fn in tests:
        report(name, fn())
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
