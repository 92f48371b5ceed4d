#!/usr/bin/env python3
"""Debugging features (README "Debugging"): gdb under QEMU through real,
protected and long mode, Bochs' debugger with the generated symbols, the
example kernel's exception reports, and the ELF32 path on a 486.

Every expectation comes from outside the code under test: SeaBIOS's own
E820 table (its debug port), the bytes and symbols of the ELF files,
include/*.h, the Intel SDM's exception vectors and page-fault error bits,
and objdump's 16-bit disassembly.

Prints one line per test, "PASS <name>" or "FAIL <name>: <why>"; exits 1 if
anything failed.  Usage: debugtest.py [--only SUBSTRING] [--jobs N]
"""
import argparse
import concurrent.futures
import json
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile

from bootlib import (BUILD, ROOT, Reporter, define, map_form_problems, parse_report,
                     parse_seabios_e820)
from boottest import check as check_against_seabios

sys.path.insert(0, os.path.join(ROOT, "tools"))
import bootsyms  # noqa: E402

QEMU_RUN = os.path.join(ROOT, "tools", "qemu-run")
QEMU_GDB = os.path.join(ROOT, "tools", "gdb", "qemu-gdb")
BOCHS_RUN = os.path.join(ROOT, "tools", "bochs-run")
SESSION = os.path.join(ROOT, "tests", "boot", "gdbsession.py")
DEADLINE = 120

STAGE2_ELF = os.path.join(BUILD, "stage2.elf")
BOOTINFO_SIGNATURE = define("bootinfo.h", "BOOTINFO_SIGNATURE")
BOOTINFO_MAGIC = define("bootinfo.h", "BOOTINFO_MAGIC")
STAGE2_CODE_SEG = define("layout.h", "STAGE2_CODE_SEG")
STAGE2_LOAD_SEG = define("layout.h", "STAGE2_LOAD_SEG")

# Intel SDM vol. 3, table 6-1 (vector, mnemonic) and the page-fault error
# code bits of section 4.7: P (bit 0) = 0 for a page that is not present,
# W/R (bit 1) = 1 for a write, U/S (bit 2) = 0 for ring 0.
VECTOR_UD, VECTOR_PF = 6, 14
PF_ERROR_WRITE_NOT_PRESENT_RING0 = 0b010

# Instructions a 386 does not have (486: bswap, cmpxchg, xadd, invd, wbinvd,
# invlpg; Pentium: cpuid, rdtsc, rdmsr, wrmsr, cmpxchg8b, rsm; P6 and later:
# cmov, fcmov, fcomi, ud2, sysenter, MMX/SSE and fences).
NOT_386 = re.compile(r"^(bswap|cmpxchg\w*|xadd\w*|invd|wbinvd|invlpg|cpuid|rdtscp?|rdmsr|"
                     r"wrmsr|rdpmc|rsm|cmov\w+|fcmov\w+|f(u)?comip?|ud2|sys(enter|exit|call|ret)|"
                     r"[lms]fence|pause|prefetch\w*|movnti|clflush|emms|fxsave|fxrstor)$")
# Where stage2 may use them, and why that is safe on a 386 or 486.
STAGE2_ALLOWED = {
    "cpuid": {"cpu_detect"},      # after has_cpuid() saw EFLAGS.ID toggle
    "rdmsr": {"enter_long"},      # long mode only: the CPU said it has it
    "wrmsr": {"enter_long"},
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def elf_entry(path):
    return bootsyms.Elf(path).entry


def elf_bytes_at(path, value, n):
    """n bytes of the allocated section that holds address value (as the
    ELF file stores them, independent of where anything is loaded)."""
    elf = bootsyms.Elf(path)
    for s in elf.alloc_sections():
        if s["type"] != 8 and s["addr"] <= value < s["addr"] + s["size"]:
            off = s["offset"] + value - s["addr"]
            return elf.data[off:off + n]
    raise ValueError("%s: no section holds %#x" % (path, value))


def objdump_functions(path, mode="i8086"):
    """{function: [(address, mnemonic, text), ...]} from objdump."""
    out = subprocess.run(["objdump", "-d", "-M", mode, path], stdout=subprocess.PIPE,
                         text=True, check=True).stdout
    funcs, cur = {}, None
    for line in out.splitlines():
        m = re.match(r"^([0-9a-f]+) <(.+)>:$", line)
        if m:
            cur = funcs.setdefault(m.group(2), [])
            continue
        m = re.match(r"^\s*([0-9a-f]+):\s+(?:[0-9a-f]{2} )+\s*(\S.*)?$", line)
        if m and cur is not None and m.group(2):
            text = re.sub(r"\s+", " ", m.group(2).strip())
            cur.append((int(m.group(1), 16), text.split()[0], text))
    return funcs


def e820_call_site():
    """Linear address of the instruction after the E820 BIOS call, the
    first moment the buffer holds the BIOS's answer: the `call intcall` in
    e820_call (or in detect_memory_e820 where the compiler inlined it)."""
    funcs = objdump_functions(STAGE2_ELF)
    for name in ("e820_call", "detect_memory_e820"):
        insns = funcs.get(name, [])
        for i, (a, mnem, text) in enumerate(insns):
            if mnem.startswith("call") and text.endswith("<intcall>") and i + 1 < len(insns):
                return insns[i + 1][0] + bootsyms.stage2_code_base(bootsyms.Elf(STAGE2_ELF))
    raise ValueError("no call to intcall in e820_call or detect_memory_e820")


def gdb_session(image, kernel, session, extra_env=None, qemu_opts=""):
    """Runs tools/gdb/qemu-gdb in batch mode with gdbsession.py; returns
    (its JSON result or None, the transcript, the SeaBIOS log)."""
    with tempfile.TemporaryDirectory() as tmp:
        outp, sblog = os.path.join(tmp, "out.json"), os.path.join(tmp, "seabios.log")
        env = dict(os.environ, DEBUGTEST_OUT=outp, DEBUGTEST_SESSION=session,
                   **(extra_env or {}))
        cmd = ["timeout", "-k", "5", str(DEADLINE), QEMU_GDB, "--port", str(free_port()),
               "--timeout", str(DEADLINE),
               "--kernel", kernel, "--qemu", "--seabios-log %s %s" % (sblog, qemu_opts),
               image, "-batch", "-x", SESSION]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           errors="replace", env=env, stdin=subprocess.DEVNULL)
        res = None
        if os.path.exists(outp):
            with open(outp) as f:
                res = json.load(f)
        sb = open(sblog, errors="replace").read() if os.path.exists(sblog) else ""
        return res, p.stdout, sb


def check_real_mode_stop(st, bad):
    """The stop at detect_memory_e820: CS:IP in stage2's code segment, the
    bytes there are the function's (from the ELF file), gdb's architecture
    is i8086 and its disassembly is objdump's 16-bit one."""
    elf = bootsyms.Elf(STAGE2_ELF)
    value = elf.symbol("detect_memory_e820")
    if st is None:
        return bad.append("never stopped at detect_memory_e820")
    if st["mode"] != "real" or st["arch"] != "i8086":
        bad.append("at detect_memory_e820: mode %s, gdb architecture %s (want real, i8086)"
                   % (st["mode"], st["arch"]))
    if st["cs"] != STAGE2_CODE_SEG or st["ip"] != value:
        bad.append("stopped at %04x:%04x, detect_memory_e820 is %04x:%04x"
                   % (st["cs"], st["ip"], STAGE2_CODE_SEG, value))
    if st["linear"] != (st["cs"] << 4) + st["ip"]:
        bad.append("$lpc() %#x is not CS*16+IP" % st["linear"])
    want = elf_bytes_at(STAGE2_ELF, value, 16).hex()
    if st["bytes"] != want:
        bad.append("bytes at the stop %s, detect_memory_e820's are %s" % (st["bytes"], want))
    first = objdump_functions(STAGE2_ELF)["detect_memory_e820"][0][2]
    shown = re.sub(r"\s+", " ", st["insn"].split(":", 1)[1]).strip()
    if shown != first:
        bad.append("gdb shows %r at the stop, objdump -M i8086 says %r" % (shown, first))


def check_kernel_stop(k, kernel, bits, bad):
    entry = elf_entry(kernel)
    if k is None:
        return bad.append("never stopped at the kernel entry")
    want_mode, want_arch = ("long", "i386:x86-64") if bits == 64 else ("protected", "i386")
    if k["mode"] != want_mode or k["arch"] != want_arch:
        bad.append("at the kernel entry: mode %s, gdb architecture %s (want %s, %s)"
                   % (k["mode"], k["arch"], want_mode, want_arch))
    if k["pc"] != entry:
        bad.append("stopped at %#x, the kernel's e_entry is %#x" % (k["pc"], entry))
    sig = struct.pack("<Q", BOOTINFO_SIGNATURE).hex()
    if k["at_arg"] != sig:
        bad.append("the boot-info argument points at %s, not the signature %s"
                   % (k["at_arg"], sig))
    if k["dwarf_signature"] != BOOTINFO_SIGNATURE:
        bad.append("p bi->header.signature gives %#x" % k["dwarf_signature"])
    if bits == 64:
        if k["rsi"] != BOOTINFO_MAGIC:
            bad.append("RSI %#x, not BOOTINFO_MAGIC" % k["rsi"])
    else:
        # cdecl kmain(bi, magic): [esp] return address, [esp+4] bi, [esp+8] magic.
        if k["eax"] != BOOTINFO_MAGIC or k["stack"][1] != k["ebx"] or \
           k["stack"][2] != BOOTINFO_MAGIC:
            bad.append("EAX %#x, EBX %#x, stack %s: want EAX = magic, [esp+4] = EBX, "
                       "[esp+8] = magic" % (k["eax"], k["ebx"], [hex(x) for x in k["stack"]]))


def test_gdb_walk(report, name, image, kernel, bits, walk_e820):
    env = {"DEBUGTEST_KERNEL_ENTRY": hex(elf_entry(kernel))}
    if walk_e820:
        env["DEBUGTEST_CALL_SITE"] = hex(e820_call_site())
    res, transcript, sblog = gdb_session(image, kernel, "walk", env)
    bad = []
    if res is None:
        report(name, ["the gdb session wrote no result; transcript:\n" + transcript[-3000:]])
        return
    bad += res["errors"]
    check_real_mode_stop(res.get("e820_stop"), bad)
    if walk_e820:
        table = parse_seabios_e820(sblog)
        if not table:
            bad.append("no E820 table in SeaBIOS's log")
        else:
            got = [(s["base"], s["length"], s["type"]) for s in res["stops"]]
            site = int(env["DEBUGTEST_CALL_SITE"], 16)
            if any(s["linear"] != site for s in res["stops"]):
                bad.append("stops away from the call site %#x: %s" % (
                    site, sorted({hex(s["linear"]) for s in res["stops"]})))
            # The first walk, then the cross-checking second one.
            if got != table * 2:
                bad.append("the buffer after each E820 call held %s; SeaBIOS's table (twice, "
                           "both walks) is %s" % (got, table))
    check_kernel_stop(res.get("kernel_stop"), kernel, bits, bad)
    if bad:
        bad.append("transcript tail:\n" + transcript[-1500:])
    report(name, bad)


def exception_line(kind, kernel, bits):
    """The line the kernel must print, from the ELF's symbols and the SDM."""
    elf = bootsyms.Elf(kernel)
    ipfmt = "0x%016x" if bits == 64 else "0x%08x"
    if kind == "ud":
        return "end fail exception invalid-opcode (vector %d) at %s" % (
            VECTOR_UD, ipfmt % elf.symbol("fault_ud_insn"))
    target = next(v for n, v, shndx, _, _ in elf.symbols()
                  if n == "fault_pf_target" and shndx == 0xfff1)  # SHN_ABS
    return "end fail exception page-fault (vector %d) at %s error %#x cr2 %#x" % (
        VECTOR_PF, ipfmt % elf.symbol("fault_pf_insn"), PF_ERROR_WRITE_NOT_PRESENT_RING0, target)


def test_fault_qemu(report, kind, bits):
    name = "fault-%s-elf%d-qemu" % (kind, bits)
    image = os.path.join(BUILD, "disk%d-%s.img" % (bits, kind))
    kernel = os.path.join(BUILD, "kernel%d-%s.elf" % (bits, kind))
    want = exception_line(kind, kernel, bits)
    bad = []
    with tempfile.TemporaryDirectory() as tmp:
        e9 = os.path.join(tmp, "e9.txt")
        p = subprocess.run([QEMU_RUN, "--timeout", str(DEADLINE), "--e9", e9, image],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           errors="replace")
        e9text = open(e9, errors="replace").read()
    # qemu-run's status 1: the kernel wrote STATUS_KERNEL_FAIL to isa-debug-exit.
    if p.returncode != 1:
        bad.append("qemu-run exit status %d, want 1 (kernel failure status)" % p.returncode)
    for console, text in (("COM1", p.stdout), ("port 0xE9", e9text)):
        lines = [l.rstrip("\r") for l in text.split("\n")]
        ends = [l for l in lines if l.startswith("end ")]
        if ends != [want]:
            bad.append("%s: end lines %s, want [%r]" % (console, ends, want))
    # VGA text: read the screen under gdb when finish() is reached.  The
    # line starts a row and may wrap (80 columns); the rest of its last row
    # is blank.
    res, transcript, _ = gdb_session(image, kernel, "vga")
    rows = (res or {}).get("vga") or []
    screen = "".join(rows)
    at = [i for i in range(0, len(screen), 80)
          if screen.startswith(want, i) and
          not screen[i + len(want):(i + len(want) + 79) // 80 * 80].strip()]
    if not at:
        bad.append("VGA text lacks %r; screen: %s %s" % (
            want, [r.rstrip() for r in rows if r.strip()][-6:],
            (res or {}).get("errors") or transcript[-500:]))
    report(name, bad)


def test_fault_bochs(report, kind, bits):
    name = "fault-%s-elf%d-bochs" % (kind, bits)
    image = os.path.join(BUILD, "disk%d-%s.img" % (bits, kind))
    want = exception_line(kind, os.path.join(BUILD, "kernel%d-%s.elf" % (bits, kind)), bits)
    p = subprocess.run([BOCHS_RUN, "--timeout", str(DEADLINE), image], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, errors="replace")
    bad = []
    if p.returncode != 1:
        bad.append("bochs-run exit status %d, want 1 (end fail)" % p.returncode)
    if "bochs-run: the kernel printed its last line but did not shut" in p.stdout:
        bad.append("the kernel did not shut Bochs down after the exception line")
    ends = [l.rstrip("\r") for l in p.stdout.split("\n") if l.startswith("end ")]
    if ends != [want]:
        bad.append("end lines %s, want [%r]" % (ends, want))
    report(name, bad)


def test_486_qemu(report):
    """The ELF32 example on an ISA-only 486 with SeaBIOS: end ok, and the
    report checked against SeaBIOS's table like every boot test."""
    with tempfile.TemporaryDirectory() as tmp:
        sblog = os.path.join(tmp, "seabios.log")
        p = subprocess.run([QEMU_RUN, "--machine", "isapc", "--cpu", "486", "-m", "16M",
                            "--timeout", str(DEADLINE), "--seabios-log", sblog,
                            os.path.join(BUILD, "disk32.img")],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           errors="replace")
        sb = open(sblog, errors="replace").read()
    bad = [] if p.returncode == 0 else ["qemu-run exit status %d" % p.returncode]
    bad += check_against_seabios(parse_report(p.stdout), parse_seabios_e820(sb), 32)
    if bad:
        bad.append("last output: " + " | ".join(p.stdout.replace("\r", "").split("\n")[-6:]))
    report("486-elf32-qemu-isapc-16M", bad)


def test_486_class_bochs(report):
    """Bochs 2.7 has no 486 model (its CPU level is fixed when it is built,
    and "cpuid: level" goes no lower than 5): its oldest model, the P5
    "pentium", still lacks every P6 instruction an i686 build uses."""
    p = subprocess.run([BOCHS_RUN, "--cpu", "pentium", "--timeout", str(DEADLINE),
                        os.path.join(BUILD, "disk32.img")],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       errors="replace")
    rep = parse_report(p.stdout)
    bad = [] if p.returncode == 0 else ["bochs-run exit status %d" % p.returncode]
    if rep["end"] != "end ok":
        bad.append("kernel ended with %r" % rep["end"])
    bad += map_form_problems(rep["map"])
    if (rep["summary"] or {}).get("source") != "e820":
        bad.append("summary %s" % rep["summary"])
    report("486-class-elf32-bochs-pentium", bad)


def test_i386_instructions(report):
    """No instruction a 386 lacks on the ELF32 path: the example kernel
    none at all, stage2 only where it checked for the feature first."""
    bad = []
    for path, mode, allowed in ((os.path.join(BUILD, "kernel32.elf"), "i386", {}),
                                (STAGE2_ELF, "i8086", STAGE2_ALLOWED)):
        for func, insns in objdump_functions(path, mode).items():
            for addr, mnem, text in insns:
                if (NOT_386.match(mnem) or re.search(r"%x?mm\d", text)) and \
                   func not in allowed.get(mnem, ()):
                    bad.append("%s: %s at %#x in %s" % (os.path.basename(path), text, addr,
                                                       func))
    report("i386-instruction-set-elf32-path", bad)


def test_bochs_debugger(report):
    """make bochs's debugger, scripted: the generated symbols load, lb by
    symbol stops in stage2 (and at the entry as the MBR jumps to it, and at
    the kernel), and the disassembly names the symbols."""
    kernel = os.path.join(BUILD, "kernel64.elf")
    syms = [os.path.join(BUILD, f) for f in ("mbr.sym", "stage2.sym", "kernel64.sym")]
    s2 = bootsyms.Elf(STAGE2_ELF)
    entry = bootsyms.entry_linear(s2, True)
    cmds = "c\nc\nc\nc\nquit\n"
    p = subprocess.run([BOCHS_RUN, "--debug", "--timeout", str(DEADLINE)] +
                       [a for s in syms for a in ("--sym", s)] +
                       ["--break", "0x%x" % entry, "--break", "detect_memory_e820",
                        "--break", "kmain", os.path.join(BUILD, "disk.img")],
                       input=cmds, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       errors="replace")
    out = p.stdout
    bad = []
    # After each "(0) Breakpoint N, ..." the debugger shows the next
    # instruction:
    #   (0) [0x000000012b21] 1000:2b21 (detect_memory_e820+0): push ebp ; 6655
    # (no ^: the guest's port 0xE9 text may precede it on its line)
    stops = re.findall(r"\(0\) Breakpoint \d+, [^\n]*\n(?:Next at [^\n]*\n)?"
                       r"\(0\) \[0x([0-9a-f]+)\] ([0-9a-f]{4}):([0-9a-f]+) \(([^)]*)\): "
                       r"[^\n]*; ([0-9a-f]+)$", out, re.M)
    want = [
        (entry, STAGE2_LOAD_SEG, "_start@load+0", elf_bytes_at(STAGE2_ELF, s2.entry, 16)),
        (None, STAGE2_CODE_SEG, "detect_memory_e820+0",
         elf_bytes_at(STAGE2_ELF, s2.symbol("detect_memory_e820"), 16)),
        (elf_entry(kernel), None, "kmain+0", elf_bytes_at(kernel, elf_entry(kernel), 16)),
    ]
    for i, (lin, seg, sym, code) in enumerate(want):
        if i >= len(stops):
            bad.append("stop %d (%s) never came" % (i + 1, sym))
            continue
        a, sel, off, shown, hexbytes = stops[i]
        if shown.strip() != sym:
            bad.append("stop %d: Bochs names it %r, want %r" % (i + 1, shown, sym))
        if lin is not None and int(a, 16) != lin:
            bad.append("stop %d at linear %s, want %#x" % (i + 1, a, lin))
        if seg is not None and int(sel, 16) != seg:
            bad.append("stop %d: CS %s, want %04x" % (i + 1, sel, seg))
        if not code.hex().startswith(hexbytes):
            bad.append("stop %d: bytes %s are not the ELF's %s" % (i + 1, hexbytes, code.hex()))
    if "end ok" not in out:
        bad.append("the boot did not reach end ok after the breakpoints")
    if bad:
        bad.append("transcript tail:\n" + out[-1500:])
    report("bochs-debugger-symbols-lb", bad)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    report = Reporter()
    img = lambda n: os.path.join(BUILD, n)  # noqa: E731
    tests = {
        "gdb-elf64-e820-walk-long-mode": lambda: test_gdb_walk(
            report, "gdb-elf64-e820-walk-long-mode", img("disk.img"), img("kernel64.elf"),
            64, True),
        "gdb-elf32-boot-kernel-protected-mode": lambda: test_gdb_walk(
            report, "gdb-elf32-boot-kernel-protected-mode", img("disk32.img"),
            img("kernel32.elf"), 32, False),
        # A higher-half entry cannot be a breakpoint address of the 32-bit
        # descriptions: boot kernel must get there anyway.
        "gdb-elf64-higher-half-boot-kernel": lambda: test_gdb_walk(
            report, "gdb-elf64-higher-half-boot-kernel", img("disk-hh.img"),
            img("kernel64-hh.elf"), 64, False),
        "bochs-debugger-symbols-lb": lambda: test_bochs_debugger(report),
        "486-elf32-qemu-isapc-16M": lambda: test_486_qemu(report),
        "486-class-elf32-bochs-pentium": lambda: test_486_class_bochs(report),
        "i386-instruction-set-elf32-path": lambda: test_i386_instructions(report),
    }
    for kind in ("ud", "pf"):
        for bits in (32, 64):
            tests["fault-%s-elf%d-qemu" % (kind, bits)] = \
                (lambda k, b: lambda: test_fault_qemu(report, k, b))(kind, bits)
    tests["fault-pf-elf32-bochs"] = lambda: test_fault_bochs(report, "pf", 32)
    tests["fault-ud-elf64-bochs"] = lambda: test_fault_bochs(report, "ud", 64)
    chosen = [f for n, f in tests.items() if args.only in n]
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for fut in [pool.submit(f) for f in chosen]:
            try:
                fut.result()
            except Exception as e:  # a crash in a test is a failure, not a traceback
                report("debugtest-internal", ["%s: %s" % (type(e).__name__, e)])
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
