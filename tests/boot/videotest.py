#!/usr/bin/env python3
"""Video mode boot tests (issue 11): real boots under QEMU (-vga std, cirrus,
virtio, none) and Bochs (its VBE VGA), each checked against what the
emulator shows, not against what the loader says.

- The pattern kernel (tests/kernels/fbkernel.c) asks for 1024x768x32 and
  fills the framebuffer it is given; the test recomputes every pixel of the
  pattern from the fields and compares it with QEMU's screendump (a PPM),
  whose size is the mode the display really shows; the address must be the
  VGA device's BAR 0 as QEMU's monitor lists it ("info pci").  Under Bochs
  the rows come from its memory (tools/bochs-run --dump).
- The example kernel's picture: every segment of the band has its type's
  colour (include/mappicture.h) where the map lines and the scale rule put
  it, in a framebuffer mode and in VGA text.
- No VGA BIOS, no mode that fits: the boot goes on in text mode, or stops
  with the message when the request is required.

Usage: videotest.py [--only SUBSTRING].  Prints "PASS <name>" / "FAIL <name>:
why" lines and a "# mode" line per boot that set a mode; exits 1 on a failure.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

from bootlib import BUILD, ROOT, Monitor, define, parse_report, read_ppm

MKDISK = os.path.join(ROOT, "tools", "mkdisk")
BOCHS_RUN = os.path.join(ROOT, "tools", "bochs-run")
DEADLINE = 90
ASK = "1024x768x32"
SMALL = "160x100x32"  # below every mode of QEMU's VGAs (the smallest: 320x200)

# Bochs' VBE (VBE_DISPI_LFB_PHYSICAL_ADDRESS in Bochs' iodev/vga.h): where
# its linear framebuffer sits without a PCI BAR to move it.
BOCHS_LFB = 0xE0000000

TYPES = ["usable", "reserved", "acpi-reclaimable", "acpi-nvs", "bad", "persistent", "loader",
         "kernel", "module", "hole"]


def colour(name, kind="RGB"):
    return define("mappicture.h", "MAP_%s_%s" % (kind, name.upper().replace("-", "_")))


# The VGA's default 16-colour palette (IBM VGA Technical Reference, the DAC
# as the BIOS sets it up for mode 3): 6-bit levels, 42 for a colour bit,
# 21 added to every channel for the bright half, brown's green halved.
def vga_palette(i):
    lvl = [(42 if i & bit else 0) + (21 if i & 8 else 0) for bit in (4, 2, 1)]
    if i == 6:
        lvl[1] = 21
    return tuple(v * 255 // 63 for v in lvl)


def mkdisk(tmp, kernel, video=None, protocol="auto", name="disk.img"):
    out = os.path.join(tmp, name)
    args = [MKDISK, "--kernel", kernel, "--protocol", protocol]
    if video:
        args += ["--video", video]
    p = subprocess.run(args + [out], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if p.returncode:
        raise RuntimeError("mkdisk: " + p.stdout)
    return out


def qemu(image, vga, extra=(), shot=True):
    """Boots image until the kernel's last line (no exit device: the kernel
    halts) or the loader's error, then takes a screendump.  Returns the
    serial text, the screendump (width, height, bytes) or None and the
    monitor's "info pci"."""
    with tempfile.TemporaryDirectory() as tmp:
        mon, ser, ppm = (os.path.join(tmp, n) for n in ("mon", "ser.txt", "shot.ppm"))
        disk = os.path.join(tmp, "disk.img")
        subprocess.run(["cp", image, disk], check=True)
        args = ["timeout", "--kill-after=5", str(DEADLINE), "qemu-system-x86_64",
                "-display", "none", "-no-reboot", "-m", "256M", "-serial", "file:" + ser,
                "-monitor", "unix:%s,server,nowait" % mon,
                "-drive", "file=%s,format=raw" % disk]
        args += ["-vga", vga] if vga else []
        p = subprocess.Popen(args + list(extra), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        try:
            m = Monitor(mon)
            text, start = "", time.monotonic()
            while time.monotonic() - start < DEADLINE - 10 and p.poll() is None:
                time.sleep(0.2)
                text = open(ser, errors="replace").read().replace("\r", "")
                if re.search(r"^end |boot stopped", text, re.M):
                    break
            time.sleep(0.3)   # the last pixels after the last line
            pci = m.cmd("info pci")
            picture = None
            if shot:
                m.cmd("screendump " + ppm)
                picture = read_ppm(ppm)
            m.quit()
        finally:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        text = open(ser, errors="replace").read().replace("\r", "")
    return text, picture, pci


def pixel(picture, x, y):
    w, _, data = picture
    i = 3 * (y * w + x)
    return tuple(data[i:i + 3])


def vga_bar0(pci):
    """The memory address of BAR 0 of the display controller in "info pci"."""
    for dev in pci.split("  Bus ")[1:]:
        if "VGA controller" in dev or "Display controller" in dev:
            m = re.search(r"BAR0: (?:32|64) bit (?:prefetchable )?memory at (0x[0-9a-f]+)", dev)
            if m:
                return int(m.group(1), 16)
    return None


def fields(text, tag):
    """key=value pairs of the first line starting with tag."""
    m = re.search(r"^%s (.*)$" % tag, text, re.M)
    return dict(w.split("=", 1) for w in m.group(1).split() if "=" in w) if m else None


def mode_line(text):
    m = re.search(r"stage2: video: (\d+x\d+x\d+), VBE mode (0x[0-9a-f]+)", text)
    return (m.group(1), m.group(2)) if m else (None, None)


def pattern(x, y, w, h):
    """fbkernel.c's pattern as full/zero channels."""
    i = 7 if x in (0, w - 1) or y in (0, h - 1) else ((x >> 3) + 3 * (y >> 3)) & 7
    return (255 if i & 4 else 0, 255 if i & 2 else 0, 255 if i & 1 else 0)


def check_pattern(picture, w, h):
    pw, ph, data = picture
    if (pw, ph) != (w, h):
        return ["the screendump is %dx%d, the kernel was told %dx%d" % (pw, ph, w, h)]
    bad = []
    for y in range(h):
        row = data[3 * w * y:3 * w * (y + 1)]
        for x in range(w):
            if tuple(row[3 * x:3 * x + 3]) != pattern(x, y, w, h):
                bad.append("pixel (%d,%d) is %s, the pattern says %s"
                           % (x, y, tuple(row[3 * x:3 * x + 3]), pattern(x, y, w, h)))
                break
        if len(bad) > 3:
            break
    return bad


def check_fb_fields(f, want_w, want_h, want_bpp, want_addr):
    bad = []
    if not f:
        return ["no fb line"]
    if f["type"] != "rgb":
        return ["framebuffer type %s, want rgb" % f["type"]]
    w, h, bpp, pitch = int(f["width"]), int(f["height"]), int(f["bpp"]), int(f["pitch"])
    if (w, h, bpp) != (want_w, want_h, want_bpp):
        bad.append("mode %dx%dx%d, want %dx%dx%d" % (w, h, bpp, want_w, want_h, want_bpp))
    if int(f["address"], 16) != want_addr:
        bad.append("address %s, the display's BAR 0 is %s" % (f["address"], hex(want_addr or 0)))
    if pitch < w * bpp // 8:
        bad.append("pitch %d below %d pixels of %d bits" % (pitch, w, bpp))
    # Every x86 VBE direct-colour mode of 24 or 32 bits: 8:8:8, blue lowest.
    if bpp in (24, 32) and (f["red"], f["green"], f["blue"]) != ("16:8", "8:8", "0:8"):
        bad.append("masks red=%s green=%s blue=%s" % (f["red"], f["green"], f["blue"]))
    return bad


# What each display must give a request for 1024x768x32 (video.h's rule):
# QEMU's std VGA and virtio-vga offer the mode itself (GRUB's notes: it sets
# it on both); cirrus has no 32-bit mode at that size (GRUB's notes), and
# its nearest depth below is 24.
EXPECT = {"std": (1024, 768, 32), "virtio": (1024, 768, 32), "cirrus": (1024, 768, 24)}


def test_pattern_qemu(report, kernel, vga, tmp, video=ASK, protocol="auto", name=None):
    name = name or "pattern-%s-%s" % (os.path.basename(kernel)[:-4], vga)
    image = mkdisk(tmp, kernel, video, protocol, name + ".img")
    text, picture, pci = qemu(image, vga)
    f = fields(text, "fb")
    bad = check_fb_fields(f, *EXPECT[vga], vga_bar0(pci))
    if not re.search(r"^end ok", text, re.M):
        bad.append("no 'end ok': %s" % text.strip().split("\n")[-1:])
    if not bad:
        bad += check_pattern(picture, int(f["width"]), int(f["height"]))
    mode, number = mode_line(text)
    print("# mode %s %s: %s (VBE mode %s)" % (name, video or "from the kernel's header", mode,
                                             number))
    report(name, bad)
    return text


def segments(m):
    """The band's segments from the map lines (include/mappicture.h)."""
    segs, end = [], None
    for base, length, t in m:
        if end is not None and base > end:
            segs.append(("hole", base - end))
        segs.append((t, length))
        end = base + length
    return [(t, define("mappicture.h", "MAP_WEIGHT_BASE") + max(l >> 10, 1).bit_length() - 1)
            for t, l in segs]


def band_columns(segs, x, width):
    total = sum(w for _, w in segs)
    cols, c = [], 0
    for t, w in segs:
        cols.append((t, x + width * c // total, x + width * (c + w) // total))
        c += w
    return cols


def check_band(picture, cols, y0, height, colour_of):
    bad = []
    ymid = y0 + height // 2
    for t, a, b in cols:
        if b <= a:
            continue
        want = colour_of(t)
        for x in sorted({a, (a + b - 1) // 2, b - 1}):
            for y in (y0, ymid, y0 + height - 1):
                got = pixel(picture, x, y)
                if any(abs(g - w) > 4 for g, w in zip(got, want)):
                    bad.append("%s at (%d,%d) is %s, want %s" % (t, x, y, got, want))
                    break
            if bad:
                break
        if len(bad) > 3:
            break
    return bad


def rgb(t):
    v = colour(t)
    return (v >> 16, (v >> 8) & 0xff, v & 0xff)


def test_picture_framebuffer(report, tmp, vga="std"):
    name = "picture-framebuffer-" + vga
    image = mkdisk(tmp, os.path.join(BUILD, "kernel64.elf"), ASK, name=name + ".img")
    text, picture, pci = qemu(image, vga)
    rep = parse_report(text)
    bad = [] if rep["end"] == "end ok" else ["kernel ended with %r" % rep["end"]]
    pic, video = fields(text, "picture framebuffer band"), fields(text, "video")
    if not pic or not video:
        report(name, bad + ["no picture or video line"])
        return
    x, y, width, height = (int(pic[k]) for k in ("x", "y", "width", "height"))
    segs = segments(rep["map"])
    if int(pic["segments"]) != len(segs):
        bad.append("the kernel drew %s segments, the map has %d" % (pic["segments"], len(segs)))
    bad += check_band(picture, band_columns(segs, x, width), y, height, rgb)
    # Each type's colour is in the legend under the band.
    w, h, data = picture
    below = data[3 * w * (y + height):]
    for t in {t for t, _ in segs}:
        if bytes(rgb(t)) not in {below[i:i + 3] for i in range(0, len(below), 3)}:
            bad.append("no legend swatch for %s" % t)
    # The framebuffer is in the map, reserved.
    fb = int(video["address"], 16)
    fb_end = fb + int(video["pitch"]) * int(video["height"])
    if not any(t == "reserved" and b <= fb and fb_end <= b + l for b, l, t in rep["map"]):
        bad.append("the framebuffer 0x%x-0x%x is not a reserved range of the map" % (fb, fb_end))
    if fb != vga_bar0(pci):
        bad.append("framebuffer at 0x%x, BAR 0 at %s" % (fb, vga_bar0(pci)))
    report(name, bad)


def test_picture_text(report, tmp):
    name = "picture-text"
    image = mkdisk(tmp, os.path.join(BUILD, "kernel64.elf"), name=name + ".img")
    text, picture, _ = qemu(image, "std")
    rep = parse_report(text)
    bad = [] if rep["end"] == "end ok" else ["kernel ended with %r" % rep["end"]]
    pic, video = fields(text, "picture text band"), fields(text, "video")
    if not pic or not video:
        report(name, bad + ["no picture or video line"])
        return
    if (video["type"], video["fallback"]) != ("text", "not-asked"):
        bad.append("video line %s" % video)
    w, h, _ = picture
    cw, ch = w // 80, h // 25   # QEMU draws mode 3 as 720x400: 9x16 cells
    segs = segments(rep["map"])
    cols = band_columns(segs, 0, 80)
    row = int(pic["y"])

    def cell_colour(t):
        return vga_palette(colour(t, "VGA"))
    # The cell's middle: the full block fills it.
    cells = [(t, a * cw, b * cw) for t, a, b in cols]
    bad += check_band(picture, cells, row * ch + 2, ch - 4, cell_colour)
    report(name, bad)


def test_no_vga(report, tmp):
    kernel = os.path.join(BUILD, "fbkernel-own.elf")
    image = mkdisk(tmp, kernel, ASK, name="novga.img")
    text, _, _ = qemu(image, "none", shot=False)
    bad = []
    f = fields(text, "fb")
    if not f or f["type"] != "none":
        bad.append("fb line %s, want type=none" % f)
    if "stage2: video: the video BIOS has no VBE 2.0" not in text:
        bad.append("no message about VBE")
    if not re.search(r"^end ok", text, re.M):
        bad.append("no 'end ok'")
    report("no-vga-text-mode", bad)

    image = mkdisk(tmp, kernel, ASK + ",required", name="novga-req.img")
    text, _, _ = qemu(image, "none", shot=False)
    want = ("stage2: error: the video mode 1024x768x32 (0: any) is required, but the video "
            "BIOS has no VBE 2.0 (INT 10h 4F00h: AX=0x4f00")
    bad = [] if want in text else ["no refusal %r: %s" % (want, text.strip()[-300:])]
    if "fbkernel: magic" in text:
        bad.append("the kernel ran")
    report("no-vga-required-refused", bad)


def test_impossible(report, tmp):
    kernel = os.path.join(BUILD, "kernel64.elf")
    image = mkdisk(tmp, kernel, SMALL, name="small.img")
    text, picture, _ = qemu(image, "std")
    video = fields(text, "video")
    bad = []
    if not video or (video["type"], video["fallback"]) != ("text", "no-mode"):
        bad.append("video line %s, want type=text fallback=no-mode" % video)
    if picture and picture[:2] != (720, 400):
        bad.append("the display shows %dx%d, not text mode 3" % picture[:2])
    if not re.search(r"^end ok", text, re.M):
        bad.append("no 'end ok'")
    report("impossible-request-text-mode", bad)

    image = mkdisk(tmp, kernel, SMALL + ",required", name="small-req.img")
    text, _, _ = qemu(image, "std", shot=False)
    m = re.search(r"stage2: error: the video mode 160x100x32 \(0: any\) is required, but no "
                  r"mode of at most 160x100 fits; the video BIOS offers (.*)", text)
    bad = [] if m else ["no refusal: %s" % text.strip()[-300:]]
    if m:
        offered = m.group(1).rstrip(", .").split(", ")
        # Modes QEMU's std VGA has (GRUB's notes: it sets 1024x768x32).
        for mode in ("640x480x32", "800x600x16", "1024x768x32"):
            if mode not in offered:
                bad.append("%s missing from the list: %s" % (mode, m.group(1)[:200]))
        if len(offered) != len(set(offered)):
            bad.append("modes listed twice")
    if "kernel: 64-bit" in text:
        bad.append("the kernel ran")
    report("impossible-request-required-refused", bad)


def test_edid(report, tmp):
    """0x0 is the display's preferred size: QEMU's VGA reports the one its
    xres/yres properties give in the EDID it offers."""
    kernel = os.path.join(BUILD, "fbkernel-own.elf")
    image = mkdisk(tmp, kernel, "0x0x32", name="edid.img")
    text, picture, pci = qemu(image, None, extra=["-device", "VGA,xres=1280,yres=800"])
    f = fields(text, "fb")
    bad = check_fb_fields(f, 1280, 800, 32, vga_bar0(pci))
    if "stage2: video: the display prefers 1280x800 (EDID)" not in text:
        bad.append("no EDID line")
    if not bad:
        bad += check_pattern(picture, 1280, 800)
    mode, number = mode_line(text)
    print("# mode edid-std 0x0x32 (EDID 1280x800): %s (VBE mode %s)" % (mode, number))
    report("edid-preferred-size", bad)


def test_bochs(report, tmp):
    name = "pattern-fbkernel-own-bochs"
    image = mkdisk(tmp, os.path.join(BUILD, "fbkernel-own.elf"), ASK, name="bochs.img")
    w, h, pitch = 1024, 768, 4096
    rows = [0, 1, 9, 100, 383, 766, 767]
    dumps = []
    for y in rows:
        dumps += ["--dump", "%x:%x" % (BOCHS_LFB + y * pitch, w * 4)]
    p = subprocess.run([BOCHS_RUN, "--timeout", str(DEADLINE), image] + dumps,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       errors="replace")
    rep = parse_report(p.stdout)
    f = fields(p.stdout.replace("\r", ""), "fb")
    bad = [] if p.returncode == 0 else ["bochs-run status %d" % p.returncode]
    bad += check_fb_fields(f, w, h, 32, BOCHS_LFB)
    if f and int(f["pitch"]) != pitch:
        bad.append("pitch %s, want %d" % (f["pitch"], pitch))
    for y in rows:
        for x in range(w):
            a = BOCHS_LFB + y * pitch + 4 * x
            got = tuple(rep["dump"].get(a + k) for k in (2, 1, 0))
            if got != pattern(x, y, w, h):
                bad.append("pixel (%d,%d) is %s in memory, the pattern says %s"
                           % (x, y, got, pattern(x, y, w, h)))
                break
        if len(bad) > 3:
            break
    mode, number = mode_line(p.stdout)
    print("# mode bochs %s: %s (VBE mode %s)" % (ASK, mode, number))
    report(name, bad)


def linux_boot(tmp, name, video=None, vid_mode=None, cmdline="console=ttyS0"):
    """Debian's kernel (linuxtest.py's cached copy and init) booted with a
    video mode: its boot log."""
    import linuxtest
    kernel = linuxtest.debian_kernel()
    if vid_mode is not None:
        data = bytearray(open(kernel, "rb").read())
        data[0x1FA:0x1FC] = vid_mode.to_bytes(2, "little")   # vid_mode (boot.rst)
        kernel = os.path.join(tmp, "vmlinuz")
        open(kernel, "wb").write(data)
    initrd = linuxtest.build_initrd(tmp)
    image = os.path.join(tmp, name + ".img")
    args = [MKDISK, "--kernel", kernel, "--initrd", initrd, "--cmdline", cmdline]
    args += ["--video", video] if video else []
    subprocess.run(args + [image], check=True, stdout=subprocess.DEVNULL)
    p = subprocess.run([os.path.join(ROOT, "tools", "qemu-run"), "--timeout", "240", image,
                        "--", "-vga", "std"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, errors="replace")
    return p.stdout.replace("\r", "")


def test_linux(report, tmp, name, want, video=None, vid_mode=None, cmdline="console=ttyS0"):
    """Linux's vesafb driver takes the mode from screen_info: its mode line,
    the address against the BAR Linux's own PCI scan finds, fb0 registered."""
    out = linux_boot(tmp, name, video, vid_mode, cmdline)
    bad = []
    m = re.search(r"vesafb: mode is (\d+x\d+x\d+), linelength=(\d+)", out)
    if not m:
        bad.append("no 'vesafb: mode is' line (%s)" % out.strip()[-200:])
    elif m.group(1) != want:
        bad.append("vesafb took %s, want %s" % (m.group(1), want))
    else:
        w, _, d = (int(v) for v in want.split("x"))
        if int(m.group(2)) < w * ((d + 7) // 8):
            bad.append("line length %s" % m.group(2))
    bar = re.search(r"pci 0000:00:02\.0: (?:BAR 0|reg 0x10):? \[mem (0x[0-9a-f]+)-", out)
    fbat = re.search(r"vesafb: framebuffer at (0x[0-9a-f]+)", out)
    if not bar or not fbat or int(bar.group(1), 16) != int(fbat.group(1), 16):
        bad.append("framebuffer at %s, the display's BAR 0 at %s"
                   % (fbat and fbat.group(1), bar and bar.group(1)))
    if "fb0: VESA VGA frame buffer device" not in out:
        bad.append("no fb0")
    if "linuxtest-init: cmdline=" + cmdline not in out:
        bad.append("the init did not run, or saw another command line")
    mode, number = mode_line(out)
    asked = video or ("vid_mode 0x%x" % vid_mode if vid_mode is not None else cmdline)
    print("# mode %s %s: %s (VBE mode %s); Linux: %s" % (
        name, asked, mode, number, m and m.group(0)))
    report(name, bad)


GRUB_IMAGE = os.path.join(ROOT, "tools", "grub-image")


def grub_disk(tmp, kernel, protocol, name):
    """A GRUB 2.06 image (tools/grub-image) whose grub.cfg loads the VBE
    driver and leaves gfxpayload unset, so that GRUB meets the kernel's own
    framebuffer request (its "WxHxD,WxH,auto")."""
    image = os.path.join(tmp, name)
    subprocess.run([GRUB_IMAGE, "--kernel", kernel, "--protocol", protocol, "--video", ASK,
                    "-o", image], check=True, stdout=subprocess.DEVNULL)
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    cfg = subprocess.run(["mtype", "-i", image + "@@1M", "::/boot/grub/grub.cfg"], env=env,
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    cfg = "".join(l + "\n" for l in cfg.split("\n") if l and "gfxpayload" not in l)
    path = os.path.join(tmp, "grub.cfg")
    with open(path, "w") as f:
        f.write(cfg)
    subprocess.run(["mcopy", "-o", "-i", image + "@@1M", path, "::/boot/grub/grub.cfg"],
                   env=env, check=True)
    return image


def test_grub(report, tmp, variant, vga):
    """GRUB and this loader boot the same Multiboot kernel asking for
    1024x768x32: the same mode, framebuffer fields and VBE mode block."""
    name = "grub-same-mode-%s-%s" % (variant, vga)
    kernel = os.path.join(BUILD, "fbkernel-%s.elf" % variant)
    protocol = "multiboot" if variant == "mb1" else "multiboot2"
    ours, _, _ = qemu(mkdisk(tmp, kernel, name=name + ".img"), vga, shot=False)
    grubs, _, _ = qemu(grub_disk(tmp, kernel, protocol, name + "-grub.img"), vga, shot=False)
    bad = []
    for tag in ("fb", "vbe"):
        a, b = fields(ours, tag), fields(grubs, tag)
        if not a or not b:
            bad.append("no %s line: loader %s, GRUB %s" % (tag, a, b))
        elif a != b:
            bad.append("%s: loader %s, GRUB %s" % (tag, a, b))
    for who, text in (("loader", ours), ("GRUB", grubs)):
        if not re.search(r"^end ok", text, re.M):
            bad.append("%s: no 'end ok'" % who)
    g = fields(grubs, "vbe")
    print("# mode %s: GRUB 2.06 %s" % (name, g and "VBE mode %s %sx%sx%s" % (
        g["mode"], g["width"], g["height"], g["bpp"])))
    report(name, bad)


def test_multiboot_map(report, tmp, kernel, name):
    """A Multiboot kernel's map shows the framebuffer as reserved (the
    project's Multiboot test kernel prints it; the mode from video=)."""
    text, _, pci = qemu(mkdisk(tmp, os.path.join(BUILD, "mbk", kernel), ASK, name=name + ".img"),
                        "std", shot=False)
    bad = []
    m = re.search(r"^fb 0x([0-9a-f]+) (\d+)x(\d+)x(\d+) type=(\d+)", text, re.M)
    if not m or int(m.group(1), 16) != vga_bar0(pci) or m.group(5) != "1":
        bad.append("fb line %s, BAR 0 %s" % (m and m.group(0), vga_bar0(pci)))
    else:
        fb, w, h, bpp = int(m.group(1), 16), int(m.group(2)), int(m.group(3)), int(m.group(4))
        end = fb + w * h * bpp // 8
        mmap = [(int(b, 16), int(l, 16), int(t)) for b, l, t in
                re.findall(r"^mmap 0x([0-9a-f]+) 0x([0-9a-f]+) (\d+)", text, re.M)]
        if not any(t == 2 and b <= fb and end <= b + l for b, l, t in mmap):
            bad.append("no reserved (2) entry over 0x%x-0x%x in %s" % (fb, end, mmap))
        if any(t == 1 and b < end and fb < b + l for b, l, t in mmap):
            bad.append("the framebuffer overlaps available memory")
    if not re.search(r"^end ok", text, re.M):
        bad.append("no 'end ok'")
    report(name, bad)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    failed = []

    def report(name, bad):
        if bad:
            failed.append(name)
            print("FAIL %s: %s" % (name, "; ".join(bad[:4])))
        else:
            print("PASS %s" % name)
        sys.stdout.flush()

    own = os.path.join(BUILD, "fbkernel-own.elf")
    tests = [("pattern-fbkernel-own-" + v, lambda t, v=v: test_pattern_qemu(report, own, v, t))
             for v in ("std", "cirrus", "virtio")]
    for variant in ("mb1", "mb2"):
        kernel = os.path.join(BUILD, "fbkernel-%s.elf" % variant)
        tests += [("pattern-fbkernel-%s-%s" % (variant, v),
                   lambda t, k=kernel, v=v: test_pattern_qemu(report, k, v, t, video=None))
                  for v in ("std", "cirrus", "virtio")]
        tests += [("grub-same-mode-%s-%s" % (variant, v),
                   lambda t, w=variant, v=v: test_grub(report, t, w, v))
                  for v in ("std", "cirrus", "virtio")]
    tests += [("multiboot1-map-reserved", lambda t: test_multiboot_map(
        report, t, "mb1.elf", "multiboot1-map-reserved")),
              ("multiboot2-map-reserved", lambda t: test_multiboot_map(
                  report, t, "mb2.elf", "multiboot2-map-reserved"))]
    tests += [
        ("picture-framebuffer-std", lambda t: test_picture_framebuffer(report, t)),
        ("picture-framebuffer-cirrus", lambda t: test_picture_framebuffer(report, t, "cirrus")),
        ("picture-text", lambda t: test_picture_text(report, t)),
        ("no-vga", lambda t: test_no_vga(report, t)),
        ("impossible-request", lambda t: test_impossible(report, t)),
        ("edid-preferred-size", lambda t: test_edid(report, t)),
        ("pattern-fbkernel-own-bochs", lambda t: test_bochs(report, t)),
        ("linux-vesafb-video-std", lambda t: test_linux(report, t, "linux-vesafb-video-std",
                                                        "1024x768x32", video=ASK)),
        # VESA's own number for 1024x768 with 5:6:5 colour (VBE 1.2), as a
        # kernel built with vga=0x317 carries it in vid_mode.
        ("linux-vesafb-vid-mode-std", lambda t: test_linux(report, t, "linux-vesafb-vid-mode-std",
                                                           "1024x768x16", vid_mode=0x317)),
        # The same mode from the command line, as the boot protocol asks a
        # loader to read vga= into vid_mode (791 = 0x317), over a kernel
        # header that says "normal" (0xFFFF, Debian's).
        ("linux-vesafb-vga-cmdline-std", lambda t: test_linux(
            report, t, "linux-vesafb-vga-cmdline-std", "1024x768x16",
            cmdline="console=ttyS0 vga=791")),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for name, fn in tests:
            if args.only in name:
                try:
                    fn(tmp)
                except Exception as e:  # a broken run is a failure, not a crash
                    report(name, ["%s: %s" % (type(e).__name__, e)])
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
