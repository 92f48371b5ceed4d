"""Shared by the boot tests (tests/boot/*test.py): numbers from the project's
headers (their one owner), the kernel report and SeaBIOS table parsers,
interval arithmetic, QEMU's monitor and screendumps (Monitor, read_ppm), and
the runner of a suite's cases (run_cases).  Not a test itself: tests/run runs only *test.py."""
import concurrent.futures
import os
import re
import socket
import struct
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
PAGE = 4096
MIB = 1 << 20
FOUR_GIB = 1 << 32


def define(header, name):
    """A number from include/<header>: `#define NAME 0x..`, `NAME 123` or
    `NAME (1u << n)`."""
    with open(os.path.join(ROOT, "include", header)) as f:
        for line in f:
            m = re.match(r"#define %s\s+\(?(0x[0-9a-fA-F]+|\d+)u?(?:\s*<<\s*(\d+)\))?" % name,
                         line)
            if m:
                v = int(m.group(1), 0)
                return v << int(m.group(2)) if m.group(2) else v
    raise KeyError("%s not in include/%s" % (name, header))


def build_symbol(header, name):
    """An offset the build generated from the linked binaries:
    build/mbr_syms.h (MBR_SYM_*) or build/stage2_syms.h (STAGE2_SYM_*)."""
    with open(os.path.join(BUILD, header)) as f:
        for line in f:
            m = re.match(r"#define (\w+) (0x[0-9a-fA-F]+)", line)
            if m and m.group(1) == name:
                return int(m.group(2), 16)
    raise KeyError("%s not in build/%s" % (name, header))


def image_layout(path):
    """Where things are in an image the image builder or installer made: the
    first partition's LBA, stage2's LBA, its core's sectors (head and
    compressed body: what the MBR loads), the head's size in bytes, the
    extension's sectors, and the raw layout's kernel LBA; read from the image
    itself (the MBR's patched fields, the stage2 header)."""
    with open(path, "rb") as f:
        img = f.read(1 << 20)
    sector = define("layout.h", "SECTOR_SIZE")
    mbr_base = define("layout.h", "MBR_LOAD_ADDR")
    s2_lba, = struct.unpack_from("<I", img, build_symbol("mbr_syms.h", "MBR_SYM_s2_lba") - mbr_base)
    core = img[build_symbol("mbr_syms.h", "MBR_SYM_s2_sectors") - mbr_base]
    s2 = s2_lba * sector

    def hdr(name, fmt="<I"):
        return struct.unpack_from(fmt, img, s2 + build_symbol("stage2_syms.h", name))[0]
    part_lba, = struct.unpack_from("<I", img, define("layout.h", "MBR_PART_TABLE_OFF") + 8)
    return {"stage2_lba": s2_lba, "core_sectors": core,
            "head_bytes": build_symbol("stage2_syms.h", "STAGE2_SYM_head_image_size"),
            "ext_sectors": hdr("STAGE2_SYM_hdr_ext_sectors"),
            "kernel_lba": hdr("STAGE2_SYM_hdr_kernel_lba", "<Q"), "part_lba": part_lba}


def mbr_sum(path):
    """Recomputes the MBR's s2_sum field after a test changed stage2's core
    (so that the head's own checks, not the MBR's, meet the change)."""
    lay = image_layout(path)
    sector = define("layout.h", "SECTOR_SIZE")
    with open(path, "r+b") as f:
        f.seek(lay["stage2_lba"] * sector)
        core = f.read(lay["core_sectors"] * sector)
        total = sum(struct.unpack("<%dI" % (len(core) // 4), core)) & 0xFFFFFFFF
        f.seek(build_symbol("mbr_syms.h", "MBR_SYM_s2_sum") - define("layout.h", "MBR_LOAD_ADDR"))
        f.write(struct.pack("<I", total))


def page_down(a):
    return a & ~(PAGE - 1)


def page_up(a):
    return page_down(a + PAGE - 1)


def subtract(intervals, cut):
    """intervals minus cut, both lists of [start, end)."""
    out = []
    for s, e in intervals:
        pieces = [(s, e)]
        for cs, ce in cut:
            nxt = []
            for ps, pe in pieces:
                if ce <= ps or cs >= pe:
                    nxt.append((ps, pe))
                    continue
                if ps < cs:
                    nxt.append((ps, cs))
                if ce < pe:
                    nxt.append((ce, pe))
            pieces = nxt
        out.extend(pieces)
    return out


def overlaps(a, b):
    return a[0] < b[1] and b[0] < a[1]


def _kv(words):
    return dict(w.split("=", 1) for w in words if "=" in w)


def parse_report(text):
    """The example kernel's report (README.md).  map entries are
    (base, length, type); raw entries (base, length, type, attr)."""
    rep = {"raw": [], "map": [], "loader": [], "kernel": None, "summary": None,
           "end": None, "touch": None, "conv_kib": None, "a20": None, "quirks": {},
           "dump": {}}
    for line in text.replace("\r", "").split("\n"):
        f = line.split()
        if not f:
            continue
        if f[0] == "raw" and len(f) == 5:
            rep["raw"].append((int(f[1], 16), int(f[2], 16), int(f[3]), int(f[4], 16)))
        elif f[0] == "map" and len(f) == 4:
            rep["map"].append((int(f[1], 16), int(f[2], 16), f[3]))
        elif f[0] == "region" and len(f) == 4:
            r = (int(f[2], 16), int(f[3], 16))
            if f[1] == "loader":
                rep["loader"].append(r)
            elif f[1] == "kernel":
                rep["kernel"] = r
        elif f[0] == "summary":
            rep["summary"] = _kv(f[1:])
        elif f[0] == "touch":
            rep["touch"] = _kv(f[1:])
        elif f[0] == "quirks":
            rep["quirks"].update(_kv(f[1:]))
        elif f[0] == "end":
            rep["end"] = line.strip()
        elif f[0] == "dump" and len(f) >= 2:  # tools/bochs-run --dump
            a = int(f[1], 16)
            for i, b in enumerate(f[2:]):
                rep["dump"][a + i] = int(b, 16)
        m = re.search(r"Conventional memory: (\d+) KiB, EBDA at \S+, A20: (\S+),", line)
        if m:
            rep["conv_kib"], rep["a20"] = int(m.group(1)), m.group(2)
    return rep


def map_ranges(rep):
    """The report's map as (type, start, end) triples."""
    return [(t, b, b + l) for b, l, t in rep["map"]]


def parse_seabios_e820(text):
    """The last 'e820 map has N items' table SeaBIOS printed on port 0x402,
    as (base, length, type); None if there is none or it is cut short."""
    tables = re.findall(r"e820 map has (\d+) items:\n((?:\s+\d+: .*\n?)+)", text)
    if not tables:
        return None
    count, body = tables[-1]
    entries = []
    for m in re.finditer(r"\d+: ([0-9a-f]{16}) - ([0-9a-f]{16}) = (\d+)", body):
        start, end = int(m.group(1), 16), int(m.group(2), 16)
        entries.append((start, end - start, int(m.group(3))))
    return entries if len(entries) == int(count) else None


def kernel_pages(path):
    """Page-rounded PT_LOAD ranges of an ELF32/ELF64 kernel, merged."""
    with open(path, "rb") as f:
        elf = f.read()
    if elf[:4] != b"\x7fELF":
        raise ValueError("%s is not ELF" % path)
    is64 = elf[4] == 2
    phoff = struct.unpack_from("<Q" if is64 else "<I", elf, 0x20 if is64 else 0x1C)[0]
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36 if is64 else 0x2A)
    runs = []
    for i in range(phnum):
        o = phoff + i * phentsize
        if is64:
            ptype, _, _, _, paddr, _, memsz, _ = struct.unpack_from("<IIQQQQQQ", elf, o)
        else:
            ptype, _, _, paddr, _, memsz, _, _ = struct.unpack_from("<IIIIIIII", elf, o)
        if ptype == 1 and memsz:
            runs.append((page_down(paddr), page_up(paddr + memsz)))
    runs.sort()
    merged = []
    for s, e in runs:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


MAP_TYPES = {"usable", "reserved", "acpi-reclaimable", "acpi-nvs", "bad", "persistent",
             "loader", "kernel"}


def map_form_problems(m):
    """What a kernel may rely on in any sanitized map, (base, length, type)
    entries: known types, no empty entries, sorted, no overlap, equal
    neighbours merged, usable ranges whole 4 KiB pages."""
    bad = []
    for i, (b, l, t) in enumerate(m):
        if t not in MAP_TYPES:
            bad.append("unknown map type %s" % t)
        if l == 0:
            bad.append("zero-length map entry at %#x" % b)
        if i and b < m[i - 1][0] + m[i - 1][1]:
            bad.append("map unsorted or overlapping at %#x" % b)
        if i and m[i - 1][2] == t and m[i - 1][0] + m[i - 1][1] == b:
            bad.append("adjacent %s entries not merged at %#x" % (t, b))
        if t == "usable" and (b % PAGE or l % PAGE):
            bad.append("usable entry %#x+%#x not 4 KiB aligned" % (b, l))
    return bad


class Reporter:
    """One PASS/FAIL line per test (tests/run counts them), thread-safe."""

    def __init__(self):
        self.lock = threading.Lock()
        self.failed = []

    def __call__(self, name, bad):
        with self.lock:
            if bad:
                self.failed.append(name)
                print("FAIL %s: %s" % (name, "; ".join(bad)[:3000]), flush=True)
            else:
                print("PASS %s" % name, flush=True)


def run_cases(tests, only, jobs):
    """Runs the cases tests(tmp) returns ({name: fn}, fn() -> list of
    problems), those whose name contains ONLY, JOBS at a time, in a temporary
    directory; prints "PASS name" or "FAIL name: problems" for each and a
    timing line; returns the exit status (1 if any failed)."""
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        cases = {k: v for k, v in tests(tmp).items() if only in k}

        def run(item):
            name, fn = item
            t0 = time.monotonic()
            try:
                problems = fn()
            except Exception as e:  # a broken test is a failure, not a crash
                problems = ["test raised %r" % e]
            return name, problems, time.monotonic() - t0

        failed = 0
        times = []
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as ex:
            for name, problems, secs in ex.map(run, cases.items()):
                times.append((secs, name))
                if problems:
                    failed += 1
                    print("FAIL %s: %s" % (name, "; ".join(problems)), flush=True)
                else:
                    print("PASS %s" % name, flush=True)
    slow = max(times) if times else (0, "-")
    print("# %d tests in %.1f s wall, slowest %s %.1f s"
          % (len(times), time.monotonic() - start, slow[1], slow[0]))
    return 1 if failed else 0


ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class Monitor:
    """QEMU's human monitor on a UNIX socket (-monitor unix:PATH,server,nowait);
    waits up to 10 s for QEMU to create it."""

    def __init__(self, path, timeout=20):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        for _ in range(100):
            try:
                self.s.connect(path)
                break
            except OSError:
                time.sleep(0.1)
        else:
            self.s.connect(path)  # the error, with its reason
        self.s.settimeout(timeout)
        self._read()

    def _read(self):
        buf = b""
        while not buf.endswith(b"(qemu) "):
            d = self.s.recv(65536)
            if not d:
                break
            buf += d
        return ANSI.sub("", buf.decode(errors="replace")).replace("\r", "")

    def cmd(self, line):
        """The monitor's answer to LINE, without the echo of the line."""
        self.s.sendall(line.encode() + b"\n")
        out = self._read()
        return out.split("\n", 1)[1] if "\n" in out else ""

    def quit(self):
        """Ends QEMU and waits for the monitor to close."""
        try:
            self.s.sendall(b"quit\n")
            while self.s.recv(65536):
                pass
        except OSError:
            pass
        self.s.close()


def read_ppm(path):
    """A binary 8-bit PPM (QEMU's screendump) as (width, height, RGB bytes)."""
    data = open(path, "rb").read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b"P6" or int(fields[3]) != 255:
        raise ValueError("not a binary 8-bit PPM: %r" % fields)
    w, h = int(fields[1]), int(fields[2])
    return w, h, data[pos + 1:pos + 1 + 3 * w * h]
