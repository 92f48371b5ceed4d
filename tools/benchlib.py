"""Shared pieces of tools/bench, tools/inscount and their tests: numbers from the
project's headers and build outputs, the benchmark's disk images, QEMU boots.

Every address, size and status value comes from the build (include/*.h, the
linked ELF files' symbols and program headers), never retyped here.
"""
import os
import re
import resource
import shutil
import statistics
import struct
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
BENCH = os.path.join(BUILD, "bench")
QEMU_RUN = os.path.join(ROOT, "tools", "qemu-run")
GRUB_IMAGE = os.path.join(ROOT, "tools", "grub-image")

# tools/qemu-run's exit status (its header comment is the owner).
RUN_OK, RUN_KERNEL_FAIL, RUN_LOADER_ERROR, RUN_HANG, RUN_RESET = 0, 1, 2, 3, 4
RUN_WORDS = {0: "kernel started", 1: "kernel saw the wrong entry magic",
             2: "loader error", 3: "hang", 4: "reset or triple fault", 5: "QEMU failed"}

# Partition types a FAT file system is given in an MBR partition table.
FAT_PART_TYPES = (0x01, 0x04, 0x06, 0x0B, 0x0C, 0x0E)


class BenchError(Exception):
    pass


def defines(header):
    """#define NAME <number> lines of include/<header> as a dict."""
    out = {}
    with open(os.path.join(ROOT, "include", header)) as f:
        for m in re.finditer(r"^#define\s+([A-Z0-9_]+)\s+(0x[0-9a-fA-F]+|\d+)", f.read(), re.M):
            out[m.group(1)] = int(m.group(2), 0)
    return out


def post_codes():
    """POST code -> name: every POST_* constant of the headers in include/ and
    stage2/ (#define POST_X 0x.. or an enum's POST_X = 0x..)."""
    codes = {}
    for d in ("include", "stage2"):
        for n in sorted(os.listdir(os.path.join(ROOT, d))):
            if n.endswith(".h"):
                with open(os.path.join(ROOT, d, n)) as f:
                    for m in re.finditer(r"^\s*(?:#define\s+)?(POST_[A-Z0-9_]+)\s*=?\s*"
                                         r"(0x[0-9a-fA-F]+)\b", f.read(), re.M):
                        if not m.group(1).endswith("_PORT"):
                            codes.setdefault(int(m.group(2), 16), m.group(1))
    return codes


def symbols(elf):
    """Symbol -> value for every symbol nm lists in ELF."""
    p = subprocess.run(["nm", elf], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise BenchError("nm %s failed: %s" % (elf, p.stderr.strip()))
    out = {}
    for line in p.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3:
            out[parts[2]] = int(parts[0], 16)
    return out


def elf_info(path):
    """(entry, [(offset, filesz, paddr, memsz, flags, vaddr) of each PT_LOAD])."""
    with open(path, "rb") as f:
        head = f.read(64)
        if head[:4] != b"\x7fELF":
            raise BenchError("%s is not an ELF file" % path)
        is64 = head[4] == 2
        if is64:
            entry, phoff = struct.unpack_from("<QQ", head, 24)
            phentsize, phnum = struct.unpack_from("<HH", head, 54)
        else:
            entry, phoff = struct.unpack_from("<II", head, 24)
            phentsize, phnum = struct.unpack_from("<HH", head, 42)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    loads = []
    for i in range(phnum):
        ph = table[i * phentsize:(i + 1) * phentsize]
        if is64:
            ptype, flags, off, vaddr, paddr, filesz, memsz = struct.unpack_from("<IIQQQQQ", ph)
        else:
            ptype, off, vaddr, paddr, filesz, memsz, flags = struct.unpack_from("<IIIIIII", ph)
        if ptype == 1:
            loads.append((off, filesz, paddr, memsz, flags, vaddr))
    return entry, loads


def partition1(image):
    """(type, first LBA, sectors) of the first MBR partition entry of IMAGE."""
    layout = defines("layout.h")
    with open(image, "rb") as f:
        mbr = f.read(layout["SECTOR_SIZE"])
    pe = mbr[layout["MBR_PART_TABLE_OFF"]:layout["MBR_PART_TABLE_OFF"] + 16]
    return pe[4], struct.unpack_from("<I", pe, 8)[0], struct.unpack_from("<I", pe, 12)[0]


def run_make(*args):
    p = subprocess.run(["make", "--no-print-directory", "-C", ROOT] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return p.returncode, p.stdout


def loader_image(kernel, out, **make_vars):
    """This loader's image for KERNEL, through the user's interface (make image)."""
    extra = ["%s=%s" % kv for kv in sorted(make_vars.items())]
    rc, log = run_make("image", "KERNEL=" + kernel, "IMAGE=" + out, *extra)
    if rc != 0:
        raise BenchError("make image KERNEL=%s %s failed:\n%s" % (kernel, " ".join(extra),
                                                                    log.strip()))
    return out


def grub_image(kernel, protocol, out):
    p = subprocess.run([GRUB_IMAGE, "--kernel", kernel, "--protocol", protocol, "-o", out],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        raise BenchError("tools/grub-image failed:\n" + p.stdout.strip())
    return p.stdout.strip()


def sector_image(boot_bin, out, size=1 << 20):
    """A boot sector alone on a disk of SIZE bytes (q35's AHCI wants >= 516096)."""
    with open(boot_bin, "rb") as f:
        code = f.read()
    with open(out, "wb") as f:
        f.write(code)
        f.truncate(size)
    return out


def kernel_sectors(kernel):
    """The sectors of KERNEL's file that hold loadable bytes: (first, count)."""
    sector = defines("layout.h")["SECTOR_SIZE"]
    _, loads = elf_info(kernel)
    spans = [(off, off + filesz) for off, filesz, _, _, _, _ in loads if filesz]
    if not spans:
        raise BenchError("%s has no loadable bytes" % kernel)
    first = min(s for s, _ in spans) // sector
    end = -(-max(e for _, e in spans) // sector)
    return first, end - first


def raw_image(loader_img, kernel, out):
    """LOADER_IMG with its boot code replaced by the raw-read stage, which reads
    the sectors of KERNEL's loadable bytes from partition 1 (where this
    loader's raw layout keeps the kernel file) and exits."""
    layout = defines("layout.h")
    ptype, lba, _ = partition1(loader_img)
    if ptype in FAT_PART_TYPES:
        raise BenchError("%s: partition 1 is FAT, the raw-read stage needs the raw layout"
                         % loader_img)
    first, count = kernel_sectors(kernel)
    elf = os.path.join(BENCH, "rawread.elf")
    syms = symbols(elf)
    with open(os.path.join(BENCH, "rawread.bin"), "rb") as f:
        code = bytearray(f.read())
    base = layout["MBR_LOAD_ADDR"]
    struct.pack_into("<I", code, syms["read_lba"] - base, lba + first)
    struct.pack_into("<I", code, syms["read_count"] - base, count)
    shutil.copyfile(loader_img, out)
    with open(out, "r+b") as f:
        f.write(code[:layout["MBR_CODE_LIMIT"]])
    return out, count


def boot(image, machine="pc", drive_if="ide", mem="128M", timeout=120, snapshot=True,
         extra=(), output=None):
    """Boots IMAGE with tools/qemu-run; returns (qemu-run status, wall seconds,
    CPU seconds of qemu-run and everything it ran, QEMU's threads included).
    OUTPUT, a list, receives the serial output (the loader's messages)."""
    cmd = [QEMU_RUN, "--machine", machine, "--drive-if", drive_if, "-m", mem,
           "--timeout", str(timeout)]
    if snapshot:
        cmd.append("--snapshot")
    cmd.append(image)
    if extra:
        cmd += ["--"] + list(extra)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL if output is None else subprocess.PIPE,
                       stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    wall = time.monotonic() - start
    if output is not None:
        output.append(p.stdout.decode("latin-1"))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return p.returncode, wall, cpu


def post_timeline(image, trace, machine="pc", drive_if="ide"):
    """One boot of IMAGE with QEMU's trace of every I/O write, timestamped
    (-msg timestamp=on, written to TRACE): [(seconds, POST code)] for each
    write to port 0x80, then (seconds, None) for the write to the exit device
    that ends the boot.  Tracing costs each I/O write some microseconds, so
    phases that print (to COM1 and port 0xE9) read a little long."""
    status = defines("status.h")
    post_port = defines("portio.h")["POST_PORT"]
    rc = boot(image, machine=machine, drive_if=drive_if, timeout=60,
              extra=("-msg", "timestamp=on", "-trace", "memory_region_ops_write", "-D", trace))[0]
    if rc != RUN_OK:
        raise BenchError("%s did not boot under the trace (%s)" % (image, RUN_WORDS.get(rc, rc)))
    line_re = re.compile(r"@(\d+\.\d+):memory_region_ops_write .*?addr (0x[0-9a-f]+) "
                         r"value (0x[0-9a-f]+)")
    out = []
    with open(trace, errors="replace") as f:
        for line in f:
            m = line_re.search(line)
            if not m:
                continue
            addr = int(m.group(2), 16)
            if addr == post_port:
                out.append((float(m.group(1)), int(m.group(3), 16)))
            elif addr == status["QEMU_EXIT_PORT"]:
                out.append((float(m.group(1)), None))
    return out


def post_phases(image, trace, runs, machine="pc", drive_if="ide"):
    """Median milliseconds of each phase of RUNS boots: from the MBR's first
    POST code to stage2's, from each of stage2's codes to the next, and from
    the last to the kernel's exit: [(name of the code that starts it, ms)]."""
    names = post_codes()
    start = defines("post.h")["POST_MBR_START"]
    per = {}
    order = []
    for _ in range(runs):
        line = post_timeline(image, trace, machine, drive_if)
        t0 = [i for i, (_, c) in enumerate(line) if c == start]
        if not t0:
            raise BenchError("%s: no POST_MBR_START on port 0x80" % image)
        # The MBR's own codes are its start and its failure: the phase
        # runs to stage2's first code.
        marks = [line[t0[0]]] + [(t, c) for t, c in line[t0[0] + 1:] if c is None or c >= 0x80]
        for (t, c), (t2, _) in zip(marks, marks[1:]):
            name = names.get(c, "0x%02x" % c)
            if name not in per:
                per[name] = []
                order.append(name)
            per[name].append((t2 - t) * 1000)
    return [(n, statistics.median(per[n])) for n in order]


def machine_name():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"^model name\s*:\s*(.*)$", f.read(), re.M)
            if m:
                cpu = m.group(1).strip()
    except OSError:
        pass
    qemu = subprocess.run(["qemu-system-x86_64", "--version"], stdout=subprocess.PIPE,
                          text=True).stdout.splitlines()[0]
    qemu = qemu.replace("QEMU emulator version ", "QEMU ")
    return "%s, %d cores; %s" % (cpu, os.cpu_count() or 0, qemu)
