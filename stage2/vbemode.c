/*
 * The pure half of video mode setting (see video.h): what a video BIOS
 * answered, checked field by field, and the choice of a mode.  Nothing here
 * trusts the BIOS: a mode list may be unterminated or point anywhere, a
 * ModeInfoBlock may claim a pitch narrower than its width or a framebuffer
 * past 4 GiB, an EDID may be garbage.
 */
#include "video.h"

const char *vbe_mode_list(const u8 *mem, u32 mem_len, u32 farptr, u16 *out, u32 max,
			  u32 *count)
{
	u32 at = (farptr >> 16) * 16 + (farptr & 0xffff), n = 0;

	*count = 0;
	if (at >= mem_len)
		return "the VBE mode list pointer is outside real-mode memory";
	/* A list that runs to the end of memory or past max is cut there:
	 * some BIOSes have shipped lists without the 0xFFFF end. */
	for (; n < max && mem_len - at >= 2; at += 2) {
		u16 m = (u16)(mem[at] | mem[at + 1] << 8);
		if (m == VBE_MODE_LIST_END)
			break;
		out[n++] = m;
	}
	*count = n;
	return 0;
}

int vbe_mode_usable(const struct vbe_mode_info *mi, u16 number, u16 version, u32 vram_bytes,
		    struct video_mode *out)
{
	const u16 need = VBE_ATTR_SUPPORTED | VBE_ATTR_COLOR | VBE_ATTR_GRAPHICS | VBE_ATTR_LFB;
	struct bootinfo_framebuffer fb = { .address = mi->PhysBasePtr, .width = mi->XResolution,
					   .height = mi->YResolution, .pitch = mi->BytesPerScanLine,
					   .type = BOOTINFO_VIDEO_RGB, .bpp = mi->BitsPerPixel,
					   .mode = number };
	/* Red, green, blue as (size, position) pairs; VBE 3.0 gives the
	 * linear framebuffer's layout separately (it may differ from the
	 * banked one). */
	const u8 *f = &mi->RedMaskSize;
	u8 *to = &fb.red_position;
	u32 all = 0;

	if ((mi->ModeAttributes & need) != need || mi->MemoryModel != VBE_MEMORY_MODEL_DIRECT ||
	    (number & ~VBE_MODE_NUMBER_MASK) || !fb.address || !fb.width || !fb.height)
		return 0;
	if (version >= 0x300 && mi->LinBytesPerScanLine)
		fb.pitch = mi->LinBytesPerScanLine;
	if (version >= 0x300 && mi->LinRedMaskSize)
		f = &mi->LinRedMaskSize;
	if (fb.bpp == 15)
		fb.bpp = 16; /* some BIOSes count 5:5:5 as 15 bits per pixel */
	if (fb.bpp != 16 && fb.bpp != 24 && fb.bpp != 32)
		return 0;
	for (u32 k = 0; k < 3; k++) {
		u8 size = f[2 * k], pos = f[2 * k + 1];
		if (!(f[0] | f[2] | f[4])) {
			/* VBE 1.2 BIOSes may leave the masks 0: the layouts
			 * they all used, 5:5:5, 5:6:5 and 8:8:8, blue lowest. */
			u8 g = mi->BitsPerPixel == 16 ? 6 : mi->BitsPerPixel == 15 ? 5 : 8;
			u8 rb = g == 8 ? 8 : 5;
			size = k == 1 ? g : rb;
			pos = k == 2 ? 0 : k == 1 ? rb : rb + g;
		}
		if (!size || size > 8 || pos >= fb.bpp || size > fb.bpp - pos)
			return 0;
		u32 bits = ((1u << size) - 1) << pos;
		if (all & bits)
			return 0; /* colours overlap */
		all |= bits;
		to[2 * k] = pos;
		to[2 * k + 1] = size;
	}
	u8 depth = fb.bpp == 16 ? fb.red_size + fb.green_size + fb.blue_size : fb.bpp;
	u64 bytes = (u64)fb.pitch * fb.height;
	if ((depth != 15 && depth != 16 && depth != 24 && depth != 32) ||
	    fb.width * (fb.bpp / 8u) > fb.pitch || fb.address + bytes > 0x100000000ull ||
	    (vram_bytes && bytes > vram_bytes))
		return 0;
	out->fb = fb;
	out->depth = depth;
	return 1;
}

int edid_preferred_size(const struct edid *e, u16 *width, u16 *height)
{
	static const u8 header[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
	const u8 *p = (const u8 *)e;
	const struct edid_detailed_timing *t = &e->detailed[0];
	u8 sum = 0;

	for (u32 i = 0; i < EDID_SIZE; i++)
		sum += p[i];
	for (u32 i = 0; i < sizeof(header); i++)
		if (p[i] != header[i])
			return 0;
	if (sum || e->version != 1 || !t->pixel_clock)
		return 0;
	u16 w = (u16)((t->h_hi & 0xf0) << 4 | t->h_active_lo);
	u16 h = (u16)((t->v_hi & 0xf0) << 4 | t->v_active_lo);
	/* An interlaced timing gives the lines of one field. */
	if (t->rest[9] & 0x80)
		h *= 2;
	if (!w || !h)
		return 0;
	*width = w;
	*height = h;
	return 1;
}

/* Larger is better: the request's depth, else the deepest below it, else
 * the shallowest above it. */
static u32 depth_rank(u8 d, u8 want)
{
	if (!want)
		return d;
	if (d == want)
		return 64;
	return d < want ? 32u + d : 32u - d;
}

int video_pick(const struct video_mode *modes, u32 n, u16 width, u16 height, u8 depth)
{
	int best = -1;
	u64 best_key = 0;

	for (u32 i = 0; i < n; i++) {
		const struct bootinfo_framebuffer *m = &modes[i].fb;
		if ((width && m->width > width) || (height && m->height > height))
			continue;
		/* The rule's order in one number: exact size, area, depth. */
		u64 key = (u64)((!width || m->width == width) && (!height || m->height == height))
				  << 48 |
			  (u64)(m->width * m->height) << 8 | depth_rank(modes[i].depth, depth);
		if (best < 0 || key > best_key) {
			best = (int)i;
			best_key = key;
		}
	}
	return best;
}

int video_find(const struct video_mode *modes, u32 n, u16 number)
{
	for (u32 i = 0; i < n; i++)
		if (modes[i].fb.mode == number)
			return (int)i;
	return -1;
}

/* Appends decimal n at p (at most 5 digits: the fields are 16 bits). */
static char *put_u16(char *p, u32 n)
{
	char digits[5];
	u32 k = 0;

	do {
		digits[k++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	while (k)
		*p++ = digits[--k];
	return p;
}

u32 video_describe_modes(char *buf, u32 size, const struct video_mode *modes, u32 n)
{
	char one[20]; /* ", 65535x65535x32" */
	u32 len = 0;

	if (!size)
		return 0;
	for (u32 i = 0; i < n; i++) {
		const struct video_mode *m = &modes[i];
		u32 j = 0;
		while (j < i && (modes[j].fb.width != m->fb.width ||
				 modes[j].fb.height != m->fb.height || modes[j].depth != m->depth))
			j++;
		if (j < i)
			continue;
		char *p = one;
		if (len) {
			*p++ = ',';
			*p++ = ' ';
		}
		p = put_u16(p, m->fb.width);
		*p++ = 'x';
		p = put_u16(p, m->fb.height);
		*p++ = 'x';
		p = put_u16(p, m->depth);
		u32 k = (u32)(p - one);
		/* Room is kept for ", ..." after every entry. */
		if (len + k + 5 > size - 1) {
			for (const char *d = len ? ", ..." : "..."; *d && len < size - 1; d++)
				buf[len++] = *d;
			break;
		}
		for (u32 c = 0; c < k; c++)
			buf[len++] = one[c];
	}
	buf[len] = 0;
	return len;
}
