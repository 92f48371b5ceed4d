/*
 * The example kernel's screen: VGA text (0xB8000), or the linear
 * framebuffer the loader set up when the boot entry asked for a video mode
 * (bootinfo.h, struct bootinfo_framebuffer), with this kernel's own font.
 * And the sanitized memory map as a picture (include/mappicture.h has the
 * colours and the scale): a band at the bottom of the framebuffer, or in
 * the last three text rows.
 *
 * Until the boot information has been checked, text goes to VGA text only
 * (where the loader's messages are) and is kept; screen_use() replays it on
 * the framebuffer.
 */
#include <stdint.h>

#include "bootinfo.h"
#include "font.h"
#include "kernel.h"
#include "mappicture.h"
#include "screen.h"

#define VGA_TEXT ((volatile uint16_t *)0xb8000)
#define VGA_COLS 80
#define VGA_ROWS 25
#define VGA_BLOCK 0xdb /* CP437 full block */
/* The BIOS keeps the text cursor of page 0 in the BDA (0x450: column,
 * 0x451: row); the loader printed through INT 10h, so its messages end
 * there and this kernel's start below them instead of over them. */
#define BDA_CURSOR_PAGE0 0x450

/* The framebuffer's character cell around a FONT_WIDTH x FONT_HEIGHT
 * glyph, and the text rows the picture takes at the bottom. */
#define CELL_W (FONT_WIDTH + 1)
#define CELL_H (FONT_HEIGHT + 2)
#define PANEL_ROWS 11

static int vga_row, vga_col, vga_rows = VGA_ROWS;

static struct {
	volatile uint8_t *base;
	uint32_t pitch, width, height, bytes; /* bytes per pixel */
	uint8_t pos[3], size[3];              /* red, green, blue */
	uint32_t scale, cols, rows, row, col; /* the text area */
} fb;
static int fb_on, early_done;
static char early[2048];
static uint32_t early_len;

/* A byte at a fixed physical address (identity-mapped).  The empty asm
 * hides the constant from gcc, which otherwise takes the cast for a
 * zero-length object and warns (-Warray-bounds). */
static uint8_t peek8(uintptr_t addr)
{
	const volatile uint8_t *p;

	__asm__("" : "=r"(p) : "0"(addr));
	return *p;
}

void screen_init(void)
{
	uint8_t col = peek8(BDA_CURSOR_PAGE0), row = peek8(BDA_CURSOR_PAGE0 + 1);

	if (row < VGA_ROWS && col < VGA_COLS) {
		vga_row = row;
		vga_col = col;
	}
}

static void vga_scroll(void)
{
	for (int i = 0; i < (vga_rows - 1) * VGA_COLS; i++)
		VGA_TEXT[i] = VGA_TEXT[i + VGA_COLS];
	for (int i = 0; i < VGA_COLS; i++)
		VGA_TEXT[(vga_rows - 1) * VGA_COLS + i] = 0x0720;
	vga_row--;
}

static void vga_putc(char c)
{
	if (c == '\n') {
		/* Whatever was on the rest of the row is not ours. */
		for (int i = vga_col; i < VGA_COLS; i++)
			VGA_TEXT[vga_row * VGA_COLS + i] = 0x0720;
		vga_col = 0;
		vga_row++;
	} else {
		VGA_TEXT[vga_row * VGA_COLS + vga_col] = (uint16_t)(0x0700 | (uint8_t)c);
		if (++vga_col == VGA_COLS) {
			vga_col = 0;
			vga_row++;
		}
	}
	if (vga_row >= vga_rows)
		vga_scroll();
}

/* 0xRRGGBB as this framebuffer's pixel: each colour's top bits. */
static uint32_t pixel(uint32_t rgb)
{
	uint32_t px = 0;

	for (int k = 0; k < 3; k++) {
		uint32_t v = (rgb >> (16 - 8 * k)) & 0xff;
		px |= (v >> (8 - fb.size[k])) << fb.pos[k];
	}
	return px;
}

static void fill(uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t rgb)
{
	uint32_t px = pixel(rgb);

	if (x >= fb.width || y >= fb.height)
		return;
	if (w > fb.width - x)
		w = fb.width - x;
	if (h > fb.height - y)
		h = fb.height - y;
	for (uint32_t j = 0; j < h; j++) {
		volatile uint8_t *p = fb.base + (y + j) * fb.pitch + x * fb.bytes;
		for (uint32_t i = 0; i < w; i++)
			for (uint32_t b = 0; b < fb.bytes; b++)
				*p++ = (uint8_t)(px >> (8 * b));
	}
}

/* One character at pixel (x, y), text colour on the background. */
static void glyph(uint32_t x, uint32_t y, char c)
{
	uint32_t s = fb.scale;
	const char *g = font_glyphs[(uint8_t)c >= FONT_FIRST && (uint8_t)c < FONT_FIRST +
				    FONT_GLYPHS ? (uint8_t)c - FONT_FIRST : '?' - FONT_FIRST];

	fill(x, y, CELL_W * s, CELL_H * s, MAP_RGB_BACKGROUND);
	for (uint32_t r = 0; r < FONT_HEIGHT; r++)
		for (uint32_t k = 0; k < FONT_WIDTH; k++)
			if (g[r * FONT_WIDTH + k] == '#')
				fill(x + k * s, y + (r + 1) * s, s, s, MAP_RGB_TEXT);
}

static void text_at(uint32_t x, uint32_t y, const char *t)
{
	for (; *t; t++, x += CELL_W * fb.scale)
		glyph(x, y, *t);
}

static void fb_newline(void)
{
	uint32_t line = CELL_H * fb.scale;

	fb.col = 0;
	if (++fb.row < fb.rows)
		return;
	/* Scroll the text area (not the picture under it) one row. */
	volatile uint8_t *d = fb.base;
	for (uint32_t n = (fb.rows - 1) * line * fb.pitch, i = 0; i < n; i++)
		d[i] = d[i + line * fb.pitch];
	fb.row = fb.rows - 1;
	fill(0, fb.row * line, fb.width, line, MAP_RGB_BACKGROUND);
}

static void fb_putc(char c)
{
	if (c == '\n') {
		fb_newline();
		return;
	}
	if (fb.col == fb.cols)
		fb_newline();
	glyph(fb.col * CELL_W * fb.scale, fb.row * CELL_H * fb.scale, c);
	fb.col++;
}

void screen_putc(char c)
{
	if (fb_on) {
		fb_putc(c);
		return;
	}
	vga_putc(c);
	if (!early_done && early_len < sizeof(early))
		early[early_len++] = c;
}

void screen_use(const struct bootinfo *bi)
{
	const struct bootinfo_framebuffer *f = &bi->framebuffer;

	early_done = 1;
	if (f->type != BOOTINFO_VIDEO_RGB || (f->bpp != 16 && f->bpp != 24 && f->bpp != 32) ||
	    f->width < 40 * CELL_W || f->height < (PANEL_ROWS + 5) * CELL_H ||
	    f->pitch < f->width * (f->bpp / 8) ||
	    !f->red_size || !f->green_size || !f->blue_size)
		return;
	if (sizeof(void *) == 4 && f->address + (uint64_t)f->pitch * f->height > KERNEL_TOUCH_LIMIT) {
		print("screen: the framebuffer at 0x%llx lies beyond what this kernel maps\n",
		      (unsigned long long)f->address);
		return;
	}
	fb.base = (volatile uint8_t *)(uintptr_t)f->address;
	fb.pitch = f->pitch;
	fb.width = f->width;
	fb.height = f->height;
	fb.bytes = f->bpp / 8;
	fb.pos[0] = f->red_position;
	fb.size[0] = f->red_size > 8 ? 8 : f->red_size;
	fb.pos[1] = f->green_position;
	fb.size[1] = f->green_size > 8 ? 8 : f->green_size;
	fb.pos[2] = f->blue_position;
	fb.size[2] = f->blue_size > 8 ? 8 : f->blue_size;
	fb.scale = f->width >= 1600 && f->height >= 1000 ? 2 : 1;
	fb.cols = f->width / (CELL_W * fb.scale);
	fb.rows = f->height / (CELL_H * fb.scale) - PANEL_ROWS;
	fb_on = 1;
	for (uint32_t i = 0; i < early_len; i++)
		fb_putc(early[i]);
}

/* ------------------------------------------------------------------ */
/* The map as a picture. */

static const struct {
	uint32_t type, rgb;
	uint8_t vga;
} colours[] = {
	{ BOOTINFO_MEM_USABLE, MAP_RGB_USABLE, MAP_VGA_USABLE },
	{ BOOTINFO_MEM_LOADER, MAP_RGB_LOADER, MAP_VGA_LOADER },
	{ BOOTINFO_MEM_KERNEL, MAP_RGB_KERNEL, MAP_VGA_KERNEL },
	{ BOOTINFO_MEM_MODULE, MAP_RGB_MODULE, MAP_VGA_MODULE },
	{ BOOTINFO_MEM_ACPI_RECLAIMABLE, MAP_RGB_ACPI_RECLAIMABLE, MAP_VGA_ACPI_RECLAIMABLE },
	{ BOOTINFO_MEM_ACPI_NVS, MAP_RGB_ACPI_NVS, MAP_VGA_ACPI_NVS },
	{ BOOTINFO_MEM_PERSISTENT, MAP_RGB_PERSISTENT, MAP_VGA_PERSISTENT },
	{ BOOTINFO_MEM_RESERVED, MAP_RGB_RESERVED, MAP_VGA_RESERVED },
	{ BOOTINFO_MEM_BAD, MAP_RGB_BAD, MAP_VGA_BAD },
	{ 0, MAP_RGB_HOLE, MAP_VGA_HOLE }, /* the holes: no range of the map there */
};
#define NCOLOURS (sizeof(colours) / sizeof(colours[0]))
#define HOLE (NCOLOURS - 1)

/* The band's segments: the map's ranges and the holes between them. */
#define SEGMENTS_MAX (2 * BOOTINFO_MAP_MAX)
static struct {
	uint64_t base;
	uint32_t colour; /* index into colours[] */
	uint32_t weight;
} seg[SEGMENTS_MAX];

static uint32_t weight(uint64_t length)
{
	uint32_t w = MAP_WEIGHT_BASE;

	for (uint64_t kib = length >> 10; kib > 1; kib >>= 1)
		w++;
	return w;
}

static uint32_t colour_of(uint32_t type)
{
	for (uint32_t k = 0; k < HOLE; k++)
		if (colours[k].type == type)
			return k;
	return HOLE; /* check_map() lets no other type through */
}

static uint32_t segments(const struct bootinfo *bi, uint32_t *total)
{
	uint32_t n = 0;

	*total = 0;
	for (uint32_t i = 0; i < bi->map_count; i++) {
		const struct bootinfo_map_entry *e = &bi->map[i];
		if (i && e->base > bi->map[i - 1].base + bi->map[i - 1].length) {
			uint64_t end = bi->map[i - 1].base + bi->map[i - 1].length;
			seg[n].base = end;
			seg[n].colour = HOLE;
			seg[n].weight = weight(e->base - end);
			*total += seg[n++].weight;
		}
		seg[n].base = e->base;
		seg[n].colour = colour_of(e->type);
		seg[n].weight = weight(e->length);
		*total += seg[n++].weight;
	}
	return n;
}

/* The column where segment k starts (k = n: where the band ends). */
static uint32_t seg_x(uint32_t x, uint32_t width, uint32_t k, uint32_t total)
{
	uint32_t c = 0;

	for (uint32_t i = 0; i < k; i++)
		c += seg[i].weight;
	return x + width * c / total;
}

/* "0x" and the hex digits of v, without leading zeros. */
static void format_hex(char *out, uint64_t v)
{
	int n = 1;

	while (n < 16 && v >> (4 * n))
		n++;
	*out++ = '0';
	*out++ = 'x';
	while (n--)
		*out++ = "0123456789abcdef"[(v >> (4 * n)) & 0xf];
	*out = 0;
}

static const char *colour_name(uint32_t k)
{
	return k == HOLE ? "hole" : type_name(colours[k].type);
}

static void map_text(const struct bootinfo *bi)
{
	uint32_t total, n = segments(bi, &total), used = 0;
	int row = MAP_VGA_BAND_ROW, col = 0;

	/* Keep the last lines of text: move them above the band. */
	while (vga_row >= MAP_VGA_BAND_ROW)
		vga_scroll();
	vga_rows = MAP_VGA_BAND_ROW;
	for (int i = MAP_VGA_BAND_ROW * VGA_COLS; i < VGA_ROWS * VGA_COLS; i++)
		VGA_TEXT[i] = 0x0720;
	for (uint32_t k = 0; k < n; k++) {
		uint32_t a = seg_x(0, VGA_COLS, k, total), b = seg_x(0, VGA_COLS, k + 1, total);
		for (uint32_t c = a; c < b; c++)
			VGA_TEXT[row * VGA_COLS + c] =
				(uint16_t)(colours[seg[k].colour].vga << 8 | VGA_BLOCK);
		used |= 1u << seg[k].colour;
	}
	/* The legend: a block and the name of each colour the band shows. */
	row++;
	for (uint32_t k = 0; k < NCOLOURS; k++) {
		const char *name = colour_name(k);
		int len = 0;
		if (!(used & (1u << k)))
			continue;
		while (name[len])
			len++;
		if (col + len + 3 > VGA_COLS) {
			row++;
			col = 0;
		}
		if (row >= VGA_ROWS)
			break;
		VGA_TEXT[row * VGA_COLS + col] = (uint16_t)(colours[k].vga << 8 | VGA_BLOCK);
		col += 2;
		for (int i = 0; i < len; i++)
			VGA_TEXT[row * VGA_COLS + col++] = (uint16_t)(MAP_VGA_TEXT << 8 | name[i]);
		col++;
	}
	print("picture text band x=0 y=%u width=%u height=1 segments=%u\n", MAP_VGA_BAND_ROW,
	      VGA_COLS, n);
}

/* Top to bottom under the text: a title, start addresses (every other
 * one above the band, the rest under it, where there is room), the band,
 * and the legend. */
static void map_framebuffer(const struct bootinfo *bi)
{
	uint32_t total, n = segments(bi, &total), used = 0;
	uint32_t cw = CELL_W * fb.scale, ch = CELL_H * fb.scale;
	uint32_t top = fb.rows * ch, x = fb.width / 32, width = fb.width - 2 * x;
	uint32_t label_y[2] = { top + ch + ch / 2, 0 }, band_y = label_y[0] + ch + ch / 2;
	uint32_t band_h = 2 * ch, label_end[2] = { 0, 0 };
	char hex[24];

	label_y[1] = band_y + band_h + ch / 2;
	fill(0, top, fb.width, fb.height - top, MAP_RGB_BACKGROUND);
	text_at(x, top, "The memory map as the kernel got it: a segment a range in address "
			"order, its width by log2 of its size");
	for (uint32_t k = 0; k < n; k++) {
		uint32_t a = seg_x(x, width, k, total), b = seg_x(x, width, k + 1, total);
		fill(a, band_y, b - a, band_h, colours[seg[k].colour].rgb);
		used |= 1u << seg[k].colour;
		/* A tick and the start address, above or under the band. */
		format_hex(hex, seg[k].base);
		uint32_t len = 0;
		while (hex[len])
			len++;
		for (uint32_t r = 0; r < 2; r++) {
			if (a < label_end[r])
				continue;
			if (r)
				fill(a, band_y + band_h, fb.scale, ch / 2, MAP_RGB_TEXT);
			else
				fill(a, label_y[0] + ch, fb.scale, ch / 2, MAP_RGB_TEXT);
			text_at(a, label_y[r], hex);
			label_end[r] = a + (len + 1) * cw;
			break;
		}
	}
	uint32_t lx = x, ly = label_y[1] + 2 * ch;
	for (uint32_t k = 0; k < NCOLOURS; k++) {
		const char *name = colour_name(k);
		uint32_t len = 0;
		if (!(used & (1u << k)))
			continue;
		while (name[len])
			len++;
		if (lx + (len + 4) * cw > x + width) {
			lx = x;
			ly += ch + ch / 2;
		}
		fill(lx, ly + fb.scale, 2 * cw, ch - 2 * fb.scale, colours[k].rgb);
		text_at(lx + 2 * cw + cw / 2, ly, name);
		lx += (len + 4) * cw;
	}
	print("picture framebuffer band x=%u y=%u width=%u height=%u segments=%u\n", x, band_y,
	      width, band_h, n);
}

void screen_map(const struct bootinfo *bi)
{
	if (fb_on)
		map_framebuffer(bi);
	else if (bi->framebuffer.type == BOOTINFO_VIDEO_TEXT)
		map_text(bi);
}
