/*
 * Video modes for kernels that ask for one.  A request (stage2/bootentry.h:
 * loader.cfg video=WxHxD[,required], or a kernel's own header) is met with
 * a VBE linear-framebuffer mode: stage2/vbe.c asks the video BIOS for its
 * modes (INT 10h 4F00h, 4F01h), the display's preferred size when the
 * request leaves the size open (4F15h, EDID), picks one with video_pick()
 * and sets it (4F02h, checked with 4F03h).  The parsing and the choice are
 * pure (stage2/vbemode.c): the host tests and the fuzzer run them on
 * whatever a video BIOS might hand back.  Both live in stage2's extension;
 * the core only describes the text screen (stage2/video.c).
 *
 * What counts: modes with a linear framebuffer in direct colour, 15, 16, 24
 * or 32 bits per pixel (VBE memory model 6), that fit the display memory.
 * The request's depth D names the colour format: 15 (5:5:5 in 16-bit
 * pixels), 16 (5:6:5), 24 (24-bit pixels) or 32 (32-bit pixels).
 */
#ifndef VIDEO_H
#define VIDEO_H

#include "bootentry.h"
#include "bootinfo.h"
#include "types.h"
#include "vbe.h"

#define VIDEO_LIST_MAX 256   /* mode numbers read from a VBE mode list */
#define VIDEO_MODES_MAX 128  /* usable modes kept (the rest are ignored) */
/* Real mode reaches linear addresses up to FFFF:FFFF; a BIOS far pointer
 * points below this. */
#define VIDEO_REAL_MODE_END 0x10fff0u
/* A request for any size (0x0) gets the display's preferred size (EDID);
 * without an EDID, this one, which every VBE 2.0 card offers. */
#define VIDEO_FALLBACK_WIDTH 1024
#define VIDEO_FALLBACK_HEIGHT 768

/* A usable mode, from its ModeInfoBlock: fb as the kernel gets it (type
 * BOOTINFO_VIDEO_RGB, mode = the VBE mode number), and its depth as a
 * request names it (15, 16, 24, 32). */
struct video_mode {
	struct bootinfo_framebuffer fb;
	u8 depth;
};

/* The mode numbers of a VBE mode list at far pointer farptr, read from
 * mem[0..mem_len) (mem[i] is linear address i; stage2 passes all of real
 * mode's reach): up to max numbers, stopping at VBE_MODE_LIST_END or where
 * mem ends.  NULL and *count set, or a message when the pointer is outside
 * mem. */
const char *vbe_mode_list(const u8 *mem, u32 mem_len, u32 farptr, u16 *out, u32 max,
			  u32 *count);

/* 1 and *out filled when mode `number` (its 4F01h answer mi, VBE version
 * `version` as 4F00h gave it, display memory vram_bytes, 0 if unknown) is a
 * linear direct-colour mode this loader can hand over; 0 otherwise. */
int vbe_mode_usable(const struct vbe_mode_info *mi, u16 number, u16 version, u32 vram_bytes,
		    struct video_mode *out);

/* 1 and the preferred size (the first detailed timing's active area) when e
 * is an EDID 1.x block with a good header and checksum; 0 otherwise. */
int edid_preferred_size(const struct edid *e, u16 *width, u16 *height);

/* The index of the mode that fits width x height x depth best (0 in a
 * field: any), or -1 when none fits.  The rule, in order:
 *   1. only modes no wider and no taller than asked;
 *   2. the exact size first;
 *   3. then the largest area;
 *   4. then the depth: the one asked, else the deepest below it, else the
 *      shallowest above it (depth 0: the deepest);
 *   5. then the first in the list. */
int video_pick(const struct video_mode *modes, u32 n, u16 width, u16 height, u8 depth);

/* The index of the mode numbered `number` (a request for one VBE mode),
 * or -1. */
int video_find(const struct video_mode *modes, u32 n, u16 number);

/* "640x480x15, 640x480x16, ..." in buf (NUL-terminated): each distinct
 * WxHxD once, in list order, as long as the entries leave room for ", ..."
 * in size - 1 characters; ", ..." (or "..." alone) ends a list cut short.
 * Returns the length. */
u32 video_describe_modes(char *buf, u32 size, const struct video_mode *modes, u32 n);

/* What the video BIOS gave besides the framebuffer, for the protocols that
 * hand it on (Multiboot's VBE fields): NULL where there is none. */
struct video_result {
	struct bootinfo_framebuffer fb;
	const struct vbe_info_block *info;      /* 4F00h's answer */
	const struct vbe_mode_info *mode_info;  /* 4F01h's answer for the mode set */
};

/* Core: describes the screen as the BIOS left it (VGA text from the BDA, or
 * BOOTINFO_VIDEO_NONE when no video BIOS set one up), with `fallback` as
 * the reason it is not a framebuffer. */
void video_text(struct bootinfo_framebuffer *fb, u8 fallback);

/* Extension (ext_require first): meets *req as well as the video BIOS
 * allows (req->mode: that mode or none) and describes the result in *res.  When no mode fits or none can
 * be set, the screen stays text (res->fb says why), unless req->required:
 * then the boot stops with a message listing the modes there are.  Once a
 * mode is set, the console stops drawing on the screen; the framebuffer's
 * range is claimed as reserved memory (stage2/physmem.h). */
void video_setup(const struct video_request *req, struct video_result *res);

#endif
