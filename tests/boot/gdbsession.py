"""A scripted gdb session for tests/boot/debugtest.py, run inside gdb after
tools/gdb/boot.py has connected and loaded the symbols (tools/gdb/qemu-gdb
... -batch -x gdbsession.py).  It drives the debugger the way a user would
(breakpoints by symbol, continue, the boot commands) and writes what it saw
as JSON to $DEBUGTEST_OUT; the test compares that with ground truth it
derives on its own (SeaBIOS's log, the ELF files, include/*.h).

$DEBUGTEST_SESSION picks the session:
  walk   break detect_memory_e820; with $DEBUGTEST_CALL_SITE (linear) stop
         after each E820 BIOS call there and read the buffer, then run to
         $DEBUGTEST_KERNEL_ENTRY; without, "boot kernel"; then the
         boot-info argument
  vga    run to the kernel's finish() and read the VGA text screen
"""
import json
import os

import gdb

result = {"stops": [], "errors": []}


def reg(name):
    return int(gdb.parse_and_eval("$" + name)) & ((1 << 64) - 1)


def mem(addr, n):
    return bytes(gdb.selected_inferior().read_memory(addr, n))


def u(data, off, n):
    return int.from_bytes(data[off:off + n], "little")


def mode():
    if reg("efer") & (1 << 10):
        return "long"
    return "protected" if reg("cr0") & 1 else "real"


def arch():
    return gdb.selected_frame().architecture().name()


def cont():
    """continue; False once the target is gone (the kernel ended QEMU)."""
    try:
        gdb.execute("continue")
    except gdb.error as e:
        result["errors"].append("continue: %s" % e)
        return False
    return gdb.selected_inferior().pid != 0


def walk():
    gdb.execute("break detect_memory_e820")
    if not cont():
        return
    lin = int(gdb.parse_and_eval("$lpc()"))
    result["e820_stop"] = {
        "mode": mode(), "arch": arch(), "cs": reg("cs") & 0xffff, "ip": reg("eip") & 0xffff,
        "linear": lin, "bytes": mem(lin, 16).hex(),
        "insn": gdb.execute("x/i $lpc()", to_string=True)}
    gdb.execute("delete")
    if os.environ.get("DEBUGTEST_CALL_SITE"):
        site = int(os.environ["DEBUGTEST_CALL_SITE"], 0)
        buf = int(gdb.parse_and_eval("&e820_buf"))
        result["e820_buf"] = buf
        gdb.execute("break *0x%x" % site)
        gdb.execute("hbreak *%s" % os.environ["DEBUGTEST_KERNEL_ENTRY"])
        # Each stop after a BIOS call: the entry the BIOS just wrote.  Both
        # walks (the second one cross-checks the first) pass here.
        for _ in range(200):
            if not cont():
                return
            if mode() != "real":
                break
            lin = int(gdb.parse_and_eval("$lpc()"))
            e = mem(buf, 20)
            result["stops"].append({"linear": lin, "base": u(e, 0, 8), "length": u(e, 8, 8),
                                    "type": u(e, 16, 4)})
    else:
        gdb.execute("boot kernel")
    m = mode()
    k = {"mode": m, "arch": arch()}
    if m == "long":
        k.update(pc=reg("rip"), rdi=reg("rdi"), rsi=reg("rsi"))
        k["at_arg"] = mem(k["rdi"], 8).hex()
    else:
        esp = reg("esp")
        k.update(pc=reg("eip"), eax=reg("eax"), ebx=reg("ebx"), esp=esp,
                 stack=[u(mem(esp + 4 * i, 4), 0, 4) for i in range(3)])
        k["at_arg"] = mem(k["ebx"], 8).hex()
    # The kernel's own debug information, in the description of its mode.
    k["dwarf_signature"] = int(gdb.parse_and_eval("bi->header.signature"))
    result["kernel_stop"] = k


def vga():
    gdb.execute("hbreak finish")
    if not cont():
        return
    cols, rows = 80, 25
    text = mem(0xb8000, cols * rows * 2)
    # Rows as they are (80 characters each): a longer line wraps.
    result["vga"] = ["".join(chr(text[(r * cols + c) * 2]) for c in range(cols))
                     for r in range(rows)]
    result["mode"] = mode()


try:
    {"walk": walk, "vga": vga}[os.environ["DEBUGTEST_SESSION"]]()
except Exception as e:  # reported, not raised: the test names what broke
    result["errors"].append("%s: %s" % (type(e).__name__, e))
with open(os.environ["DEBUGTEST_OUT"], "w") as f:
    json.dump(result, f)
