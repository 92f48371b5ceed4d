/*
 * The screen as the BIOS left it, for kernels that did not get a video mode
 * (see video.h).  Core code: a boot without a video request never loads the
 * extension.
 */
#include "bios.h"
#include "video.h"

#define VGA_TEXT_COLOUR 0xb8000u
#define VGA_TEXT_MONO 0xb0000u /* BIOS mode 7 (MDA-compatible) */

void video_text(struct bootinfo_framebuffer *fb, u8 fallback)
{
	u16 cols = bda_read16(BDA_VIDEO_COLS);
	u8 mode = (u8)bda_read16(BDA_VIDEO_MODE), rows = (u8)bda_read16(BDA_VIDEO_ROWS) + 1;

	*fb = (struct bootinfo_framebuffer){ .fallback = fallback };
	/* No video BIOS (QEMU -vga none) leaves the BDA's record 0; a BIOS
	 * text mode is 0-3 or 7. */
	if (!cols || (mode > 3 && mode != 7))
		return;
	fb->type = BOOTINFO_VIDEO_TEXT;
	fb->address = mode == 7 ? VGA_TEXT_MONO : VGA_TEXT_COLOUR;
	fb->width = cols;
	fb->height = rows > 1 ? rows : 25; /* 40:84 is EGA and later */
	fb->pitch = cols * 2u;
	fb->bpp = 16;
	fb->mode = mode;
}
