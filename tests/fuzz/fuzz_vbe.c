/*
 * libFuzzer harness for what stage2 reads from a video BIOS
 * (stage2/vbemode.c): a mode list behind any far pointer in any memory,
 * ModeInfoBlocks and an EDID block of any bytes, then the choice and the
 * list of modes for messages.  Input:
 *   0..3  the far pointer to the mode list
 *   4..8  a request: width, height (little endian), depth
 *   9     the VBE version's low bits (0x200 | (b & 0x1ff) ... see below)
 *   10    the message buffer's size
 *   11..  "real-mode memory" for the list; also read as ModeInfoBlocks
 *         (256 bytes each, from offset 11), as ModeInfoBlocks built from 20
 *         bytes each, as an EDID (the first 128 bytes) and as plain modes
 *         (6 bytes each) for the choice, up to 16 modes in all.
 * Every accepted mode must describe a framebuffer a kernel can draw on, and
 * the choice must be what the rule in video.h says (checked by brute force).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "video.h"

#define MODES_MAX 16

static u32 field(u8 pos, u8 size)
{
	return ((1u << size) - 1) << pos;
}

static void check_mode(const struct video_mode *m)
{
	const struct bootinfo_framebuffer *f = &m->fb;
	u32 r, g, b;

	if (f->type != BOOTINFO_VIDEO_RGB || (f->bpp != 16 && f->bpp != 24 && f->bpp != 32))
		__builtin_trap();
	if (m->depth != 15 && m->depth != 16 && m->depth != 24 && m->depth != 32)
		__builtin_trap();
	if ((f->bpp == 16) != (m->depth <= 16) || (f->bpp != 16 && m->depth != f->bpp))
		__builtin_trap();
	if (!f->width || !f->height || !f->address || (u64)f->width * f->bpp / 8 > f->pitch ||
	    f->address + (u64)f->pitch * f->height > 0x100000000ull)
		__builtin_trap();
	if (!f->red_size || !f->green_size || !f->blue_size || f->red_size > 8 ||
	    f->green_size > 8 || f->blue_size > 8 || f->red_position + f->red_size > f->bpp ||
	    f->green_position + f->green_size > f->bpp || f->blue_position + f->blue_size > f->bpp)
		__builtin_trap();
	r = field(f->red_position, f->red_size);
	g = field(f->green_position, f->green_size);
	b = field(f->blue_position, f->blue_size);
	if ((r & g) | (r & b) | (g & b))
		__builtin_trap();
	if (f->mode & ~VBE_MODE_NUMBER_MASK)
		__builtin_trap();
}

/* Whether a beats b by the rule in video.h (strictly). */
static int better(const struct video_mode *a, const struct video_mode *b, u16 w, u16 h, u8 d)
{
	u32 ea = (!w || a->fb.width == w) && (!h || a->fb.height == h);
	u32 eb = (!w || b->fb.width == w) && (!h || b->fb.height == h);
	u64 aa = (u64)a->fb.width * a->fb.height, ab = (u64)b->fb.width * b->fb.height;
	int ra = !d ? a->depth : a->depth == d ? 1000 : a->depth < d ? 500 + a->depth : 100 - a->depth;
	int rb = !d ? b->depth : b->depth == d ? 1000 : b->depth < d ? 500 + b->depth : 100 - b->depth;

	if (ea != eb)
		return ea > eb;
	if (aa != ab)
		return aa > ab;
	return ra > rb;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct video_mode modes[MODES_MAX];
	static u16 list[VIDEO_LIST_MAX];
	static char msg[256];
	u32 n = 0, count = 0;

	if (size < 11)
		return 0;
	u32 farptr = (u32)data[0] | (u32)data[1] << 8 | (u32)data[2] << 16 | (u32)data[3] << 24;
	u16 w = (u16)(data[4] | data[5] << 8), h = (u16)(data[6] | data[7] << 8);
	u8 d = data[8];
	u16 version = (u16)(0x100 + data[9] * 2);
	u32 msg_size = data[10] % sizeof(msg) + 1;
	const u8 *mem = data + 11;
	u32 mem_len = (u32)(size - 11);
	/* A private copy: the list may not be read past mem_len. */
	u8 *copy = malloc(mem_len ? mem_len : 1);
	memcpy(copy, mem, mem_len);

	const char *err = vbe_mode_list(copy, mem_len, farptr, list, VIDEO_LIST_MAX, &count);
	if (count > VIDEO_LIST_MAX || (err && count))
		__builtin_trap();
	for (u32 i = 0; i < count; i++)
		if (list[i] == VBE_MODE_LIST_END)
			__builtin_trap();

	for (u32 off = 0; off + sizeof(struct vbe_mode_info) <= mem_len && n < MODES_MAX;
	     off += sizeof(struct vbe_mode_info)) {
		struct vbe_mode_info mi;
		memcpy(&mi, copy + off, sizeof(mi));
		u16 number = count ? list[n % count] : (u16)(0x100 + n);
		if (vbe_mode_usable(&mi, number, version, (u32)data[9] << 18, &modes[n])) {
			check_mode(&modes[n]);
			n++;
		}
	}
	/* ModeInfoBlocks built from 20 bytes each, mostly plausible, so that
	 * the checks of pitch, masks and addresses see modes that pass the
	 * attribute and memory-model tests. */
	for (u32 off = 0; off + 20 <= mem_len && n < MODES_MAX; off += 20) {
		static const u8 bpps[4] = { 15, 16, 24, 32 };
		const u8 *c = copy + off;
		struct vbe_mode_info mi;
		memset(&mi, 0, sizeof(mi));
		mi.ModeAttributes = c[0] & 1 ? (u16)(c[0] << 8 | c[1]) : 0x9b;
		mi.MemoryModel = c[1] & 1 ? c[1] : VBE_MEMORY_MODEL_DIRECT;
		mi.BitsPerPixel = c[2] & 4 ? c[2] : bpps[c[2] & 3];
		mi.XResolution = (u16)((c[3] | c[4] << 8) & 0xfff);
		mi.YResolution = (u16)((c[5] | c[6] << 8) & 0xfff);
		mi.BytesPerScanLine = (u16)(c[7] | c[8] << 8);
		mi.LinBytesPerScanLine = c[2] & 8 ? (u16)(c[8] | c[7] << 8) : 0;
		for (int k = 0; k < 6; k++)
			(&mi.RedMaskSize)[k] = c[9 + k] & 0x1f;
		if (c[2] & 16)
			memcpy(&mi.LinRedMaskSize, &c[9], 6);
		mi.PhysBasePtr = (u32)c[15] << 24 | (u32)c[16] << 16 | (u32)c[17] << 8;
		if (vbe_mode_usable(&mi, (u16)(c[18] | c[19] << 8), version, (u32)c[19] << 16,
				    &modes[n])) {
			check_mode(&modes[n]);
			n++;
		}
	}
	if (mem_len >= EDID_SIZE) {
		struct edid e;
		u16 ew = 0, eh = 0;
		memcpy(&e, copy, sizeof(e));
		if (edid_preferred_size(&e, &ew, &eh) && (!ew || !eh))
			__builtin_trap();
	}
	/* Modes from the bytes themselves too, so that the choice sees many. */
	for (u32 off = 0; off + 6 <= mem_len && n < MODES_MAX; off += 6) {
		const u8 *p = copy + off;
		static const u8 depths[4] = { 15, 16, 24, 32 };
		memset(&modes[n], 0, sizeof(modes[n]));
		modes[n].fb.width = (u16)((p[0] | p[1] << 8) & 0x7ff);
		modes[n].fb.height = (u16)((p[2] | p[3] << 8) & 0x7ff);
		modes[n].depth = depths[p[4] & 3];
		modes[n].fb.mode = (u16)n;
		n++;
	}

	int pick = video_pick(modes, n, w, h, d);
	if (pick >= (int)n || pick < -1)
		__builtin_trap();
	for (u32 i = 0; i < n; i++) {
		int fits = (!w || modes[i].fb.width <= w) && (!h || modes[i].fb.height <= h);
		if (pick < 0 && fits)
			__builtin_trap(); /* a fitting mode was passed over */
		if (pick >= 0 && fits && ((u32)pick > i ? !better(&modes[pick], &modes[i], w, h, d)
							: better(&modes[i], &modes[pick], w, h, d)))
			__builtin_trap(); /* not the first of the best */
	}
	if (pick >= 0 && ((w && modes[pick].fb.width > w) || (h && modes[pick].fb.height > h)))
		__builtin_trap();

	memset(msg, 0x5a, sizeof(msg));
	u32 len = video_describe_modes(msg, msg_size, modes, n);
	if (len >= msg_size || msg[len] || strlen(msg) != len)
		__builtin_trap();
	free(copy);
	return 0;
}
