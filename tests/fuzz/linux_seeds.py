#!/usr/bin/env python3
"""Seeds for fuzz_linux: small bzImage-like files with setup headers of
protocol 2.06, 2.10, 2.12 and 2.15 (relocatable or not), written with the
offsets of Documentation/arch/x86/boot.rst, and the first 32 KiB of the
Debian kernel the Linux boot test caches, when it is there.

  tests/fuzz/linux_seeds.py OUTDIR"""
import glob
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def bzimage(version, reloc, setup_sects=4, pm=4096, jump=None):
    if jump is None:
        jump = {0x206: 0x3a, 0x20a: 0x62}.get(version, 0x6a)
    f = bytearray(b"\xcc" * (((setup_sects or 4) + 1) * 512 + pm))  # 0 means 4
    f[0x1f1] = setup_sects
    struct.pack_into("<I", f, 0x1f4, pm // 16)
    struct.pack_into("<H", f, 0x1fe, 0xAA55)
    f[0x200:0x202] = bytes([0xEB, jump])
    f[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", f, 0x206, version)
    f[0x210:0x212] = bytes([0, 1])                    # type_of_loader, LOADED_HIGH
    struct.pack_into("<I", f, 0x214, 0x100000)      # code32_start
    struct.pack_into("<I", f, 0x22c, 0x7fffffff)    # initrd_addr_max
    struct.pack_into("<I", f, 0x230, 0x200000)      # kernel_alignment
    f[0x234] = reloc
    f[0x235] = 21
    struct.pack_into("<H", f, 0x236, 0x7f)          # xloadflags
    struct.pack_into("<I", f, 0x238, 2047)          # cmdline_size
    struct.pack_into("<Q", f, 0x258, 0x1000000)     # pref_address
    struct.pack_into("<I", f, 0x260, 0x400000)      # init_size
    f[-1] = 0                                       # even: the file is what it is
    return bytes(f)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    seeds = {
        "v206": bzimage(0x206, 1), "v20a": bzimage(0x20a, 1), "v20c": bzimage(0x20c, 0),
        "v20f": bzimage(0x20f, 1), "v20f-sects0": bzimage(0x20f, 1, setup_sects=0),
        # Command lines, for linux_cmdline_vga (the harness reads every
        # input as one too).
        "cmdline-vga": b"console=ttyS0 vga=791 quiet vga=0x317\tvga=normal",
        "cmdline-vga-bad": b"root=/dev/sda1 vga=0x1ffff vga=08 vga=ask",
    }
    for k in sorted(glob.glob(os.path.join(ROOT, "build", "cache", "boot", "vmlinuz-*"))):
        with open(k, "rb") as f:
            seeds["debian-head"] = f.read(32768)
    for name, data in seeds.items():
        with open(os.path.join(out, "seed-" + name), "wb") as f:
            f.write(data)
    open(os.path.join(out, ".seeded"), "w").close()


if __name__ == "__main__":
    main()
