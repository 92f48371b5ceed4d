/*
 * libFuzzer harness for the firmware walk: the real stage2/memory.c runs
 * detect_memory() against the scripted fake BIOS (tests/host/fake_bios.c)
 * with a script decoded from the input: E820 answers (CF, SMAP or not, EBX,
 * ECX, which buffer fields get written, entry values), E801, 88h, INT 12h
 * and the BDA words.  Checked on every run:
 *   - the calling convention held (the fake records any breach);
 *   - counts stay within their tables; the walk ends;
 *   - the sanitized map is sorted, non-overlapping, merged, usable pages whole;
 *   - no byte is usable that an entry the walk rules keep marks non-usable.
 *     The kept entries come from an oracle that replays the rules of
 *     ../shared/design.md on the same script, independently of memory.c.
 */
#include <stdint.h>
#include <string.h>

#include "bootinfo.h"
#include "e820.h"
#include "fake_bios.h"
#include "memory.h"
#include "sanitize.h"

#define MAX_ANSWERS 160
#define PAGE 4096ull

static struct fake_e820_answer answers[MAX_ANSWERS];

struct reader {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct reader *r, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++) {
		v |= (uint64_t)(r->n ? *r->p : 0) << (8 * i);
		if (r->n) {
			r->p++;
			r->n--;
		}
	}
	return v;
}

static uint64_t shape(uint64_t v, unsigned how)
{
	switch (how & 7) {
	case 0: return v & 0xfffff;
	case 1: return (v & 0xffff) << 12;
	case 2: return 0x100000000ull + (v & 0xffffffff);
	case 3: return ~0ull - (v & 0xffff);
	default: return v & 0xffffffffull;
	}
}

static uint64_t end_of(uint64_t b, uint64_t l)
{
	uint64_t e = b + l;
	return e < b ? ~0ull : e;
}

struct kept {
	uint64_t base, end;
	uint32_t rank;
	int clear;    /* 24-byte entry with the ACPI 3.0 valid bit clear */
	int long_entry;
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bootinfo bi;
	static struct mem_range ranges[MEMDETECT_RANGES_MAX];
	static struct change_point pts[2 * MEMDETECT_RANGES_MAX];
	static struct bootinfo_map_entry tmp[2 * MEMDETECT_RANGES_MAX];
	static struct bootinfo_map_entry fold[MEMDETECT_RANGES_MAX / 2];
	static struct bootinfo_map_entry map[BOOTINFO_MAP_MAX];
	static struct change_point pts2[2 * MEMDETECT_RANGES_MAX];
	static struct bootinfo_map_entry tmp2[2 * MEMDETECT_RANGES_MAX];
	static struct kept kept[E820_MAX_CALLS];
	struct reader r = { data, size };
	struct fake_bios_script script = { 0 };

	/* Decode the script. */
	uint32_t n = (uint32_t)take(&r, 1) % MAX_ANSWERS;
	for (uint32_t i = 0; i < n; i++) {
		uint8_t ctl = (uint8_t)take(&r, 1);
		struct fake_e820_answer *a = &answers[i];
		a->cf = (ctl & 0x3) == 0x3;          /* rare: CF set */
		a->eax = (ctl & 0xc) == 0xc ? 0 : E820_SMAP;
		a->ebx = (ctl & 0x30) == 0x30 ? 0 : i + 1;
		a->ecx = (ctl & 0x40) ? 24 : 20;
		if ((ctl & 0xc0) == 0xc0)
			a->ecx = (uint32_t)take(&r, 1) % 32;
		a->write = take(&r, 1) & 0xf; /* 0: the default */
		uint8_t how = (uint8_t)take(&r, 1);
		a->base = shape(take(&r, 8), how);
		a->length = shape(take(&r, 8), how >> 3);
		uint8_t t = (uint8_t)take(&r, 1);
		a->type = t < 200 ? t % 8 : 2954887168u;
		a->attr = (uint32_t)take(&r, 1) & 3;
	}
	script.e820 = answers;
	script.e820_count = n;
	script.e801.present = take(&r, 1) & 1;
	script.e801.cf = take(&r, 1) & 1;
	script.e801.ax = (uint16_t)take(&r, 2);
	script.e801.bx = (uint16_t)take(&r, 2);
	script.e801.cx = (uint16_t)take(&r, 2);
	script.e801.dx = (uint16_t)take(&r, 2);
	script.e88.present = take(&r, 1) & 1;
	script.e88.ax = (uint16_t)take(&r, 2);
	script.int12_present = 1;
	script.int12_ax = (uint16_t)(take(&r, 1) & 1 ? 639 : take(&r, 2));
	script.bda_base_kib = (uint16_t)(take(&r, 1) & 1 ? 639 : take(&r, 2));
	script.bda_ebda_seg = (uint16_t)(take(&r, 1) & 1 ? 0x9fc0 : take(&r, 2));
	script.upper_garbage = 1;

	memset(&bi, 0, sizeof(bi));
	/* memory.c keeps one E820 buffer for good (a BIOS may rewrite only
	 * some fields); in stage2 it starts zeroed, so it does here too. */
	static void *e820_buffer;
	if (e820_buffer)
		memset(e820_buffer, 0, sizeof(struct e820_entry));
	fake_bios_set(&script);
	struct memdetect md = { .bi = &bi, .ranges = ranges, .scratch = { pts, tmp }, .fold = fold };
	int source = detect_memory(&md);
	if (fake_bios_log.e820_buffer)
		e820_buffer = fake_bios_log.e820_buffer;

	if (fake_bios_log.violations)
		__builtin_trap();
	if (bi.raw_count > BOOTINFO_RAW_MAX || md.nranges > MEMDETECT_RANGES_MAX)
		__builtin_trap();
	if (fake_bios_log.e820_calls > 2 * E820_MAX_CALLS)
		__builtin_trap();
	if (!source)
		return 0;

	struct sanitize_result res;
	memmap_sanitize(ranges, md.nranges, &(struct sanitize_scratch){ pts2, tmp2 }, map,
			BOOTINFO_MAP_MAX, 0, &res);
	for (uint32_t i = 0; i < res.count; i++) {
		if (!map[i].length)
			__builtin_trap();
		if (i && map[i].base < map[i - 1].base + map[i - 1].length)
			__builtin_trap();
		if (map[i].type == BOOTINFO_MEM_USABLE && (map[i].base % PAGE || map[i].length % PAGE))
			__builtin_trap();
	}
	if (source != BOOTINFO_SOURCE_E820)
		return 0;

	/* The oracle: replay the walk rules on the script. */
	uint32_t nk = 0;
	int valid_seen = 0;
	struct e820_entry buf = { 0 };
	for (uint32_t call = 0; call < E820_MAX_CALLS && call < n; call++) {
		const struct fake_e820_answer *a = &answers[call];
		uint32_t write = a->write;
		if (!write && !a->cf && a->eax == E820_SMAP)
			write = FAKE_W_BASE | FAKE_W_LENGTH | FAKE_W_TYPE |
				(a->ecx >= E820_ENTRY_SIZE_ACPI3 ? FAKE_W_ATTR : 0);
		buf.attr = E820_ATTR_VALID;
		if (write & FAKE_W_BASE)
			buf.base = a->base;
		if (write & FAKE_W_LENGTH)
			buf.length = a->length;
		if (write & FAKE_W_TYPE)
			buf.type = a->type;
		if (write & FAKE_W_ATTR)
			buf.attr = a->attr;
		if (a->cf || a->eax != E820_SMAP || a->ecx < E820_ENTRY_SIZE_ACPI1)
			break;
		int long_entry = a->ecx >= E820_ENTRY_SIZE_ACPI3;
		int clear = long_entry && !(buf.attr & E820_ATTR_VALID);
		if (buf.length) {
			kept[nk++] = (struct kept){ buf.base, end_of(buf.base, buf.length),
						    e820_type_rank(buf.type), clear, long_entry };
			if (long_entry && !clear)
				valid_seen = 1;
		}
		if (!a->ebx)
			break;
	}
	/* No usable byte over a kept non-usable entry. */
	for (uint32_t i = 0; i < res.count; i++) {
		if (map[i].type != BOOTINFO_MEM_USABLE)
			continue;
		uint64_t s = map[i].base, e = end_of(map[i].base, map[i].length);
		for (uint32_t k = 0; k < nk; k++) {
			if (kept[k].rank == RANK_USABLE || (valid_seen && kept[k].clear))
				continue;
			if (s < kept[k].end && kept[k].base < e)
				__builtin_trap();
		}
	}
	/* ...and every usable byte comes from a kept usable entry. */
	for (uint32_t i = 0; i < res.count; i++) {
		if (map[i].type != BOOTINFO_MEM_USABLE)
			continue;
		uint64_t at = map[i].base, e = end_of(map[i].base, map[i].length);
		while (at < e) {
			uint64_t next = at;
			for (uint32_t k = 0; k < nk; k++)
				if (kept[k].rank == RANK_USABLE && !(valid_seen && kept[k].clear) &&
				    kept[k].base <= at && at < kept[k].end && kept[k].end > next)
					next = kept[k].end;
			if (next == at)
				__builtin_trap();
			at = next;
		}
	}
	return 0;
}
