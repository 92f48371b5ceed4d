#!/usr/bin/env python3
"""Boot tests of installed disks: images partitioned by sfdisk, parted and
sgdisk, formatted by mkfs.fat and filled by mtools (no root), the loader put
on them by build/install, then booted under QEMU and Bochs.

- FAT12, FAT16 and FAT32, partition 1 at LBA 63 and at LBA 2048: after the
  install each boots to "end ok" in QEMU and Bochs, fsck.fat -n is clean,
  every file reads back (mtools) with its checksum, exactly one partition is
  active, and the uninstall gives back the original image byte for byte.
- GPT with a BIOS boot partition (sgdisk; parted's bios_grub), with and
  without the protective entry marked active.
- USB sticks: SeaBIOS booting usb-storage on EHCI and on xHCI (the only
  other disk is blank).
- `make image`'s layout (tools/mkdisk): a new kernel copied in with mcopy
  boots without rebuilding anything.
- Quirks of the "Install and USB" section of ../shared/quirks.md replayed:
  a BIOS writing a FAT BPB over the loaded boot sector (tests/shims/shim.asm
  WRITE_BPB), the same with DL=00h as a BIOS emulating a floppy or ZIP drive
  for a stick hands over, Windows' disk signature and 0x5A5A kept, byte 0
  0x33 and exactly one active partition after each install, `make image`'s
  255x63 geometry.
- /boot/loader.cfg through real boots: a bad line, an unknown key, a missing
  kernel and a missing module stop with the file, the line and the problem,
  and a UTF-16 file with what it is; timeout=0 boots the default, also from
  a file with a UTF-8 byte-order mark and CRLF line ends; with a timeout the menu appears on the serial
  line and a choice sent there boots that entry; the default boots when the
  timeout passes.

Refusals (gap too small, foreign data, GPT without a BIOS boot partition,
disks too small, mounted devices) are tests/host/test_install.c.
Prints "PASS <name>" / "FAIL <name>: why".
"""
import argparse
import hashlib
import os
import random
import shutil
import struct
import subprocess
import sys
import threading
import time

from bootlib import run_cases, BUILD, ROOT, define

INSTALL = os.path.join(BUILD, "install")
MKDISK = os.path.join(ROOT, "tools", "mkdisk")
QEMU_RUN = os.path.join(ROOT, "tools", "qemu-run")
BOCHS_RUN = os.path.join(ROOT, "tools", "bochs-run")
SHIM = os.path.join(ROOT, "tests", "shims", "shim.asm")
SECTOR = define("layout.h", "SECTOR_SIZE")
MIB = 1 << 20
TABLE = define("layout.h", "MBR_PART_TABLE_OFF")
SIG = define("layout.h", "MBR_DISK_SIG_OFF")
DEADLINE = 60
KERNEL64 = os.path.join(BUILD, "kernel64.elf")
KERNEL32 = os.path.join(BUILD, "kernel32.elf")
MTOOLS_ENV = dict(os.environ, MTOOLS_SKIP_CHECK="1")


def sh(*cmd, env=None):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       errors="replace", env=env)
    if p.returncode:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), p.returncode,
                                                   p.stdout.strip()[-500:]))
    return p.stdout


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def read(path, off, n):
    with open(path, "rb") as f:
        f.seek(off)
        return f.read(n)


def patch(path, off, data):
    with open(path, "r+b") as f:
        f.seek(off)
        f.write(data)


def mbr_entries(path):
    """(status, type, start, sectors) of the four MBR slots."""
    m = read(path, 0, SECTOR)
    return [(m[TABLE + 16 * i], m[TABLE + 16 * i + 4]) +
            struct.unpack_from("<II", m, TABLE + 16 * i + 8) for i in range(4)]


# ---- images ------------------------------------------------------------------

class Volume:
    """A FAT volume inside an image, the files put on it and their sums."""

    def __init__(self, img, lba, sectors):
        self.img, self.lba, self.sectors = img, lba, sectors
        self.tag = os.path.basename(img)  # cases run side by side in one directory
        self.files = {}

    def mt(self, tool, *args):
        return sh(tool, "-i", "%s@@%d" % (self.img, self.lba * SECTOR), *args, env=MTOOLS_ENV)

    def put(self, src, dst):
        self.mt("mcopy", "-o", src, "::" + dst)
        self.files[dst] = sha(src)

    def fill(self, tmp, kernel, cfg):
        """The kernel, /boot/loader.cfg and files of every kind: empty,
        one byte, a long name, 70 KB of random bytes in a deep path."""
        self.mt("mmd", "::/boot", "::/data", "::/data/d1", "::/data/d1/d2", "::/data/d1/d2/d3")
        self.put(kernel, "/boot/kernel.elf")
        cfg_path = os.path.join(tmp, self.tag + "-loader.cfg")
        with open(cfg_path, "wb") as f:
            f.write(cfg if isinstance(cfg, bytes) else cfg.encode())
        self.put(cfg_path, "/boot/loader.cfg")
        rng = random.Random(self.lba * 7 + self.sectors)
        for name, size in (("empty", 0), ("one.bin", 1),
                           ("A long file name with spaces.txt", 5000),
                           ("d1/d2/d3/deep random.bin", 70000)):
            src = os.path.join(tmp, "%s-src-%s" % (self.tag, os.path.basename(name)))
            with open(src, "wb") as f:
                f.write(bytes(rng.getrandbits(8) for _ in range(size)))
            self.put(src, "/data/" + name)

    def problems(self, tmp):
        """fsck.fat -n and every file's checksum through mtools."""
        bad = []
        part = os.path.join(tmp, self.tag + "-part.img")
        with open(self.img, "rb") as f, open(part, "wb") as o:
            f.seek(self.lba * SECTOR)
            o.write(f.read(self.sectors * SECTOR))
        p = subprocess.run(["fsck.fat", "-n", part], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if p.returncode:
            bad.append("fsck.fat -n: %s" % p.stdout.strip()[-300:])
        os.unlink(part)
        for path, want in self.files.items():
            out = os.path.join(tmp, self.tag + "-out.bin")
            self.mt("mcopy", "-n", "::" + path, out)
            if sha(out) != want:
                bad.append("%s changed" % path)
            os.unlink(out)
        return bad


CFG_ONE = "timeout=0\ntitle=example\nkernel=/boot/kernel.elf\n"


def fat_format(img, lba, sectors, bits):
    spc1 = bits == 32 or (bits == 16 and sectors < 65536)
    sh("mkfs.fat", "-F", str(bits), *(["-s", "1"] if spc1 else []), "-g", "255/63",
       "--offset", str(lba), "-h", str(lba), img, str(sectors // 2))


def mbr_disk(tmp, name, tool, lba, bits, mib):
    """An image partitioned by sfdisk or parted, partition 1 FAT, none active."""
    img = os.path.join(tmp, name + ".img")
    sh("truncate", "-s", "%dM" % mib, img)
    ptype = {12: "1", 16: "e", 32: "c"}[bits]
    if tool == "sfdisk":
        p = subprocess.run(["sfdisk", "-q", img], input="%d,,%s\n" % (lba, ptype), text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if p.returncode:
            raise RuntimeError("sfdisk: " + p.stdout)
    else:
        sh("parted", "-s", img, "mklabel", "msdos", "mkpart", "primary",
           "fat32" if bits == 32 else "fat16", "%ds" % lba, "100%")
    _, _, start, count = mbr_entries(img)[0]
    assert start == lba, "partition 1 at %d, not %d" % (start, lba)
    fat_format(img, lba, count, bits)
    return img, Volume(img, lba, count)


def install(img, *args):
    p = subprocess.run([INSTALL, *args, img], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, env=dict(os.environ, BUILD_DIR=BUILD))
    return p.returncode, p.stdout


class Boot:
    def __init__(self, rc, out, secs):
        self.rc, self.out, self.secs = rc, out.replace("\r", ""), secs

    def ok(self, what):
        if self.rc == 0 and "\nend ok" in self.out:
            return []
        return ["%s: exit %d, not end ok; tail: %r" % (what, self.rc, self.out[-400:])]


def qemu(img, *opts, extra=()):
    t0 = time.monotonic()
    p = subprocess.run([QEMU_RUN, "--timeout", str(DEADLINE), *opts, img, "--", *extra],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       errors="replace")
    return Boot(p.returncode, p.stdout, time.monotonic() - t0)


def bochs(img):
    t0 = time.monotonic()
    p = subprocess.run([BOCHS_RUN, img, "--timeout", str(2 * DEADLINE)], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, errors="replace")
    return Boot(p.returncode, p.stdout, time.monotonic() - t0)


def one_active(img, want_slot):
    flags = [e[0] for e in mbr_entries(img)]
    active = [i + 1 for i, f in enumerate(flags) if f == 0x80]
    if active != [want_slot] or any(f not in (0, 0x80) for f in flags):
        return ["status bytes %s: want partition %d alone active" % (flags, want_slot)]
    return []


def kernel_bits(b):
    return "64" if "kernel: 64-bit" in b.out else "32" if "kernel: 32-bit" in b.out else "?"


# ---- the cases ---------------------------------------------------------------

def layout_case(tmp, tool, lba, bits, kernel):
    """Install on a filled disk; boot it in QEMU and Bochs; check the volume
    and the table; uninstall to the original bytes."""
    name = "%s-fat%d-lba%d" % (tool, bits, lba)
    mib = 48 if bits == 32 else 16
    img, vol = mbr_disk(tmp, name, tool, lba, bits, mib)
    vol.fill(tmp, kernel, CFG_ONE)
    original = sha(img)
    bak = os.path.join(tmp, name + ".bak")
    rc, out = install(img, "--backup", bak)
    if rc:
        return ["install failed: %s" % out.strip()]
    bad = one_active(img, 1)
    if read(img, 0, 1) != b"\x33":
        bad.append("byte 0 is not 0x33")
    want = "64" if kernel == KERNEL64 else "32"
    for what, b in (("qemu", qemu(img)), ("bochs", bochs(img))):
        bad += b.ok(what)
        if kernel_bits(b) != want:
            bad.append("%s booted a %s-bit kernel, /boot/kernel.elf is %s-bit"
                       % (what, kernel_bits(b), want))
    bad += vol.problems(tmp)
    rc, out = install(img, "--uninstall", "--backup", bak)
    if rc:
        bad.append("uninstall failed: %s" % out.strip())
    elif sha(img) != original:
        bad.append("the image after uninstall differs from the original")
    os.unlink(img)
    return bad


def gpt_disk(tmp, name, tool):
    img = os.path.join(tmp, name + ".img")
    sh("truncate", "-s", "48M", img)
    if tool == "sgdisk":
        sh("sgdisk", "-a", "1", "-n", "1:34:2047", "-t", "1:EF02", "-n", "2:2048:0", "-t",
           "2:0700", img)
    else:
        sh("parted", "-s", img, "mklabel", "gpt", "mkpart", "bb", "34s", "2047s", "set", "1",
           "bios_grub", "on", "mkpart", "fat", "fat32", "2048s", "100%")
    out = sh("sgdisk", "-i", "2", img)
    first = int(out.split("First sector: ")[1].split()[0])
    last = int(out.split("Last sector: ")[1].split()[0])
    fat_format(img, first, last - first + 1, 32 if tool == "sgdisk" else 16)
    return img, Volume(img, first, last - first + 1)


def gpt_case(tmp, tool, active):
    name = "gpt-%s%s" % (tool, "-active" if active else "")
    img, vol = gpt_disk(tmp, name, tool)
    vol.fill(tmp, KERNEL64, CFG_ONE)
    original = sha(img)
    protective = read(img, 0, SECTOR)[SIG:]
    bak = os.path.join(tmp, name + ".bak")
    rc, out = install(img, "--backup", bak, *(["--gpt-active"] if active else []))
    if rc:
        return ["install failed: %s" % out.strip()]
    bad = []
    now = read(img, 0, SECTOR)[SIG:]
    want = bytearray(protective)
    if active:
        want[TABLE - SIG] = 0x80
    if now != bytes(want):
        bad.append("protective MBR bytes 0x1B8.. are %s, want %s" % (now.hex(), want.hex()))
    if "No problems found" not in sh("sgdisk", "-v", img):
        bad.append("sgdisk --verify complains")
    bad += qemu(img).ok("qemu")
    if not active:
        bad += bochs(img).ok("bochs")
    bad += vol.problems(tmp)
    rc, out = install(img, "--uninstall", "--backup", bak)
    if rc or sha(img) != original:
        bad.append("uninstall did not give back the original: %s" % out.strip())
    os.unlink(img)
    return bad


_mkdisk_lock = threading.Lock()
_mkdisk_img = {}


def mkdisk_image(tmp):
    """`make image`'s layout for the example ELF64 kernel, made once."""
    with _mkdisk_lock:
        if "img" not in _mkdisk_img:
            img = os.path.join(tmp, "mkdisk.img")
            sh(MKDISK, "--kernel", KERNEL64, img)
            _mkdisk_img["img"] = img
        return _mkdisk_img["img"]


def usb_case(tmp, controller):
    """The stick on EHCI or xHCI, the only other disk blank: SeaBIOS must
    find the stick's loader and the loader must read the stick."""
    stick = os.path.join(tmp, "stick-%s.img" % controller)
    shutil.copy(mkdisk_image(tmp), stick)
    blank = os.path.join(tmp, "blank-%s.img" % controller)
    sh("truncate", "-s", "1M", blank)
    log = os.path.join(tmp, "seabios-%s.log" % controller)
    hc = {"ehci": "usb-ehci", "xhci": "qemu-xhci"}[controller]
    b = qemu(blank, "--seabios-log", log, extra=(
        "-drive", "if=none,id=stick,format=raw,file=" + stick,
        "-device", "%s,id=hc" % hc, "-device", "usb-storage,bus=hc.0,drive=stick,bootindex=0"))
    bad = b.ok("usb " + controller)
    with open(log, errors="replace") as f:
        sb = f.read()
    want = "USB MSC blksize=512 sectors=%d" % (os.path.getsize(stick) // SECTOR)
    if want not in sb:
        bad.append("SeaBIOS's log does not show the stick (%r)" % want)
    return bad


def new_kernel_case(tmp):
    """A new kernel is one mcopy away: no rebuild, no reinstall."""
    img = os.path.join(tmp, "newkernel.img")
    shutil.copy(mkdisk_image(tmp), img)
    bad = []
    b = qemu(img)
    bad += b.ok("as made")
    if kernel_bits(b) != "64":
        bad.append("the image as made booted a %s-bit kernel" % kernel_bits(b))
    lba = mbr_entries(img)[0][2]
    sh("mcopy", "-o", "-i", "%s@@%d" % (img, lba * SECTOR), KERNEL32, "::/boot/kernel64.elf",
       env=MTOOLS_ENV)
    b = qemu(img)
    bad += b.ok("after mcopy")
    if kernel_bits(b) != "32":
        bad.append("after mcopy of the 32-bit kernel it booted a %s-bit one" % kernel_bits(b))
    return bad


def geometry_case(tmp):
    """Sticks laid out for 255 heads x 63 sectors, consistent with the size
    (a few BIOSes check): the partition entry's CHS fields and the BPB's
    geometry and hidden sectors, computed here from the LBAs."""
    img = mkdisk_image(tmp)
    m = read(img, 0, SECTOR)
    e = m[TABLE:TABLE + 16]
    start, count = struct.unpack_from("<II", e, 8)

    def chs(lba):
        c, rem = divmod(lba, 255 * 63)
        h, s_ = divmod(rem, 63)
        return (1023, 254, 63) if c > 1023 else (c, h, s_ + 1)

    def decode(b):
        return ((b[2] | (b[1] & 0xC0) << 2), b[0], b[1] & 0x3F)
    bad = []
    if decode(e[1:4]) != chs(start) or decode(e[5:8]) != chs(start + count - 1):
        bad.append("CHS %s..%s, want %s..%s for LBA %d..%d" % (
            decode(e[1:4]), decode(e[5:8]), chs(start), chs(start + count - 1), start,
            start + count - 1))
    bpb = read(img, start * SECTOR, SECTOR)
    spt, heads, hidden = struct.unpack_from("<HHI", bpb, 0x18)
    if (spt, heads, hidden) != (63, 255, start):
        bad.append("BPB geometry %d sectors x %d heads, hidden %d; want 63 x 255, %d"
                   % (spt, heads, hidden, start))
    if (os.path.getsize(img) // SECTOR) < start + count:
        bad.append("partition past the end of the image")
    return bad


# -- quirks --

def shim_image(tmp, name, *defines):
    """An installed disk behind a shim boot sector: the shim's code in LBA 0
    (the disk's table and signature kept, stage2 reads them), the real MBR
    in the last sector of the 1 MiB gap, where the shim reads it from."""
    img, vol = mbr_disk(tmp, name, "sfdisk", 2048, 16, 16)
    vol.fill(tmp, KERNEL64, CFG_ONE)
    rc, out = install(img)
    if rc:
        raise RuntimeError("install: " + out)
    real_lba = 2047
    if any(read(img, real_lba * SECTOR, SECTOR)):
        raise RuntimeError("LBA %d is not free for the real MBR" % real_lba)
    shim = os.path.join(tmp, name + ".shim")
    sh("nasm", "-f", "bin", "-DREAL_MBR_LBA=%d" % real_lba, *defines, SHIM, "-o", shim)
    with open(shim, "rb") as f:
        code = f.read()
    if any(code[SIG:TABLE + 64]):
        raise RuntimeError("the shim's code reaches the disk signature")
    patch(img, real_lba * SECTOR, read(img, 0, SECTOR))
    patch(img, 0, code[:SIG])
    return img


def bpb_case(tmp):
    img = shim_image(tmp, "bpb", "-DWRITE_BPB")
    return qemu(img).ok("qemu") + bochs(img).ok("bochs")


def usb_floppy_emulation_case(tmp):
    """DL=00h and a BPB over the sector: what a BIOS that emulates a floppy
    or ZIP drive for a stick hands the boot sector."""
    img = shim_image(tmp, "zip", "-DWRITE_BPB", "-DENTRY_DL=0")
    b = qemu(img)
    bad = b.ok("qemu")
    if "stage2: started from drive 0x80 (BIOS gave DL=0x0)" not in b.out:
        bad.append("stage2 did not report DL=0 fixed up to 0x80: %r" % b.out[:300])
    return bad


def windows_signature_case(tmp):
    img, vol = mbr_disk(tmp, "windows", "sfdisk", 2048, 16, 16)
    vol.fill(tmp, KERNEL64, CFG_ONE)
    patch(img, SIG, struct.pack("<IH", 0xDEADBEEF, 0x5A5A))
    before = read(img, SIG, SECTOR - SIG)
    rc, out = install(img)
    if rc:
        return ["install failed: %s" % out]
    after = bytearray(read(img, SIG, SECTOR - SIG))
    bad = []
    if after[TABLE - SIG] != 0x80:
        bad.append("partition 1 not marked active")
    after[TABLE - SIG] = before[TABLE - SIG]
    if bytes(after) != before:
        bad.append("0x1B8..0x1FF changed beyond partition 1's status byte")
    return bad + qemu(img).ok("qemu")


# -- /boot/loader.cfg and the menu through real boots --

def cfg_image(tmp, name, cfg):
    """A disk whose /boot holds the 64-bit kernel as kernel.elf and the
    32-bit one as k32.elf, and the given configuration."""
    img, vol = mbr_disk(tmp, name, "sfdisk", 2048, 16, 16)
    vol.fill(tmp, KERNEL64, cfg)
    vol.put(KERNEL32, "/boot/k32.elf")
    rc, out = install(img)
    if rc:
        raise RuntimeError("install: " + out)
    return img


def cfg_error_case(tmp, name, cfg, message):
    img = cfg_image(tmp, name, cfg)
    b = qemu(img)
    bad = []
    if b.rc != 2:
        bad.append("exit %d, want 2 (a loader error); tail %r" % (b.rc, b.out[-300:]))
    if "stage2: error: " + message not in b.out:
        bad.append("no %r in %r" % (message, b.out[-400:]))
    return bad


TWO = ("title=sixty-four\nkernel=/boot/kernel.elf\n"
       "title=thirty-two\nkernel=/boot/k32.elf\n")


def default_case(tmp):
    img = cfg_image(tmp, "default0", "timeout=0\ndefault=2\n" + TWO)
    b = qemu(img)
    bad = b.ok("qemu")
    if "stage2: booting 'thirty-two' from partition 1" not in b.out or kernel_bits(b) != "32":
        bad.append("timeout=0, default=2 did not boot entry 2: %r" % b.out[:400])
    if "Boot menu" in b.out:
        bad.append("timeout=0 showed the menu")
    return bad


def notepad_case(tmp):
    """loader.cfg as Windows editors save UTF-8: a byte-order mark and CRLF
    line ends; it boots entry 2 as default=2 says."""
    cfg = b"\xef\xbb\xbf" + ("timeout=0\ndefault=2\n" + TWO).replace("\n", "\r\n").encode()
    img = cfg_image(tmp, "notepad", cfg)
    b = qemu(img)
    bad = b.ok("qemu")
    if "stage2: booting 'thirty-two' from partition 1" not in b.out or kernel_bits(b) != "32":
        bad.append("default=2 after a byte-order mark did not boot entry 2: %r" % b.out[:400])
    return bad


def qemu_serial(img, send_when=None, send=b""):
    """QEMU with COM1 on a pipe: once send_when shows on the serial output,
    send is written to the guest's COM1.  (rc as tools/qemu-run, output.)"""
    ok = (define("status.h", "STATUS_KERNEL_OK") << 1) | 1
    lerr = (define("status.h", "STATUS_LOADER_ERROR") << 1) | 1
    port = define("status.h", "QEMU_EXIT_PORT")
    disk = img + ".run"
    shutil.copy(img, disk)
    t0 = time.monotonic()
    p = subprocess.Popen(
        ["timeout", "--kill-after=5", str(DEADLINE), "qemu-system-x86_64", "-display", "none",
         "-no-reboot", "-serial", "stdio", "-monitor", "none", "-machine", "pc", "-m", "256M",
         "-chardev", "file,id=e9,path=/dev/null", "-device", "isa-debugcon,iobase=0xe9,chardev=e9",
         "-device", "isa-debug-exit,iobase=%#x,iosize=0x04" % port,
         "-drive", "file=%s,format=raw" % disk],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = bytearray()
    sent_at = None
    while True:
        chunk = p.stdout.read1(4096)
        if not chunk:
            break
        out += chunk
        if send_when and sent_at is None and send_when in out:
            p.stdin.write(send)
            p.stdin.flush()
            sent_at = time.monotonic() - t0
    rc = p.wait()
    os.unlink(disk)
    rc = 0 if rc == ok else 2 if rc == lerr else 3 if rc == 124 else 5
    return Boot(rc, out.decode(errors="replace"), time.monotonic() - t0), sent_at


def menu_choice_case(tmp):
    """timeout=30, default 1: the menu on COM1, "2" and Enter sent there
    boot entry 2 long before the timeout could."""
    img = cfg_image(tmp, "menu", "timeout=30\n" + TWO)
    b, sent_at = qemu_serial(img, b"Boot menu", b"2\r")
    bad = b.ok("qemu")
    if sent_at is None:
        bad.append("no menu on the serial line: %r" % b.out[:400])
    if "stage2: booting 'thirty-two' from partition 1" not in b.out or kernel_bits(b) != "32":
        bad.append("the choice of entry 2 did not boot it: %r" % b.out[:600])
    if b.secs > 25:
        bad.append("took %.0f s: the timeout, not the choice, ended the menu" % b.secs)
    return bad


def menu_timeout_case(tmp):
    """timeout=2, default=2, nothing sent: the menu shows, counts down and
    boots entry 2."""
    img = cfg_image(tmp, "menutimeout", "timeout=2\ndefault=2\n" + TWO)
    b, _ = qemu_serial(img)
    bad = b.ok("qemu")
    if "Boot menu" not in b.out or "Booting 'thirty-two' in" not in b.out:
        bad.append("no menu or countdown on the serial line: %r" % b.out[:400])
    if "stage2: booting 'thirty-two' from partition 1" not in b.out or kernel_bits(b) != "32":
        bad.append("the default entry 2 did not boot: %r" % b.out[:600])
    return bad


def tests(tmp):
    t = {}
    for tool, lba, bits, kernel in (("sfdisk", 63, 12, KERNEL32), ("parted", 63, 16, KERNEL64),
                                    ("sfdisk", 63, 32, KERNEL64), ("parted", 2048, 12, KERNEL64),
                                    ("sfdisk", 2048, 16, KERNEL32),
                                    ("sfdisk", 2048, 32, KERNEL64)):
        t["install-%s-fat%d-lba%d" % (tool, bits, lba)] = (
            lambda tool=tool, lba=lba, bits=bits, kernel=kernel:
            layout_case(tmp, tool, lba, bits, kernel))
    t["install-gpt-sgdisk-bios-boot"] = lambda: gpt_case(tmp, "sgdisk", False)
    t["install-gpt-parted-bios-grub-protective-active"] = lambda: gpt_case(tmp, "parted", True)
    t["usb-stick-ehci"] = lambda: usb_case(tmp, "ehci")
    t["usb-stick-xhci"] = lambda: usb_case(tmp, "xhci")
    t["make-image-new-kernel-by-mcopy"] = lambda: new_kernel_case(tmp)
    t["quirk-stick-geometry-255x63"] = lambda: geometry_case(tmp)
    t["quirk-bpb-written-over-boot-sector"] = lambda: bpb_case(tmp)
    t["quirk-usb-floppy-emulation-dl0-and-bpb"] = lambda: usb_floppy_emulation_case(tmp)
    t["quirk-windows-disk-signature-kept"] = lambda: windows_signature_case(tmp)
    t["cfg-bad-line"] = lambda: cfg_error_case(
        tmp, "badline", "timeout=0\ntitle=A\nkernel=/boot/kernel.elf\nthis line has no equals\n",
        "/boot/loader.cfg line 4: expected key=value, got 'this line has no equals'")
    t["cfg-unknown-key"] = lambda: cfg_error_case(
        tmp, "unknownkey", "title=A\nkernel=/boot/kernel.elf\nkernal=/boot/kernel.elf\n",
        "/boot/loader.cfg line 3: unknown key 'kernal'")
    t["cfg-missing-kernel"] = lambda: cfg_error_case(
        tmp, "nokernel", "timeout=0\ntitle=A\nkernel=/boot/nothere.elf\n",
        "/boot/loader.cfg line 3: kernel /boot/nothere.elf: no such file or directory")
    t["cfg-missing-module"] = lambda: cfg_error_case(
        tmp, "nomodule", "title=A\nkernel=/boot/kernel.elf\n\nmodule=/boot/data/x.bin arg\n",
        "/boot/loader.cfg line 4: module /boot/data/x.bin: no such file or directory")
    t["cfg-timeout0-boots-default"] = lambda: default_case(tmp)
    t["cfg-utf8-byte-order-mark-and-crlf"] = lambda: notepad_case(tmp)
    t["cfg-utf16-refused"] = lambda: cfg_error_case(
        tmp, "utf16", "title=A\nkernel=/boot/kernel.elf\n".encode("utf-16"),
        "/boot/loader.cfg: the file is UTF-16: save it as UTF-8 or ASCII")
    t["menu-serial-choice"] = lambda: menu_choice_case(tmp)
    t["menu-timeout-boots-default"] = lambda: menu_timeout_case(tmp)
    return t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    for tool in ("sfdisk", "parted", "sgdisk", "mkfs.fat", "fsck.fat", "mcopy", "nasm", "bochs",
                 "qemu-system-x86_64"):
        if not shutil.which(tool):
            print("FAIL install-setup: %s not installed (tools/packages.txt)" % tool)
            return 1
    if not os.access(INSTALL, os.X_OK):
        print("FAIL install-setup: %s missing (make build/install)" % INSTALL)
        return 1
    return run_cases(tests, args.only, args.jobs)


if __name__ == "__main__":
    sys.exit(main())
