#!/usr/bin/env python3
"""Symbols of the loader and kernel ELF files at the linear addresses they
run at, for debuggers that only know linear addresses (Bochs' debugger, and
QEMU's gdbstub, whose breakpoints and memory accesses are linear).

  tools/bootsyms.py bochs [--stage2] ELF OUT
      writes Bochs' "ldsym" format: one "<hex linear address> <name>" a line
  tools/bootsyms.py base [--stage2] ELF
      prints the code segment base the file's code runs with (hex)
  tools/bootsyms.py entry [--stage2] ELF
      prints the linear address of the file's entry point (hex)

The MBR and the kernels run where they are linked (the MBR with CS = 0, the
kernels flat), so their symbols are their ELF values.  Stage2 runs in flat
real mode with all its code in a segment of its own, CS = STAGE2_CODE_SEG:
its code is linked at its offsets in that segment (VMA 0 up), its data and
.bss at their linear addresses (DS = 0).  So a stage2 symbol of an
executable section lies at STAGE2_CODE_BASE + value, every other symbol at
its value.  Both numbers come from include/layout.h, their one owner.

Stage2's first instructions are the exception: the MBR jumps to
STAGE2_LOAD_SEG:0, where it loaded the head, and the head copies its code
to the code segment before it far-jumps there.  The entry point therefore
runs at STAGE2_LOAD_SEG * 16 + e_entry ("entry --stage2"); every symbol
file places _start and its neighbours in the code segment, where they run
from the far jump on.

Also imported by tools/gdb/boot.py (the gdb side of the same rule).
"""
import os
import re
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SHF_ALLOC = 0x2
SHF_EXECINSTR = 0x4
SHN_UNDEF = 0
SHN_LORESERVE = 0xff00
STT_NOTYPE, STT_OBJECT, STT_FUNC, STT_SECTION, STT_FILE = 0, 1, 2, 3, 4
STB_LOCAL = 0


class ElfError(Exception):
    pass


class Elf:
    """Sections, symbols and entry point of an ELF32/ELF64 little-endian
    file; every offset and count is checked against the file's size."""

    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            self.data = f.read()
        d = self.data
        if len(d) < 16 or d[:4] != b"\x7fELF":
            raise ElfError("%s: not an ELF file" % path)
        if d[4] not in (1, 2) or d[5] != 1:
            raise ElfError("%s: not a little-endian ELF32/ELF64 file" % path)
        self.is64 = d[4] == 2
        if self.is64:
            fields = self._unpack("<HHIQQQIHHHHHH", 16, "ELF header")
            (_, _, _, self.entry, _, shoff, _, _, _, _, shentsize, shnum, shstrndx) = fields
        else:
            fields = self._unpack("<HHIIIIIHHHHHH", 16, "ELF header")
            (_, _, _, self.entry, _, shoff, _, _, _, _, shentsize, shnum, shstrndx) = fields
        want = 64 if self.is64 else 40
        if shnum and shentsize < want:
            raise ElfError("%s: section header size %d, expected at least %d"
                           % (path, shentsize, want))
        self.sections = []
        for i in range(shnum):
            o = shoff + i * shentsize
            if self.is64:
                name, stype, flags, addr, off, size, link, _, _, entsize = self._unpack(
                    "<IIQQQQIIQQ", o, "section header %d" % i)
            else:
                name, stype, flags, addr, off, size, link, _, _, entsize = self._unpack(
                    "<IIIIIIIIII", o, "section header %d" % i)
            self.sections.append({"name_off": name, "type": stype, "flags": flags,
                                  "addr": addr, "offset": off, "size": size, "link": link,
                                  "entsize": entsize})
        if shnum and shstrndx < shnum:
            strtab = self.sections[shstrndx]
            for s in self.sections:
                s["name"] = self._string(strtab, s["name_off"])
        else:
            for s in self.sections:
                s["name"] = ""

    def _unpack(self, fmt, offset, what):
        size = struct.calcsize(fmt)
        if offset < 0 or offset + size > len(self.data):
            raise ElfError("%s: %s at offset %#x runs past the end of the file (%d bytes)"
                           % (self.path, what, offset, len(self.data)))
        return struct.unpack_from(fmt, self.data, offset)

    def _string(self, strtab, off):
        if strtab["type"] == 8 or off >= strtab["size"]:  # SHT_NOBITS
            raise ElfError("%s: string offset %#x outside its table" % (self.path, off))
        start = strtab["offset"] + off
        end = self.data.find(b"\0", start, strtab["offset"] + strtab["size"])
        if start > len(self.data) or end < 0:
            raise ElfError("%s: unterminated string at %#x" % (self.path, start))
        return self.data[start:end].decode("latin-1")

    def symbols(self):
        """(name, value, section index, type, binding) of every symbol in
        .symtab."""
        out = []
        for s in self.sections:
            if s["type"] != 2:  # SHT_SYMTAB
                continue
            if s["link"] >= len(self.sections):
                raise ElfError("%s: symbol table's string table index %d out of range"
                               % (self.path, s["link"]))
            strtab = self.sections[s["link"]]
            entsize = 24 if self.is64 else 16
            if s["entsize"] != entsize:
                raise ElfError("%s: symbol entry size %d, expected %d"
                               % (self.path, s["entsize"], entsize))
            for i in range(s["size"] // entsize):
                o = s["offset"] + i * entsize
                if self.is64:
                    name, info, _, shndx, value, _ = self._unpack("<IBBHQQ", o, "symbol %d" % i)
                else:
                    name, value, _, info, _, shndx = self._unpack("<IIIBBH", o, "symbol %d" % i)
                out.append((self._string(strtab, name), value, shndx, info & 0xf, info >> 4))
        return out

    def symbol(self, name):
        for n, value, shndx, _, _ in self.symbols():
            if n == name and shndx != SHN_UNDEF:
                return value
        raise ElfError("%s: no symbol %s" % (self.path, name))

    def alloc_sections(self):
        return [s for s in self.sections if s["flags"] & SHF_ALLOC and s["size"]]


def layout_define(name, root=ROOT):
    """A number from include/layout.h, its one owner."""
    path = os.path.join(root, "include", "layout.h")
    with open(path) as f:
        for line in f:
            m = re.match(r"#define %s\s+(0x[0-9a-fA-F]+|\d+)\b" % re.escape(name), line)
            if m:
                return int(m.group(1), 0)
    raise ElfError("%s: no #define %s" % (path, name))


def stage2_code_base(elf, root=ROOT):
    """Linear address of stage2's code segment (see the top of this file)."""
    base = layout_define("STAGE2_CODE_BASE", root)
    if base != layout_define("STAGE2_CODE_SEG", root) << 4:
        raise ElfError("include/layout.h: STAGE2_CODE_BASE is not STAGE2_CODE_SEG * 16")
    return base


def code_base(elf, is_stage2, root=ROOT):
    return stage2_code_base(elf, root) if is_stage2 else 0


def entry_linear(elf, is_stage2, root=ROOT):
    """Where the CPU executes the file's entry point."""
    if is_stage2:
        return (layout_define("STAGE2_LOAD_SEG", root) << 4) + elf.entry
    return elf.entry


def linear_symbols(elf, base, one_per_address=False):
    """Sorted (linear address, name) for every symbol that names a place in
    an allocated section (no files, sections, absolute values or local
    compiler labels); symbols of executable sections are moved by base.
    one_per_address keeps the most telling name of those at one address:
    a function or object before a plain label, global before local (Bochs
    shows no name at all for an address listed twice)."""
    out = set()
    best = {}
    secs = elf.sections
    for name, value, shndx, stype, bind in elf.symbols():
        if not name or name.startswith(".L") or stype in (STT_SECTION, STT_FILE):
            continue
        if shndx == SHN_UNDEF or shndx >= SHN_LORESERVE or shndx >= len(secs):
            continue
        sec = secs[shndx]
        if not sec["flags"] & SHF_ALLOC:
            continue
        addr = value + (base if sec["flags"] & SHF_EXECINSTR else 0)
        out.add((addr, name))
        rank = (stype in (STT_FUNC, STT_OBJECT), bind != STB_LOCAL, name)
        if addr not in best or rank > best[addr][0]:
            best[addr] = (rank, name)
    if one_per_address:
        return sorted((a, r[1]) for a, r in best.items())
    return sorted(out)


def section_addresses(elf, base):
    """(name, linear address) of each allocated section, for gdb's
    add-symbol-file -s."""
    return [(s["name"], s["addr"] + (base if s["flags"] & SHF_EXECINSTR else 0))
            for s in elf.alloc_sections()]


def write_bochs(elf, is_stage2, out):
    """Bochs' ldsym format (bx_dbg_symbol_command): "<hex address> <name>".
    Stage2's entry point also gets a name where the MBR jumps to it, before
    the head moves itself: "<entry symbol>@load"."""
    base = code_base(elf, is_stage2)
    syms = dict((a, n) for a, n in linear_symbols(elf, base, one_per_address=True))
    if is_stage2:
        names = [n for a, n in linear_symbols(elf, base) if a == elf.entry + base]
        syms[entry_linear(elf, True)] = (names[0] if names else "entry") + "@load"
    lines = ["%08x %s\n" % an for an in sorted(syms.items())]
    if not lines:
        raise ElfError("%s: no symbols (stripped?)" % elf.path)
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        f.writelines(lines)
    os.replace(tmp, out)


def main(argv):
    usage = "usage: bootsyms.py bochs [--stage2] ELF OUT | bootsyms.py base|entry [--stage2] ELF"
    if not argv or argv[0] not in ("bochs", "base", "entry"):
        print(usage, file=sys.stderr)
        return 2
    cmd, args = argv[0], argv[1:]
    is_stage2 = "--stage2" in args
    args = [a for a in args if a != "--stage2"]
    if len(args) != (2 if cmd == "bochs" else 1) or any(a.startswith("-") for a in args):
        print(usage, file=sys.stderr)
        return 2
    try:
        elf = Elf(args[0])
        base = code_base(elf, is_stage2)
        if cmd == "base":
            print("%#x" % base)
        elif cmd == "entry":
            print("%#x" % entry_linear(elf, is_stage2))
        else:
            write_bochs(elf, is_stage2, args[1])
    except (OSError, ElfError) as e:
        print("bootsyms: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
