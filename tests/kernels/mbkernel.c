/*
 * The Multiboot test kernel: checks what a Multiboot1 or Multiboot2 boot
 * loader handed over, prints it on COM1 and port 0xE9 as a report
 * (tests/boot/multiboottest.py parses it; the same kernel runs under this
 * loader and under GRUB), and exits QEMU through isa-debug-exit (Bochs
 * through its shutdown port).
 *
 * Built from this file and one entry stub (tests/kernels/mb*.S, which holds
 * the header): MB_VERSION 1 or 2.  The structure is read with offsets from
 * the specifications (include/multiboot.h, include/multiboot2.h); whatever
 * is malformed (a tag past the end, a misaligned tag, a size that does not
 * add up, a string without its NUL) ends the run with "end fail <why>".
 *
 * Report lines (numbers in hex unless named otherwise):
 *   mbtest proto=<1|2> magic=0x.. info=0x..    the registers at entry
 *   state cr0=0x.. eflags=0x..                 protected mode, paging off
 *   flags 0x..                                 Multiboot1: the info flags
 *   tag <type> <size>                          Multiboot2: each tag seen
 *   mem lower=<KiB> upper=<KiB>                (decimal)
 *   bootdev 0x<drive> 0x<part> 0x<sub>
 *   cmdline "<string>"                         strings: \xHH for anything
 *   loader "<string>"                             but printable ASCII
 *   module <i> 0x<start> 0x<end> crc=0x<crc32> "<string>"
 *   mmap 0x<base> 0x<length> <type>
 *   elf num=<n> entsize=<n> shndx=<n>          (decimal)
 *   section <name> type=<n> loaded=<0|1>       non-alloc sections with data
 *   symbols ok <n>                             the symbol table names this
 *                                              kernel's marker at its address
 *   fb 0x<addr> <width>x<height>x<bpp> type=<n>
 *   rsdp <old|new> rev=<n> oem=<id> rsdt=0x.. match=<0|1>
 *   loadbase 0x..
 *   end ok | end fail <why>
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "crc32.h"
#include "elf.h"
#include "format.h"
#include "multiboot.h"
#include "multiboot2.h"
#include "portio.h"
#include "status.h"

void mbk_main(uint32_t magic, uint32_t info);

/* The symbol this kernel looks for in its own symbol table. */
volatile uint32_t mbk_marker = 0x4d424b21;

static int have_serial;

static void out_putc(char c, void *ctx)
{
	(void)ctx;
	if (have_serial) {
		if (c == '\n')
			serial_putc('\r');
		serial_putc(c);
	}
	outb(DEBUGCON_PORT, (uint8_t)c);
}

static void __attribute__((format(printf, 1, 2))) print(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vformat(out_putc, 0, fmt, ap);
	va_end(ap);
}

static _Noreturn void __attribute__((format(printf, 1, 2))) fail(const char *fmt, ...)
{
	va_list ap;

	print("end fail ");
	va_start(ap, fmt);
	vformat(out_putc, 0, fmt, ap);
	va_end(ap);
	print("\n");
	emulator_finish(0);
}

/* Physical memory by address.  The empty asm hides the address from gcc,
 * which otherwise takes a constant one for a zero-length object. */
static const volatile uint8_t *at(uint32_t a)
{
	const volatile uint8_t *p;

	__asm__("" : "=r"(p) : "0"((uintptr_t)a));
	return p;
}

static uint32_t rd32(uint32_t a)
{
	return *(const volatile uint32_t *)at(a);
}

static uint64_t rd64(uint32_t a)
{
	return rd32(a) | (uint64_t)rd32(a + 4) << 32;
}

static uint16_t rd16(uint32_t a)
{
	return *(const volatile uint16_t *)at(a);
}

static uint8_t rd8(uint32_t a)
{
	return *at(a);
}

/* A NUL-terminated string at a, at most max bytes with its NUL; its length,
 * or a failure naming what. */
static uint32_t str_len(uint32_t a, uint32_t max, const char *what)
{
	for (uint32_t n = 0; n < max; n++)
		if (!rd8(a + n))
			return n;
	fail("%s: no NUL within %u bytes", what, max);
}

static void print_string(const char *key, uint32_t a, uint32_t max)
{
	uint32_t n = str_len(a, max, key);

	print("%s\"", key);
	for (uint32_t i = 0; i < n; i++) {
		uint8_t c = rd8(a + i);
		if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
			print("\\x%02x", c);
		else
			print("%c", c);
	}
	print("\"\n");
}

static uint32_t crc_table[CRC32_TABLE_ENTRIES];

static void module(uint32_t i, uint32_t start, uint32_t end, uint32_t string, uint32_t max)
{
	if (end < start)
		fail("module %u ends (0x%x) before it starts (0x%x)", i, end, start);
	/* Both headers ask for page-aligned modules. */
	if (start & (MULTIBOOT_MOD_ALIGN - 1))
		fail("module %u at 0x%x is not page-aligned", i, start);
	uint32_t crc = crc32_update_table(crc_table, 0, (const void *)(uintptr_t)start,
					  end - start);
	print("module %u 0x%x 0x%x crc=0x%08x ", i, start, end, crc);
	print_string("", string, max);
}

static void mmap_entry(uint64_t base, uint64_t len, uint32_t type)
{
	print("mmap 0x%llx 0x%llx %u\n", (unsigned long long)base, (unsigned long long)len, type);
}

/* A section header of either class (ELF64 kernels: e_shentsize 64). */
struct sec {
	uint32_t name, type, link;
	uint64_t flags, addr, size;
};

static struct sec section(uint32_t table, uint32_t entsize, uint32_t i)
{
	uint32_t p = table + i * entsize;

	if (entsize >= sizeof(struct elf64_shdr))
		return (struct sec){ rd32(p), rd32(p + 4), rd32(p + 40), rd64(p + 8), rd64(p + 16),
				     rd64(p + 32) };
	return (struct sec){ rd32(p), rd32(p + 4), rd32(p + 24), rd32(p + 8), rd32(p + 12),
			     rd32(p + 20) };
}

/* Does the string at a read want? */
static int str_is(uint32_t a, const char *want)
{
	uint32_t k = 0;

	while (want[k] && rd8(a + k) == (uint8_t)want[k])
		k++;
	return !want[k] && !rd8(a + k);
}

/* The section table: names from the section name table, which must be
 * loaded; each non-allocated section with data must have been given an
 * address; the symbol table must name mbk_marker at its address. */
static void elf_sections(uint32_t num, uint32_t entsize, uint32_t addr, uint32_t shndx)
{
	print("elf num=%u entsize=%u shndx=%u\n", num, entsize, shndx);
	if (!num)
		return;
	int is64 = entsize >= sizeof(struct elf64_shdr);
	if (entsize < sizeof(struct elf32_shdr))
		fail("elf sections: entsize %u", entsize);
	if (shndx >= num)
		fail("elf sections: shndx %u of %u", shndx, num);
	struct sec names = section(addr, entsize, shndx);
	if (!names.addr || names.addr >> 32)
		fail("elf sections: the section name table was not loaded below 4 GiB");
	for (uint32_t i = 1; i < num; i++) {
		struct sec s = section(addr, entsize, i);
		if (s.name >= names.size)
			fail("elf sections: section %u's name is outside the name table", i);
		uint32_t name = (uint32_t)names.addr + s.name;
		str_len(name, (uint32_t)names.size - s.name, "section name");
		if (s.flags & 2 /* SHF_ALLOC */ || s.type == 8 /* NOBITS */ || !s.size)
			continue;
		print("section ");
		for (uint32_t c = name; rd8(c); c++)
			print("%c", rd8(c));
		print(" type=%u loaded=%u\n", s.type, s.addr != 0);
		if (s.type != 2 /* SHT_SYMTAB */)
			continue;
		if (!s.addr || s.link >= num || !section(addr, entsize, s.link).addr)
			fail("elf sections: the symbol table or its strings were not loaded");
		struct sec str = section(addr, entsize, s.link);
		uint32_t esz = is64 ? 24 : 16, n = 0;
		int found = 0;
		for (uint32_t o = 0; o + esz <= s.size; o += esz, n++) {
			uint32_t sym = (uint32_t)s.addr + o, st_name = rd32(sym);
			uint64_t value = is64 ? rd64(sym + 8) : rd32(sym + 4);
			if (st_name >= str.size ||
			    !str_is((uint32_t)str.addr + st_name, "mbk_marker"))
				continue;
			uint32_t mine = (uint32_t)(uintptr_t)&mbk_marker;
			if (value != mine)
				fail("symbols: mbk_marker at 0x%llx, not 0x%x",
				     (unsigned long long)value, mine);
			found = 1;
		}
		if (!found)
			fail("symbols: mbk_marker not in the loaded symbol table");
		print("symbols ok %u\n", n);
	}
}

static uint8_t sum(uint32_t a, uint32_t n)
{
	uint8_t s = 0;

	while (n--)
		s += rd8(a++);
	return s;
}

/* The RSDP found here, independently of the loader: the first KiB of the
 * EBDA, then 0xE0000-0xFFFFF, 16-byte aligned, checksum over 20 bytes. */
static uint32_t find_rsdp(void)
{
	uint32_t ebda = (uint32_t)rd16(0x40e) << 4, areas[2][2] = { { ebda, 1024 },
								    { 0xe0000, 0x20000 } };

	for (int k = 0; k < 2; k++) {
		if (!areas[k][0])
			continue;
		for (uint32_t a = areas[k][0]; a < areas[k][0] + areas[k][1]; a += 16)
			if (rd32(a) == 0x20445352 && rd32(a + 4) == 0x20525450 && !sum(a, 20))
				return a;
	}
	return 0;
}

/* A copy of the RSDP in a tag: checksums, and the same bytes as the RSDP
 * this kernel finds itself. */
static void rsdp(const char *kind, uint32_t a, uint32_t len)
{
	uint32_t mine = find_rsdp(), n = 20;

	if (len < 20 || rd32(a) != 0x20445352 || sum(a, 20))
		fail("rsdp %s: not a valid RSDP (%u bytes)", kind, len);
	if (rd8(a + 15) >= 2) {
		n = rd32(a + 20);
		if (kind[0] == 'n' && (n > len || sum(a, n)))
			fail("rsdp %s: length %u in a %u-byte copy, or a bad extended checksum", kind,
			     n, len);
		if (kind[0] == 'o')
			n = 20;
	}
	int match = mine != 0;
	for (uint32_t i = 0; match && i < n; i++)
		match = rd8(a + i) == rd8(mine + i);
	print("rsdp %s rev=%u oem=", kind, rd8(a + 15));
	for (uint32_t i = 9; i < 15; i++) /* blanks as '_': one word */
		print("%c", rd8(a + i) > ' ' && rd8(a + i) < 0x7f ? rd8(a + i) : '_');
	print(" rsdt=0x%x match=%u\n", rd32(a + 16), match);
	if (!match)
		fail("rsdp %s: differs from the RSDP at 0x%x", kind, mine);
}

static void __attribute__((unused)) multiboot1(uint32_t info)
{
	uint32_t flags = rd32(info);

	print("flags 0x%x\n", flags);
	if (flags & ~0x1fffu)
		fail("flags 0x%x: bits no version of Multiboot defines", flags);
	if (!(flags & MULTIBOOT_INFO_MEMORY))
		fail("no memory information, which the header's flag bit 1 requires");
	print("mem lower=%u upper=%u\n", rd32(info + 4), rd32(info + 8));
	if (flags & MULTIBOOT_INFO_BOOTDEV) {
		uint32_t d = rd32(info + 12);
		print("bootdev 0x%x 0x%x 0x%x\n", d >> 24, (d >> 16) & 0xff, (d >> 8) & 0xff);
	}
	if (flags & MULTIBOOT_INFO_CMDLINE)
		print_string("cmdline ", rd32(info + 16), 4096);
	if (flags & MULTIBOOT_INFO_BOOT_LOADER_NAME)
		print_string("loader ", rd32(info + 64), 256);
	if (flags & MULTIBOOT_INFO_MODS) {
		uint32_t n = rd32(info + 20), list = rd32(info + 24);
		if (n > 64)
			fail("mods_count %u", n);
		for (uint32_t i = 0; i < n; i++)
			module(i, rd32(list + 16 * i), rd32(list + 16 * i + 4),
			       rd32(list + 16 * i + 8), 4096);
	}
	if (!(flags & MULTIBOOT_INFO_MEM_MAP))
		fail("no memory map");
	uint32_t p = rd32(info + 48), end = p + rd32(info + 44);
	while (p < end) {
		uint32_t size = rd32(p);
		if (size < MULTIBOOT_MMAP_ENTRY_SIZE_FIELD || size > end - p - 4)
			fail("mmap entry at 0x%x: size %u", p, size);
		mmap_entry(rd64(p + 4), rd64(p + 12), rd32(p + 20));
		p += size + 4;
	}
	if (p != end)
		fail("mmap: the entries end at 0x%x, mmap_length says 0x%x", p, end);
	if (flags & MULTIBOOT_INFO_AOUT_SYMS && flags & MULTIBOOT_INFO_ELF_SHDR)
		fail("flags: both a.out symbols and ELF sections");
	if (flags & MULTIBOOT_INFO_ELF_SHDR)
		elf_sections(rd32(info + 28), rd32(info + 32), rd32(info + 36), rd32(info + 40));
	if (flags & MULTIBOOT_INFO_FRAMEBUFFER_INFO)
		print("fb 0x%llx %ux%ux%u type=%u\n", (unsigned long long)rd64(info + 88),
		      rd32(info + 100), rd32(info + 104), rd8(info + 108), rd8(info + 109));
}

/* The size each fixed-size tag must have (0: variable or unknown). */
static uint32_t fixed_size(uint32_t type)
{
	switch (type) {
	case MULTIBOOT2_TAG_TYPE_BASIC_MEMINFO: return MULTIBOOT2_TAG_BASIC_MEMINFO_SIZE;
	case MULTIBOOT2_TAG_TYPE_BOOTDEV: return MULTIBOOT2_TAG_BOOTDEV_SIZE;
	case MULTIBOOT2_TAG_TYPE_LOAD_BASE_ADDR: return MULTIBOOT2_TAG_LOAD_BASE_ADDR_SIZE;
	case MULTIBOOT2_TAG_TYPE_ACPI_OLD: return 8 + 20;
	case MULTIBOOT2_TAG_TYPE_END: return 8;
	default: return 0;
	}
}

static void __attribute__((unused)) multiboot2(uint32_t info)
{
	uint32_t total = rd32(info), seen = 0, nmod = 0;

	if (info & 7)
		fail("the information structure at 0x%x is not 8-byte aligned", info);
	if (total < 16 || total > 1 << 20)
		fail("total_size %u", total);
	for (uint32_t off = 8;;) {
		if (off + 8 > total)
			fail("tags run past total_size %u without an end tag", total);
		uint32_t t = info + off, type = rd32(t), size = rd32(t + 4);
		print("tag %u %u\n", type, size);
		if (size < 8 || size > total - off)
			fail("tag %u at offset %u: size %u (total %u)", type, off, size, total);
		if (fixed_size(type) && size != fixed_size(type))
			fail("tag %u: size %u, not %u", type, size, fixed_size(type));
		if (type < 32)
			seen |= 1u << type;
		switch (type) {
		case MULTIBOOT2_TAG_TYPE_END:
			if (off + 8 != total)
				fail("the end tag ends at %u, total_size is %u", off + 8, total);
			goto done;
		case MULTIBOOT2_TAG_TYPE_CMDLINE:
		case MULTIBOOT2_TAG_TYPE_BOOT_LOADER_NAME:
			if (str_len(t + 8, size - 8, "string tag") != size - 9)
				fail("tag %u: the string's NUL is not its last byte", type);
			print_string(type == MULTIBOOT2_TAG_TYPE_CMDLINE ? "cmdline " : "loader ",
				     t + 8, size - 8);
			break;
		case MULTIBOOT2_TAG_TYPE_MODULE:
			if (size < 17 || str_len(t + 16, size - 16, "module string") != size - 17)
				fail("module tag: size %u and its string disagree", size);
			module(nmod++, rd32(t + 8), rd32(t + 12), t + 16, size - 16);
			break;
		case MULTIBOOT2_TAG_TYPE_BASIC_MEMINFO:
			print("mem lower=%u upper=%u\n", rd32(t + 8), rd32(t + 12));
			break;
		case MULTIBOOT2_TAG_TYPE_BOOTDEV:
			print("bootdev 0x%x 0x%x 0x%x\n", rd32(t + 8), rd32(t + 12), rd32(t + 16));
			break;
		case MULTIBOOT2_TAG_TYPE_MMAP: {
			uint32_t esz = rd32(t + 8);
			if (esz != MULTIBOOT2_MMAP_ENTRY_SIZE || (size - 16) % esz)
				fail("mmap tag: size %u, entry_size %u", size, esz);
			for (uint32_t e = t + 16; e < t + size; e += esz)
				mmap_entry(rd64(e), rd64(e + 8), rd32(e + 16));
			break;
		}
		case MULTIBOOT2_TAG_TYPE_FRAMEBUFFER:
			if (size < MULTIBOOT2_TAG_FRAMEBUFFER_COMMON_SIZE)
				fail("framebuffer tag: size %u", size);
			print("fb 0x%llx %ux%ux%u type=%u\n", (unsigned long long)rd64(t + 8),
			      rd32(t + 20), rd32(t + 24), rd8(t + 28), rd8(t + 29));
			break;
		case MULTIBOOT2_TAG_TYPE_ELF_SECTIONS:
			if (size < 20 || (uint64_t)rd32(t + 8) * rd32(t + 12) > size - 20)
				fail("elf sections tag: size %u for %u x %u", size, rd32(t + 8),
				     rd32(t + 12));
			elf_sections(rd32(t + 8), rd32(t + 12), t + 20, rd32(t + 16));
			break;
		case MULTIBOOT2_TAG_TYPE_ACPI_OLD:
			rsdp("old", t + 8, size - 8);
			break;
		case MULTIBOOT2_TAG_TYPE_ACPI_NEW:
			rsdp("new", t + 8, size - 8);
			break;
		case MULTIBOOT2_TAG_TYPE_LOAD_BASE_ADDR:
			print("loadbase 0x%x\n", rd32(t + 8));
			break;
		}
		off += (size + 7) & ~7u;
	}
done:;
	/* What the header's information request tag requires. */
	static const uint32_t required[] = { MULTIBOOT2_TAG_TYPE_CMDLINE,
					     MULTIBOOT2_TAG_TYPE_BOOT_LOADER_NAME,
					     MULTIBOOT2_TAG_TYPE_BASIC_MEMINFO,
					     MULTIBOOT2_TAG_TYPE_MMAP };
	for (uint32_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!(seen & 1u << required[i]))
			fail("required information tag %u missing", required[i]);
}

void mbk_main(uint32_t magic, uint32_t info)
{
	uint32_t cr0, eflags;

	have_serial = serial_init();
	crc32_table_init(crc_table);
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("pushf; pop %0" : "=r"(eflags));
	print("\nmbtest proto=%u magic=0x%x info=0x%x\n", MB_VERSION, magic, info);
	print("state cr0=0x%x eflags=0x%x\n", cr0, eflags);
	if (!(cr0 & 1) || (cr0 & 0x80000000u))
		fail("cr0 0x%x: not protected mode with paging off", cr0);
	if (eflags & (1u << 9 | 1u << 17))
		fail("eflags 0x%x: interrupts on or virtual-8086 mode", eflags);
#if MB_VERSION == 1
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
		fail("magic 0x%x", magic);
	multiboot1(info);
#else
	if (magic != MULTIBOOT2_BOOTLOADER_MAGIC)
		fail("magic 0x%x", magic);
	multiboot2(info);
#endif
	if (mbk_marker != 0x4d424b21)
		fail("the kernel's data was not loaded (marker 0x%x)", mbk_marker);
	print("end ok\n");
	emulator_finish(1);
}
