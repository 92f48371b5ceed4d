#!/usr/bin/env python3
"""Hostile-hardware boot tests: CHS on a floppy, injected read errors
(QEMU blkdebug), corrupt and wrong images, odd entry conditions (a shim boot
sector), A20 methods, CPUs without long mode or 1 GiB pages, tiny memory.

Each test boots a real image and asserts the outcome: "end ok", or the
loader's own message and exit status 2 well before the deadline (never a
hang, reset or triple fault).  Prints "PASS <name>" / "FAIL <name>: why";
the slowest failure path's time goes on a "# slowest failure" line.
"""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time

from bootlib import BUILD, ROOT, build_symbol, define, image_layout, mbr_sum

QEMU_RUN = os.path.join(ROOT, "tools", "qemu-run")
SECTOR = 512
DEADLINE = 60   # per boot; a failure must report long before this
FAIL_WITHIN = 20  # seconds a failure path may take to print its message


LAYOUT = image_layout(os.path.join(BUILD, "disk.img"))
KERNEL_LBA = LAYOUT["kernel_lba"]
STAGE2_LBA = LAYOUT["stage2_lba"]
CORE_SECTORS = LAYOUT["core_sectors"]
HEAD_SECTORS = LAYOUT["head_bytes"] // 512
QUIRK_DISK_CHS = define("bootinfo.h", "QUIRK_DISK_CHS")
QUIRK_DL_FIXED = define("bootinfo.h", "QUIRK_DL_FIXED")
QUIRK_DISK_RETRY = define("bootinfo.h", "QUIRK_DISK_RETRY")


class Boot:
    def __init__(self, rc, out, e9, secs):
        self.rc, self.out, self.e9, self.secs = rc, out.replace("\r", ""), e9, secs

    def quirk_flags(self):
        m = re.search(r"quirks flags=0x([0-9a-f]+)", self.out)
        return int(m.group(1), 16) if m else None

    def field(self, name):
        m = re.search(r"\b%s=(\S+)" % name, self.out)
        return m.group(1) if m else None


def boot(image, *opts, extra=()):
    with tempfile.TemporaryDirectory() as tmp:
        e9 = os.path.join(tmp, "e9.txt")
        start = time.monotonic()
        p = subprocess.run([QEMU_RUN, "--timeout", str(DEADLINE), "--e9", e9, *opts, image,
                            "--", *extra],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           errors="replace")
        secs = time.monotonic() - start
        with open(e9, errors="replace") as f:
            return Boot(p.returncode, p.stdout, f.read().replace("\r", ""), secs)


# ---- image surgery -------------------------------------------------------

def copy_image(tmp, name="disk.img", src="disk.img"):
    dst = os.path.join(tmp, name)
    shutil.copy(os.path.join(BUILD, src), dst)
    return dst


def patch(path, offset, data):
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(data)


def read(path, offset, n):
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read(n)


def elf64_phdr_offset(image, index):
    """Offset in the image of program header `index` of the ELF64 kernel."""
    base = KERNEL_LBA * SECTOR
    ehdr = read(image, base, 64)
    assert ehdr[:4] == b"\x7fELF" and ehdr[4] == 2
    phoff, = struct.unpack_from("<Q", ehdr, 0x20)
    phentsize, = struct.unpack_from("<H", ehdr, 0x36)
    return base + phoff + index * phentsize


def set_phdr(image, index, **fields):
    """p_offset, p_vaddr, p_paddr, p_filesz, p_memsz of an ELF64 phdr."""
    names = ["p_offset", "p_vaddr", "p_paddr", "p_filesz", "p_memsz"]
    off = elf64_phdr_offset(image, index)
    for k, v in fields.items():
        patch(image, off + 8 + 8 * names.index(k), struct.pack("<Q", v))


def blkdebug(tmp, sector, once):
    conf = os.path.join(tmp, "bd-%d-%d.conf" % (sector, once))
    with open(conf, "w") as f:
        f.write('[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "%d"\n' % sector)
        if once:
            f.write('once = "on"\n')
    return conf


def shim_image(tmp, name, *defines, src="disk.img"):
    """The normal image behind a shim boot sector; the real MBR moves to the
    last sector, where the shim reads it from."""
    img = copy_image(tmp, name, src)
    last = os.path.getsize(img) // SECTOR - 1
    shim = os.path.join(tmp, name + ".shim")
    subprocess.run(["nasm", "-f", "bin", "-DREAL_MBR_LBA=%d" % last, *defines,
                    os.path.join(ROOT, "tests", "shims", "shim.asm"), "-o", shim], check=True)
    patch(img, last * SECTOR, read(img, 0, SECTOR))
    with open(shim, "rb") as f:
        patch(img, 0, f.read())
    return img


# ---- checks --------------------------------------------------------------

def expect_ok(b, **checks):
    problems = []
    if b.rc != 0 or "\nend ok" not in b.out:
        problems.append("exit %d, expected end ok; tail: %r" % (b.rc, b.out[-300:]))
    for what, ok in checks.items():
        if not ok(b):
            problems.append("check %s failed" % what)
    return problems


failure_times = []


def post_codes(tmp, name, image, opts, expected, message):
    """Boots with QEMU tracing port writes; the distinct POST codes, in
    order, must be `expected` (ints, or one-character strings), and the
    port 0xE9 log must hold `message`."""
    trace = os.path.join(tmp, name + ".trace")
    b = boot(image, *opts, extra=("-trace", "memory_region_ops_write", "-D", trace))
    codes = []
    with open(trace, errors="replace") as f:
        for line in f:
            m = re.search(r"addr 0x80 value (0x[0-9a-f]+) size 1", line)
            if m and (not codes or codes[-1] != int(m.group(1), 16)):
                codes.append(int(m.group(1), 16))
    want = [ord(c) if isinstance(c, str) else c for c in expected]
    problems = []
    if codes != want:
        problems.append("POST codes %s, expected %s" % ([hex(c) for c in codes],
                                                        [hex(c) for c in want]))
    if message not in b.e9 and message not in b.out:
        problems.append("%r not printed" % message)
    return problems


def expect_loader_error(b, message):
    """Exit status 2 (loader error via isa-debug-exit), the message on the
    debug port, and quickly."""
    problems = []
    if b.rc != 2:
        problems.append("exit %d, expected 2 (loader error)" % b.rc)
    if message not in b.e9:
        problems.append("message %r not on port 0xE9 (got %r)" % (message, b.e9[-300:]))
    if b.secs > FAIL_WITHIN:
        problems.append("took %.1f s to fail" % b.secs)
    failure_times.append((b.secs, message))
    return problems


def tests(tmp):
    t = {}
    disk, disk32 = os.path.join(BUILD, "disk.img"), os.path.join(BUILD, "disk32.img")

    # 1. CHS: a 1.44 MB diskette (SeaBIOS offers no INT 13h extensions there).
    floppy = os.path.join(tmp, "floppy.img")
    subprocess.run([os.path.join(BUILD, "mkimage"), "--floppy", os.path.join(BUILD, "mbr.bin"),
                    os.path.join(BUILD, "stage2.bin"), os.path.join(BUILD, "kernel64.elf"),
                    floppy], check=True, stdout=subprocess.DEVNULL)
    t["floppy-chs"] = lambda: expect_ok(
        boot(floppy, "--floppy"),
        chs_flag=lambda b: (b.quirk_flags() or 0) & QUIRK_DISK_CHS,
        drive0=lambda b: "started from drive 0x0 " in b.out)

    # ...and a hard disk whose BIOS has no extensions (AH=41h fails): CHS with
    # hard-disk geometry, the 9 MiB kernel reaching past the first cylinder.
    t["harddisk-chs-no-extensions"] = lambda: expect_ok(
        boot(shim_image(tmp, "chs.img", "-DXFER_MAX=127", "-DNO_EDD", src="disk-big.img"),
             "-m", "128M"),
        chs_flag=lambda b: (b.quirk_flags() or 0) & QUIRK_DISK_CHS,
        payload=lambda b: "payload ok" in b.out)

    # The classic layout: partition 1 at LBA 63, stage2 in the 62-sector gap.
    classic = os.path.join(tmp, "classic.img")
    subprocess.run([os.path.join(BUILD, "mkimage"), "--classic", os.path.join(BUILD, "mbr.bin"),
                    os.path.join(BUILD, "stage2.bin"), os.path.join(BUILD, "kernel64.elf"),
                    classic], check=True, stdout=subprocess.DEVNULL)
    t["classic-layout-partition-at-lba63"] = lambda: expect_ok(
        boot(classic), at63=lambda b: image_layout(classic)["part_lba"] == 63)

    # 2. Read errors (blkdebug on the IDE disk): in stage2's head and in its
    #    compressed body (the MBR reads both) and in the kernel.
    s2_sector = STAGE2_LBA + 4
    body_sector = STAGE2_LBA + HEAD_SECTORS + 2
    k_sector = KERNEL_LBA + 3
    assert s2_sector < STAGE2_LBA + HEAD_SECTORS < body_sector < STAGE2_LBA + CORE_SECTORS
    t["read-error-once-stage2"] = lambda: expect_ok(
        boot(disk, "--blkdebug", blkdebug(tmp, s2_sector, True)),
        retried=lambda b: int(b.field("disk_retries") or 0) >= 1)
    t["read-error-once-stage2-body"] = lambda: expect_ok(
        boot(disk, "--blkdebug", blkdebug(tmp, body_sector, True)),
        retried=lambda b: int(b.field("disk_retries") or 0) >= 1)
    t["read-error-once-kernel"] = lambda: expect_ok(
        boot(disk, "--blkdebug", blkdebug(tmp, k_sector, True)),
        retried=lambda b: int(b.field("disk_retries") or 0) >= 1,
        flagged=lambda b: (b.quirk_flags() or 0) & QUIRK_DISK_RETRY)
    t["read-error-persistent-stage2"] = lambda: expect_loader_error(
        boot(disk, "--blkdebug", blkdebug(tmp, s2_sector, False)), "disk read error")
    t["read-error-persistent-stage2-body"] = lambda: expect_loader_error(
        boot(disk, "--blkdebug", blkdebug(tmp, body_sector, False)), "disk read error")
    t["read-error-persistent-kernel"] = lambda: expect_loader_error(
        boot(disk, "--blkdebug", blkdebug(tmp, k_sector, False)),
        "disk read error at LBA %d" % k_sector)

    # 5. Corrupt and wrong images: a flipped bit in stage2's core (the MBR's
    #    sum catches it), and in its compressed body with the MBR's sum made
    #    to agree (the head's inflate and CRC-32 checks catch that).
    def flip(name, offset):
        img = copy_image(tmp, name)
        patch(img, offset, bytes([read(img, offset, 1)[0] ^ 0x04]))
        return img
    img = flip("corrupt.img", (STAGE2_LBA + 2) * SECTOR + 7)
    t["stage2-head-corrupt"] = lambda: expect_loader_error(boot(img), "stage2 corrupt")
    body_img = flip("corrupt-body.img", (STAGE2_LBA + HEAD_SECTORS + 1) * SECTOR + 100)
    mbr_sum(body_img)
    t["stage2-body-corrupt"] = lambda: expect_loader_error(boot(body_img), "stage2 corrupt: ") + (
        [] if re.search(r"stage2 corrupt: (deflate: |the body's CRC-32 is not)",
                        boot(body_img).e9) else ["no reason after 'stage2 corrupt: '"])
    crc_img = copy_image(tmp, "corrupt-crc.img")
    crc_off = STAGE2_LBA * SECTOR + build_symbol("stage2_syms.h", "STAGE2_SYM_hdr_body_crc32")
    patch(crc_img, crc_off, bytes([read(crc_img, crc_off, 1)[0] ^ 0x01]))
    mbr_sum(crc_img)
    t["stage2-body-crc-mismatch"] = lambda: expect_loader_error(
        boot(crc_img), "stage2 corrupt: the body's CRC-32 is not the header's 0x")

    trunc = copy_image(tmp, "trunc.img")
    with open(trunc, "r+b") as f:
        f.truncate((KERNEL_LBA + 8) * SECTOR)
    t["truncated-image"] = lambda: expect_loader_error(boot(trunc), "the image is truncated")

    notelf = copy_image(tmp, "notelf.img")
    patch(notelf, KERNEL_LBA * SECTOR, b"MZ\x90\x00")
    t["kernel-not-elf"] = lambda: expect_loader_error(
        boot(notelf), "cannot tell how to boot it: no Multiboot2 or Multiboot1 header, no "
        "Linux setup header and no ELF magic")

    arm = copy_image(tmp, "arm.img")
    patch(arm, KERNEL_LBA * SECTOR + 18, struct.pack("<H", 183))  # EM_AARCH64
    t["kernel-wrong-machine"] = lambda: expect_loader_error(boot(arm), "not for x86-64")

    def bad_segment(name, message, mem="256M", **fields):
        img = copy_image(tmp, name + ".img")
        set_phdr(img, 0, **fields)
        t[name] = lambda: expect_loader_error(boot(img, "-m", mem), message)

    bad_segment("segment-over-ivt", "overlaps the IVT", p_paddr=0x0)
    bad_segment("segment-over-loader", "overlaps the loader", p_paddr=0x10000)
    bad_segment("segment-over-ebda", "overlaps the EBDA", p_paddr=0x9f000)
    bad_segment("segment-beyond-ram", "is not in usable RAM", p_paddr=0x40000000)
    bad_segment("kernel-larger-than-memory", "is not in usable RAM", mem="64M", p_memsz=0x8000000)
    bad_segment("filesz-over-memsz", "p_filesz > p_memsz", p_filesz=0x100000, p_memsz=0x1000)
    bad_segment("offset-past-eof", "past the end of the file", p_offset=0x7fff0000)

    # 4. Entry quirks through a shim boot sector.
    t["entry-07c0"] = lambda: expect_ok(boot(shim_image(tmp, "e07c0.img", "-DENTRY_07C0")))
    t["entry-dl0-harddisk"] = lambda: expect_ok(
        boot(shim_image(tmp, "edl0.img", "-DENTRY_DL=0", "-DENTRY_07C0")),
        drive_fixed=lambda b: "started from drive 0x80 (BIOS gave DL=0x0)" in b.out,
        flagged=lambda b: (b.quirk_flags() or 0) & QUIRK_DL_FIXED)

    # 7. A20, one test per method QEMU can force (port 0x92 alone cannot be
    #    isolated there: with i8042=off nothing can close the gate; the host
    #    tests cover it).
    t["a20-already-on"] = lambda: expect_ok(boot(disk), method=lambda b: "A20: already-on" in b.out)
    t["a20-int15"] = lambda: expect_ok(boot(shim_image(tmp, "a20b.img", "-DA20_OFF")),
                                       method=lambda b: "A20: int15-2401" in b.out)
    t["a20-8042"] = lambda: expect_ok(
        boot(shim_image(tmp, "a20k.img", "-DA20_OFF", "-DHOOK_2401")),
        method=lambda b: "A20: 8042" in b.out)

    # 6. CPUs and memory.
    t["elf64-without-long-mode"] = lambda: expect_loader_error(
        boot(disk, "--cpu", "qemu32"), "this CPU has no long mode")
    t["elf32-without-long-mode"] = lambda: expect_ok(boot(disk32, "--cpu", "qemu32"))
    t["elf64-2mib-pages"] = lambda: expect_ok(
        boot(disk, "--cpu", "qemu64,-pdpe1gb"), pages=lambda b: "with 2 MiB pages" in b.out)
    t["elf64-1gib-pages"] = lambda: expect_ok(
        boot(disk, "--cpu", "qemu64,+pdpe1gb", "-m", "6G"),
        pages=lambda b: "with 1 GiB pages" in b.out)
    t["smallest-memory-boots"] = lambda: expect_ok(boot(disk32, "-m", "2M"))
    t["smallest-memory-kernel-too-big"] = lambda: expect_loader_error(
        boot(disk32, "-m", "1M"), "is not in usable RAM")

    # 8. Breadcrumbs: POST port 0x80 as QEMU's trace of port writes shows it.
    normal = ["M", 0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6]
    t["post-codes-boot"] = lambda: post_codes(tmp, "pc-ok", disk, (), normal, "end ok")
    t["post-codes-kernel-read-error"] = lambda: post_codes(
        tmp, "pc-kerr", disk, ("--blkdebug", blkdebug(tmp, k_sector, False)),
        ["M", 0xb0, 0xb1, 0xb2, 0xb3, 0xbf], "disk read error at LBA")
    t["post-codes-stage2-corrupt"] = lambda: post_codes(tmp, "pc-crc", img, (), ["M", "!"],
                                                       "stage2 corrupt")

    # 3. Transfer limits, with the >8 MiB kernel (make test builds it).
    big = os.path.join(BUILD, "disk-big.img")
    t["kernel-over-8mib"] = lambda: expect_ok(
        boot(big, "-m", "128M"),
        payload=lambda b: "payload ok" in b.out,
        xfer=lambda b: int(b.field("xfer") or 0) == 127)
    # A BIOS that refuses more than 64 sectors a call: the loader halves 127
    # to 63, keeps that size, and still loads every byte.
    t["xfer-limit-64-sectors"] = lambda: expect_ok(
        boot(shim_image(tmp, "x64.img", "-DXFER_MAX=64", src="disk-big.img"), "-m", "128M"),
        payload=lambda b: "payload ok" in b.out,
        xfer=lambda b: int(b.field("xfer") or 0) == 63,
        retried=lambda b: int(b.field("disk_retries") or 0) >= 1)
    # A BIOS that fails (for good) on any buffer across a 64 KiB boundary.
    t["no-64k-boundary-crossing"] = lambda: expect_ok(
        boot(shim_image(tmp, "xnc.img", "-DXFER_MAX=127", "-DNO_CROSS", src="disk-big.img"),
             "-m", "128M"),
        payload=lambda b: "payload ok" in b.out,
        no_crossing=lambda b: "##64K##" not in b.e9,
        xfer=lambda b: int(b.field("xfer") or 0) == 127)
    return t


def main():
    only = sys.argv[1] if len(sys.argv) > 1 else ""
    with tempfile.TemporaryDirectory() as tmp:
        cases = {k: v for k, v in tests(tmp).items() if only in k}
        lock = threading.Lock()
        failed = []
        names = list(cases)

        def worker():
            while True:
                with lock:
                    if not names:
                        return
                    name = names.pop(0)
                try:
                    problems = cases[name]()
                except Exception as e:  # a broken test is a failed test
                    problems = ["exception: %r" % e]
                with lock:
                    if problems:
                        failed.append(name)
                        print("FAIL %s: %s" % (name, "; ".join(problems)), flush=True)
                    else:
                        print("PASS %s" % name, flush=True)

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    if failure_times:
        secs, msg = max(failure_times)
        print("# slowest failure path: %.2f s (%s)" % (secs, msg))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
