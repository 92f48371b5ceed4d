/*
 * The example kernel: validates the boot info, prints the memory map in the
 * machine-readable report format (README.md) and as a firmware-style table,
 * writes and reads back every usable page above its own image, and under
 * QEMU exits through isa-debug-exit with the result (Bochs: shutdown port).
 *
 * Built twice from this file and kernel/exception.c (the IDT that reports
 * CPU exceptions): ELF32 for any 386 or later (protected mode, paging off)
 * and ELF64 (long mode, identity paging).  Entry for both:
 *     void kmain(struct bootinfo *bi, uint32_t magic)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "bootinfo.h"
#include "crc32.h"
#include "format.h"
#include "kernel.h"
#include "portio.h"
#include "screen.h"
#include "status.h"

#define PAGE_SIZE 4096u
#define FOUR_GIB 0x100000000ull

extern char kernel_start[], kernel_end[];
/* Linked virtual address minus load (physical) address: 0 for link.ld,
 * the higher-half offset for link-hh.ld (an absolute symbol). */
extern char kernel_load_offset[];
void kmain(struct bootinfo *bi, uint32_t magic);

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
	screen_putc(c);
}

void print(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vformat(out_putc, 0, fmt, ap);
	va_end(ap);
}

_Noreturn void finish(int ok)
{
	emulator_finish(ok);
}

static _Noreturn void fail(const char *reason)
{
	print("end fail %s\n", reason);
	finish(0);
}

const char *type_name(uint32_t type)
{
	switch (type) {
	case BOOTINFO_MEM_USABLE: return "usable";
	case BOOTINFO_MEM_RESERVED: return "reserved";
	case BOOTINFO_MEM_ACPI_RECLAIMABLE: return "acpi-reclaimable";
	case BOOTINFO_MEM_ACPI_NVS: return "acpi-nvs";
	case BOOTINFO_MEM_BAD: return "bad";
	case BOOTINFO_MEM_PERSISTENT: return "persistent";
	case BOOTINFO_MEM_LOADER: return "loader";
	case BOOTINFO_MEM_KERNEL: return "kernel";
	case BOOTINFO_MEM_MODULE: return "module";
	default: return 0;
	}
}

static const char *source_name(uint32_t source)
{
	switch (source) {
	case BOOTINFO_SOURCE_E820: return "e820";
	case BOOTINFO_SOURCE_E801: return "e801";
	case BOOTINFO_SOURCE_88: return "88";
	default: return 0;
	}
}

static const char *a20_name(uint32_t m)
{
	switch (m) {
	case BOOTINFO_A20_ALREADY: return "already-on";
	case BOOTINFO_A20_BIOS: return "int15-2401";
	case BOOTINFO_A20_KBC: return "8042";
	case BOOTINFO_A20_FAST: return "port92";
	default: return "unknown";
	}
}

static const char *e820_end_name(uint32_t e)
{
	switch (e) {
	case E820_END_NONE: return "none";
	case E820_END_EBX_ZERO: return "ebx-zero";
	case E820_END_CF: return "carry";
	case E820_END_NO_SMAP: return "no-smap";
	case E820_END_BOUND: return "loop-bound";
	case E820_END_BAD_SIZE: return "bad-size";
	default: return "unknown";
	}
}

static void validate(const struct bootinfo *bi, uint32_t magic)
{
	static const uint8_t zero[4];
	const uint8_t *p = (const uint8_t *)bi;
	size_t crc_off = offsetof(struct bootinfo_header, crc32);

	if (magic != BOOTINFO_MAGIC)
		fail("bad-magic");
	if (!bi || bi->header.signature != BOOTINFO_SIGNATURE)
		fail("bad-signature");
	if (bi->header.revision < BOOTINFO_REVISION)
		fail("old-revision");
	if (bi->header.header_size != sizeof(struct bootinfo_header) ||
	    bi->header.total_size < sizeof(struct bootinfo))
		fail("bad-size");
	uint32_t crc = crc32_update(0, p, crc_off);
	crc = crc32_update(crc, zero, sizeof(zero));
	crc = crc32_update(crc, p + crc_off + 4, bi->header.total_size - crc_off - 4);
	if (crc != bi->header.crc32)
		fail("bad-crc");
	if (bi->raw_count > BOOTINFO_RAW_MAX || bi->map_count > BOOTINFO_MAP_MAX ||
	    !bi->map_count)
		fail("bad-counts");
	if (!source_name(bi->source))
		fail("bad-source");
}

/* The map must be sorted, non-overlapping and of known types. */
static void check_map(const struct bootinfo *bi)
{
	for (uint32_t i = 0; i < bi->map_count; i++) {
		const struct bootinfo_map_entry *e = &bi->map[i];
		if (!type_name(e->type))
			fail("map-unknown-type");
		if (!e->length || e->base + e->length < e->base)
			fail("map-bad-length");
		if (i && e->base < bi->map[i - 1].base + bi->map[i - 1].length)
			fail("map-unsorted-or-overlapping");
	}
}

static void print_report(const struct bootinfo *bi)
{
	uint64_t by_type_pages[9] = { 0 }, usable = 0, above4g = 0, total = 0;
	static const uint32_t order[9] = {
		BOOTINFO_MEM_USABLE, BOOTINFO_MEM_LOADER, BOOTINFO_MEM_KERNEL, BOOTINFO_MEM_MODULE,
		BOOTINFO_MEM_ACPI_RECLAIMABLE, BOOTINFO_MEM_ACPI_NVS, BOOTINFO_MEM_PERSISTENT,
		BOOTINFO_MEM_RESERVED, BOOTINFO_MEM_BAD,
	};

	for (uint32_t i = 0; i < bi->raw_count; i++) {
		const struct bootinfo_raw_entry *r = &bi->raw[i];
		print("raw 0x%016llx 0x%016llx %u 0x%08x\n", (unsigned long long)r->base,
		      (unsigned long long)r->length, r->type, r->attr);
	}
	for (uint32_t i = 0; i < bi->map_count; i++) {
		const struct bootinfo_map_entry *e = &bi->map[i];
		print("map 0x%016llx 0x%016llx %s\n", (unsigned long long)e->base,
		      (unsigned long long)e->length, type_name(e->type));
	}

	print("\nMemory map (%s, %u firmware entries, %u after sanitizing)\n",
	      source_name(bi->source), bi->raw_count, bi->map_count);
	print("Type              Start            End              # Pages\n");
	for (uint32_t i = 0; i < bi->map_count; i++) {
		const struct bootinfo_map_entry *e = &bi->map[i];
		uint64_t pages = (e->length + PAGE_SIZE - 1) / PAGE_SIZE;
		print("%16s  %016llx-%016llx %016llx\n", type_name(e->type),
		      (unsigned long long)e->base, (unsigned long long)(e->base + e->length - 1),
		      (unsigned long long)pages);
		for (int t = 0; t < 9; t++)
			if (order[t] == e->type)
				by_type_pages[t] += pages;
		if (e->type != BOOTINFO_MEM_RESERVED && e->type != BOOTINFO_MEM_BAD)
			total += e->length;
		if (e->type == BOOTINFO_MEM_USABLE) {
			usable += e->length;
			if (e->base + e->length > FOUR_GIB)
				above4g += e->base + e->length -
					   (e->base > FOUR_GIB ? e->base : FOUR_GIB);
		}
	}
	print("\n");
	for (int t = 0; t < 9; t++)
		if (by_type_pages[t])
			print("  %16s: %llu pages (%llu bytes)\n", type_name(order[t]),
			      (unsigned long long)by_type_pages[t],
			      (unsigned long long)by_type_pages[t] * PAGE_SIZE);
	print("  Total memory: %llu MiB (%llu bytes), usable above 4 GiB: %llu MiB\n",
	      (unsigned long long)(total >> 20), (unsigned long long)total,
	      (unsigned long long)(above4g >> 20));
	print("  Conventional memory: %u KiB, EBDA at 0x%x, A20: %s, boot drive 0x%x\n",
	      bi->conv_mem_kib, bi->ebda_base, a20_name(bi->a20_method), bi->boot_drive);
	print("region kernel 0x%016llx 0x%016llx\n", (unsigned long long)bi->kernel.base,
	      (unsigned long long)bi->kernel.length);
	for (uint32_t i = 0; i < bi->loader_region_count && i < BOOTINFO_REGION_MAX; i++)
		print("region loader 0x%016llx 0x%016llx\n",
		      (unsigned long long)bi->loader_regions[i].base,
		      (unsigned long long)bi->loader_regions[i].length);
	const struct bootinfo_quirks *q = &bi->quirks;
	print("quirks flags=0x%08x e820_end=%s calls=%u entries=%u dropped_zero=%u "
	      "dropped_attr=%u raw_overflow=%u overlaps=%u unknown_types=%u\n",
	      q->flags, e820_end_name(q->e820_end), q->e820_calls, q->e820_entries,
	      q->dropped_zero, q->dropped_attr, q->raw_overflow, q->overlaps, q->unknown_types);
	print("quirks int12=%u bda=%u e801_low=%u e801_high=%u ext88=%u disk_retries=%u "
	      "xfer=%u entry_dl=0x%x\n",
	      q->int12_kib, q->bda_kib, q->e801_low_kib, q->e801_high_64k, q->ext88_kib,
	      q->disk_retries, q->disk_xfer_max, q->entry_dl);
	print("quirks recheck_calls=%u recheck_diff=%u e820_conv=%u e820_ext_low=%u "
	      "e820_ext_high=%u\n",
	      q->e820_recheck_calls, q->e820_recheck_diff, q->e820_conv_kib, q->e820_ext_low_kib,
	      q->e820_ext_high_64k);
	print("summary usable=%llu above4g=%llu source=%s\n", (unsigned long long)usable,
	      (unsigned long long)above4g, source_name(bi->source));
}

/* Revision 2: the RSDP, the command line and the modules, each module with
 * a checksum of its bytes (CRC-32) so tests can compare them with the file. */
static void print_revision2(const struct bootinfo *bi)
{
	const char *base = (const char *)bi;

	if (bi->cmdline_offset >= bi->header.total_size ||
	    bi->module_offset + (uint64_t)bi->module_count * sizeof(struct bootinfo_module) >
		    bi->header.total_size)
		fail("bad-revision2-offsets");
	print("rsdp 0x%llx\n", (unsigned long long)bi->rsdp);
	print("cmdline \"%s\"\n", base + bi->cmdline_offset);
	const struct bootinfo_module *m = (const void *)(base + bi->module_offset);
	for (uint32_t i = 0; i < bi->module_count; i++) {
		uint32_t crc = crc32((const void *)(uintptr_t)m[i].base, (size_t)m[i].length);
		print("module 0x%016llx 0x%016llx crc32=0x%08x \"%s\"\n",
		      (unsigned long long)m[i].base, (unsigned long long)m[i].length, crc,
		      base + m[i].string_offset);
	}
}

/* The display the loader left (revision 2's framebuffer record). */
static void print_video(const struct bootinfo *bi)
{
	static const char *const types[] = { "none", "text", "rgb" };
	static const char *const why[] = { "not-asked", "no-vbe", "no-mode", "set-failed" };
	const struct bootinfo_framebuffer *f = &bi->framebuffer;

	if (f->type > BOOTINFO_VIDEO_RGB || f->fallback > BOOTINFO_FB_SET_FAILED)
		fail("bad-framebuffer-record");
	print("video type=%s width=%u height=%u bpp=%u pitch=%u address=0x%llx mode=0x%x "
	      "red=%u:%u green=%u:%u blue=%u:%u fallback=%s\n",
	      types[f->type], f->width, f->height, f->bpp, f->pitch,
	      (unsigned long long)f->address, f->mode, f->red_position, f->red_size,
	      f->green_position, f->green_size, f->blue_position, f->blue_size,
	      f->type == BOOTINFO_VIDEO_RGB ? "none" : why[f->fallback]);
}

/* Writes a pattern that names each page into its first and last words and
 * reads all of them back afterwards, so aliasing shows too. */
static void touch_pages(const struct bootinfo *bi)
{
	uint64_t end = (uintptr_t)kernel_end - (uintptr_t)kernel_load_offset;
	uint64_t lo = (end + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
	uint64_t limit = sizeof(void *) == 8 ? ~0ull : KERNEL_TOUCH_LIMIT;
	uint64_t pages = 0, skipped = 0;

	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < bi->map_count; i++) {
			const struct bootinfo_map_entry *e = &bi->map[i];
			if (e->type != BOOTINFO_MEM_USABLE)
				continue;
			uint64_t end = e->base + e->length;
			uint64_t p = e->base > lo ? e->base : lo;
			for (; p + PAGE_SIZE <= end; p += PAGE_SIZE) {
				if (p + PAGE_SIZE > limit) {
					skipped += pass ? 0 : PAGE_SIZE;
					continue;
				}
				volatile uint32_t *w = (volatile uint32_t *)(uintptr_t)p;
				uint32_t pattern = (uint32_t)(p >> 12) ^ 0xa5c3e1f0u;
				if (!pass) {
					w[0] = pattern;
					w[PAGE_SIZE / 4 - 1] = ~pattern;
					pages++;
				} else if (w[0] != pattern || w[PAGE_SIZE / 4 - 1] != ~pattern) {
					print("touch: page 0x%llx reads back wrong\n",
					      (unsigned long long)p);
					fail("touch-mismatch");
				}
			}
		}
	}
	print("touch pages=%llu above=0x%llx skipped_bytes=%llu\n", (unsigned long long)pages,
	      (unsigned long long)lo, (unsigned long long)skipped);
}

#ifdef KERNEL_PAYLOAD
/* The >8 MiB test kernel carries build/payload.bin (linked in with
 * ld -b binary); every byte must have arrived where the ELF said. */
extern const uint8_t _binary_build_payload_bin_start[], _binary_build_payload_bin_end[];

static void check_payload(void)
{
	const uint8_t *p = _binary_build_payload_bin_start;
	size_t n = (size_t)(_binary_build_payload_bin_end - p);

	for (size_t i = 0; i < n; i++)
		if (p[i] != (uint8_t)((uint32_t)(i * 2654435761u) >> 24)) {
			print("payload: byte %llu of %llu is wrong\n", (unsigned long long)i,
			      (unsigned long long)n);
			fail("payload-mismatch");
		}
	print("payload ok %llu bytes at 0x%llx\n", (unsigned long long)n,
	      (unsigned long long)(uintptr_t)p);
}
#endif

__attribute__((section(".text.entry"))) void kmain(struct bootinfo *bi, uint32_t magic)
{
	have_serial = serial_init();
	screen_init();
	print("\nkernel: %d-bit example kernel, boot info at 0x%llx\n", (int)sizeof(void *) * 8,
	      (unsigned long long)(uintptr_t)bi);
	exceptions_install();
	validate(bi, magic);
	screen_use(bi);
#ifdef KERNEL_FAULT
	fault_on_purpose();
#endif
	check_map(bi);
	print_report(bi);
	screen_map(bi);
	print_revision2(bi);
	print_video(bi);
#ifdef KERNEL_PAYLOAD
	check_payload();
#endif
	touch_pages(bi);
	print("end ok\n");
	finish(1);
}
