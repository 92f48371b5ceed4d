"""gdb support for debugging this loader and its kernels under QEMU's
gdbstub, from the reset vector through real mode, protected mode and long
mode.  Needs gdb built with Python (Debian's is).  Start a session with
`make debug` or tools/gdb/qemu-gdb, or by hand against a QEMU started with
-S -gdb tcp:127.0.0.1:PORT:
    gdb -q -x tools/gdb/boot.py -ex 'boot connect PORT' -ex 'boot symbols [KERNEL.elf]'
"help boot" lists the commands.

Why this exists.  QEMU's gdbstub in qemu-system-x86_64 always describes the
CPU as x86-64: its target description (the XML gdb reads when it connects)
has 64-bit rax..rip and architecture i386:x86-64, in every CPU mode.  QEMU
sends the 32-bit values zero-extended while the CPU is not in long mode, but
gdb keeps disassembling as 64-bit code, and gdb 13 refuses "set architecture
i8086" or "i386" against that description.  What works is to hand gdb a
description of our own when connecting ("set tdesc filename"): the same
registers in the same order, so QEMU's 'g' packet still parses, but
architecture i8086 (16-bit disassembly, for real mode) or i386 (32-bit, for
protected mode), with each 64-bit general register split into its 32-bit
half under the name gdb's i386 code requires (eax, ..., eip) and an upper
half (eax_hi, ...).  (Keeping them 64 bits wide under 32-bit names trips an
internal check of gdb's i386 code on "info registers eax".)  Registers are
read and written as a whole set only ('g'/'G' packets; 'p'/'P' are turned
off): the split numbering is ours, not QEMU's.  gdb reads the description
only when it connects, so this script reconnects (disconnect, then target
remote: QEMU stays stopped in between) whenever a stop finds the CPU in
another mode than the description in use: the kernel entry, say.

Real mode.  gdb's $pc is IP, but QEMU's breakpoints and memory accesses
are linear addresses (CS * 16 + IP).  Symbols are loaded at linear
addresses (tools/bootsyms.py: stage2's code at STAGE2_CODE_BASE + offset),
so "break detect_memory_e820" plants the breakpoint where the code really
is; at each real-mode stop this script prints CS:IP, the linear address,
the symbol there and the instruction.  While CS is 0 (the MBR) IP is the
linear address and gdb's own breakpoint reports work.  When CS is not 0
(stage2, the BIOS), gdb cannot match the stop to the breakpoint: it reports
a SIGTRAP and names whatever symbol sits at linear address IP; this script
names the breakpoint instead, and before "continue" single-steps off a
breakpoint under the current linear address (the hook-continue defined at
the end), because QEMU would report it again at once.  Breakpoint
conditions, commands and hit counts do not work there for the same reason.
$lpc() is the linear address of CS:IP ("x/8i $lpc()").  In real mode use
stepi and continue: step, next, finish and backtrace need frames gdb
cannot compute from IP alone.

QEMU keeps breakpoints of both kinds (break and hbreak) in the emulator,
not in guest memory, so they survive the loader writing code under them
(stage2's body unpacked at boot, the kernel copied in).  A stub that plants
int3 into memory would lose a "break" set that early: "boot kernel" uses a
hardware breakpoint so the habit carries over.
"""
import os
import shutil
import sys
import tempfile
import xml.etree.ElementTree as ET

import gdb

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import bootsyms  # noqa: E402  (tools/bootsyms.py: one rule for symbol addresses)

BUILD = os.environ.get("BOOT_BUILD", os.path.join(ROOT, "build"))

CR0_PE = 1 << 0
EFER_LMA = 1 << 10
# 64-bit general registers of QEMU's x86-64 description and the 32-bit
# names and types gdb's i386 architecture requires for them.
SPLIT = {"rax": ("eax", "int32"), "rbx": ("ebx", "int32"), "rcx": ("ecx", "int32"),
         "rdx": ("edx", "int32"), "rsi": ("esi", "int32"), "rdi": ("edi", "int32"),
         "rbp": ("ebp", "data_ptr"), "rsp": ("esp", "data_ptr"), "rip": ("eip", "code_ptr")}
ARCH = {"real": "i8086", "protected": "i386"}
HI_TYPE = "boot_hi32"  # a vector type keeps the upper halves out of "info registers"


class State:
    target = None       # "host:port" of QEMU's gdbstub
    mode = None         # the mode the description in use was made for
    tdesc = {}          # mode -> file; "long" is QEMU's own description
    tdir = None
    symbols = []        # (linear address, name), for real-mode stop reports
    kernel = None       # bootsyms.Elf of the kernel whose symbols are loaded
    quiet = 0           # >0 while this script steps on its own
    switching = False   # between disconnect and target remote
    connecting = False  # the first sync after boot connect


S = State()


def out(text):
    gdb.write(text + "\n")


def reg(name):
    return int(gdb.parse_and_eval("$" + name)) & ((1 << 64) - 1)


def cpu_mode():
    """real, protected or long, from CR0.PE and EFER.LMA (both in every
    description QEMU 7 sends for x86-64)."""
    if reg("efer") & EFER_LMA:
        return "long"
    return "protected" if reg("cr0") & CR0_PE else "real"


def make_tdesc(xml_text, arch):
    """QEMU's x86-64 description with architecture arch and the 64-bit
    general registers split into 32-bit halves (see the top of the file)."""
    root = ET.fromstring(xml_text.strip())
    archs = root.findall("architecture")
    if len(archs) != 1 or archs[0].text != "i386:x86-64":
        raise gdb.GdbError("unexpected target description from QEMU (architecture %s): is "
                           "this qemu-system-x86_64?" % [a.text for a in archs])
    archs[0].text = arch
    regs = []
    for feature in root.findall("feature"):
        for r in feature.findall("reg"):
            regs.append((int(r.get("regnum")), feature, r))
    if not any(r.get("name") == "rip" for _, _, r in regs):
        raise gdb.GdbError("QEMU's target description has no rip: cannot adapt it")
    regs.sort(key=lambda t: t[0])
    core = next(f for f in root.findall("feature") if f.get("name") == "org.gnu.gdb.i386.core")
    vec = ET.Element("vector", {"id": HI_TYPE, "type": "uint32", "count": "1"})
    core.insert(0, vec)
    num = 0
    for _, feature, r in regs:
        name = r.get("name")
        if name in SPLIT:
            if r.get("bitsize") != "64":
                raise gdb.GdbError("QEMU's %s is %s bits, expected 64" % (name, r.get("bitsize")))
            lo, typ = SPLIT[name]
            r.set("name", lo)
            r.set("bitsize", "32")
            r.set("type", typ)
            r.set("regnum", str(num))
            hi = ET.Element("reg", {"name": lo + "_hi", "bitsize": "32", "type": HI_TYPE,
                                    "regnum": str(num + 1), "group": "system"})
            kids = list(feature)
            feature.insert(kids.index(r) + 1, hi)
            num += 2
        else:
            r.set("regnum", str(num))
            num += 1
    return ('<?xml version="1.0"?>\n<!DOCTYPE target SYSTEM "gdb-target.dtd">\n' +
            ET.tostring(root, encoding="unicode") + "\n")


def connect_raw(mode):
    """(Re)connects with the description for mode; QEMU stays stopped
    (a disconnect without detach does not resume it)."""
    target = S.target
    S.switching = True  # no stop or exit reports from our own reconnect
    try:
        if S.mode is not None:
            gdb.execute("disconnect", to_string=True)
        S.mode = None
        if mode == "long":
            gdb.execute("unset tdesc filename", to_string=True)
        else:
            gdb.execute("set tdesc filename %s" % S.tdesc[mode], to_string=True)
        gdb.execute("target remote %s" % target, to_string=True)
        S.mode = mode
    finally:
        S.switching = False


def connect(target):
    S.target = target
    S.mode = None
    # Whole-set register access only: the split descriptions number the
    # registers differently from QEMU (see the top of the file).
    gdb.execute("set remote fetch-register-packet off", to_string=True)
    gdb.execute("set remote set-register-packet off", to_string=True)
    connect_raw("long")
    xml = gdb.execute("maint print xml-tdesc", to_string=True)
    S.tdir = S.tdir or tempfile.mkdtemp(prefix="boot-gdb.")
    for mode, arch in ARCH.items():
        path = os.path.join(S.tdir, "%s.xml" % arch)
        with open(path, "w") as f:
            f.write(make_tdesc(xml, arch))
        S.tdesc[mode] = path
    S.connecting = True
    try:
        sync_mode()
    finally:
        S.connecting = False
    out("boot: connected to %s; CPU in %s mode; gdb uses the %s description" % (
        target, S.mode, describe(S.mode)))


def describe(mode):
    return "x86-64 (QEMU's own)" if mode == "long" else "%s (32-bit halves)" % ARCH[mode]


def sync_mode(announce=False):
    """Reconnects with the description for the CPU's mode if it changed;
    the reconnect prints the stop location again, decoded for that mode."""
    if S.target is None:
        return
    mode = cpu_mode()
    if mode != S.mode:
        if S.mode is not None and not S.connecting:
            out("boot: the CPU is in %s mode now (the stop above was decoded for %s mode); "
                "reconnecting with the %s description" % (mode, S.mode, describe(mode)))
        connect_raw(mode)
    elif announce:
        out("boot: CPU in %s mode; gdb uses the %s description" % (mode, describe(mode)))


def real_linear():
    return ((reg("cs") & 0xffff) << 4) + (reg("eip") & 0xffff)


def symbolize(addr):
    best = None
    for a, n in S.symbols:
        if a <= addr:
            best = (a, n)
        else:
            break
    if best is None or addr - best[0] > 0x10000:
        return ""
    return " <%s+%d>" % (best[1], addr - best[0]) if addr != best[0] else " <%s>" % best[1]


def breakpoints_at(addr):
    hits = []
    for b in gdb.breakpoints():
        if not b.enabled or b.type not in (gdb.BP_BREAKPOINT, gdb.BP_HARDWARE_BREAKPOINT):
            continue
        for loc in getattr(b, "locations", []):
            if loc.enabled and loc.address == addr:
                hits.append(b)
    return hits


def report_real(event):
    cs, ip = reg("cs") & 0xffff, reg("eip") & 0xffff
    lin = real_linear()
    where = "%04x:%04x = linear 0x%x%s" % (cs, ip, lin, symbolize(lin))
    if lin != ip and event is not None and not isinstance(event, gdb.BreakpointEvent):
        bps = breakpoints_at(lin)
        if bps:
            out("boot: that SIGTRAP is breakpoint %s at %s (gdb compares IP, not CS:IP)" % (
                ", ".join(str(b.number) for b in bps), where))
    out("boot: real mode %s" % where)
    try:
        gdb.execute("x/i 0x%x" % lin)
    except gdb.error as e:
        out("boot: cannot read the instruction at 0x%x: %s" % (lin, e))


def on_stop(event):
    if S.target is None or S.quiet or S.switching:
        return
    try:
        sync_mode()
        if S.mode == "real":
            report_real(event)
    except gdb.error as e:
        out("boot: %s" % e)


def on_gdb_exiting(event):
    """Quitting gdb ends the QEMU it debugged (a detach would let it run
    on unobserved) and removes the descriptions written for it."""
    if S.target is not None and not S.switching:
        try:
            gdb.execute("kill", to_string=True)
        except gdb.error:
            pass
    if S.tdir:
        shutil.rmtree(S.tdir, ignore_errors=True)


def on_exit(event):
    if S.switching:
        return
    S.target = None
    S.mode = None


class LinearPC(gdb.Function):
    """$lpc(): the linear address of the next instruction: CS * 16 + IP in
    real mode, $pc otherwise.  "x/8i $lpc()" disassembles at CS:IP."""

    def __init__(self):
        super().__init__("lpc")

    def invoke(self):
        if cpu_mode() == "real":
            return gdb.Value(real_linear())
        return gdb.Value(reg("rip" if S.mode == "long" else "eip"))


class Boot(gdb.Command):
    """Debugging this loader under QEMU (tools/gdb/boot.py).

boot connect [HOST:]PORT   connect to QEMU's gdbstub (default 127.0.0.1:1234)
boot symbols [KERNEL.elf]  symbols of the MBR, stage2 and the kernel
                           (default build/kernel64.elf) at their linear addresses
boot mode                  the CPU mode; switches gdb's description if needed
boot where                 CS:IP, linear address, symbol and instruction
boot kernel                run to the kernel's entry point (hardware breakpoint)
boot bootinfo              at the kernel entry: the struct bootinfo it was handed
                           (RDI in long mode, EBX in protected mode)
$lpc()                     linear address of the next instruction (x/8i $lpc())"""

    def __init__(self):
        super().__init__("boot", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        args = gdb.string_to_argv(arg)
        if not args:
            gdb.execute("help boot")
            return
        cmd, rest = args[0], args[1:]
        if cmd == "connect":
            t = rest[0] if rest else "127.0.0.1:1234"
            connect(t if ":" in t else "127.0.0.1:" + t)
        elif cmd == "symbols":
            load_symbols(rest[0] if rest else os.path.join(BUILD, "kernel64.elf"))
        elif cmd == "mode":
            sync_mode(announce=True)
        elif cmd == "where":
            where()
        elif cmd == "kernel":
            run_to_kernel()
        elif cmd == "bootinfo":
            show_bootinfo()
        elif cmd == "stepover":
            stepover()
        else:
            raise gdb.GdbError("boot: unknown subcommand %s (help boot)" % cmd)


def add_file(path, base):
    elf = bootsyms.Elf(path)
    secs = bootsyms.section_addresses(elf, base)
    text = [a for n, a in secs if n == ".text"]
    args = " ".join("-s %s 0x%x" % (n, a) for n, a in secs if n != ".text")
    gdb.execute("add-symbol-file %s %s %s" % (path, "0x%x" % text[0] if text else "", args),
                to_string=True)
    S.symbols = sorted(set(S.symbols) | set(bootsyms.linear_symbols(elf, base)))
    return elf


def load_symbols(kernel):
    gdb.execute("set confirm off", to_string=True)
    for path in (os.path.join(BUILD, "mbr.elf"), os.path.join(BUILD, "stage2.elf"), kernel):
        if not os.path.isfile(path):
            raise gdb.GdbError("boot: %s not found (make all first)" % path)
    add_file(os.path.join(BUILD, "mbr.elf"), 0)
    s2 = bootsyms.Elf(os.path.join(BUILD, "stage2.elf"))
    base = bootsyms.stage2_code_base(s2)
    add_file(s2.path, base)
    types = os.path.join(BUILD, "gdb", "types.o")
    if os.path.isfile(types):
        gdb.execute("add-symbol-file %s 0" % types, to_string=True)
    S.kernel = add_file(kernel, 0)
    out("boot: symbols of mbr.elf, stage2.elf (code segment base 0x%x) and %s" % (
        base, os.path.relpath(kernel)))


def where():
    mode = cpu_mode()
    if mode == "real":
        report_real(None)
    else:
        out("boot: %s mode" % mode)
        gdb.execute("x/i $pc")


def silently(command):
    """Runs command without gdb's stop report (printed even with
    to_string=True) and without this script's."""
    S.quiet += 1
    try:
        gdb.execute("set suppress-cli-notifications on", to_string=True)
        gdb.execute(command, to_string=True)
    finally:
        gdb.execute("set suppress-cli-notifications off", to_string=True)
        S.quiet -= 1


def stepover():
    """Called by hook-continue: in real mode with CS != 0 gdb does not see
    that it stands on a breakpoint, so step off it first."""
    if S.target is None or cpu_mode() != "real":
        return
    lin = real_linear()
    if lin == (reg("eip") & 0xffff) or not breakpoints_at(lin):
        return
    silently("stepi")


def run_to_kernel():
    if S.kernel is None:
        raise gdb.GdbError("boot: no kernel symbols: boot symbols [KERNEL.elf] first")
    entry = S.kernel.entry
    # gdb decodes this stop with the old mode's description: say nothing
    # until the reconnect shows it right.
    if S.mode != "long" and entry >> 32:
        # A higher-half entry does not fit the 32-bit descriptions' address
        # size (gdb would cut it to 32 bits): plant the breakpoint in QEMU
        # directly, as the Z1 packet gdb would send in long mode.
        gdb.execute("maint packet Z1,%x,1" % entry, to_string=True)
        try:
            silently("continue")
        finally:
            gdb.execute("maint packet z1,%x,1" % entry, to_string=True)
    else:
        gdb.execute("thbreak *0x%x" % entry, to_string=True)
        silently("continue")
    mode = cpu_mode()
    if mode != S.mode:
        out("boot: kernel entry reached in %s mode; reconnecting with the %s description" % (
            mode, describe(mode)))
        connect_raw(mode)
    else:
        gdb.execute("frame")


def show_bootinfo():
    """The boot info at the kernel's entry: RDI in long mode, EBX in
    protected mode (also the first cdecl argument)."""
    mode = cpu_mode()
    if mode == "real":
        raise gdb.GdbError("boot: still in real mode; boot kernel first")
    ptr = reg("rdi" if mode == "long" else "ebx") & 0xffffffff
    out("boot: boot info at 0x%x" % ptr)
    gdb.execute("print *(struct bootinfo *)0x%x" % ptr)


LinearPC()
Boot()
gdb.events.stop.connect(on_stop)
gdb.events.exited.connect(on_exit)
gdb.events.gdb_exiting.connect(on_gdb_exiting)
# Before "continue": off a real-mode breakpoint gdb does not recognise.
gdb.execute("define hook-continue\nboot stepover\nend", to_string=True)
