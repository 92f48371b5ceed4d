/*
 * Video modes for Multiboot kernels (pure: the host tests and fuzzers build
 * it with the information builders): the request, and the framebuffer and
 * VBE information in each protocol's own form.
 *
 * The request: the entry's video= first (the user knows the monitor), else
 * the kernel's header, when it asks for linear graphics (Multiboot1 flag
 * bit 2 with mode_type 0; Multiboot2's framebuffer tag).  As in GRUB, a
 * mode that cannot be had leaves the kernel in EGA text rather than
 * stopping the boot, even for a framebuffer tag not marked optional (that
 * flag says whether a loader may ignore the tag, not the mode).
 */
#include "mb.h"
#include "io.h"

/* bootinfo's colour fields are Multiboot's colour information for type
 * RGB as they stand: position, then size, for red, green and blue. */
_Static_assert(offsetof(struct bootinfo_framebuffer, blue_size) -
		       offsetof(struct bootinfo_framebuffer, red_position) + 1 ==
	       MULTIBOOT2_FRAMEBUFFER_RGB_INFO_SIZE, "colour fields");

void mb_video_request(const struct video_request *entry, const struct mb_video *v,
		      struct video_request *out)
{
	*out = *entry;
	if (entry->given || !v->present || v->mode_type != 0)
		return;
	*out = (struct video_request){ .width = v->width > 0xffff ? 0xffff : (u16)v->width,
				       .height = v->height > 0xffff ? 0xffff : (u16)v->height,
				       .bpp = v->depth > 32 ? 0 : (u8)v->depth, .given = 1 };
}

/* The framebuffer fields both versions lay out alike (Multiboot1's at
 * offset 88, the framebuffer tag's at 8): the mode set, or EGA text. */
struct fb_fields {
	u64 addr;
	u32 pitch, width, height;
	u8 bpp, type;
} __attribute__((packed));
_Static_assert(sizeof(struct fb_fields) ==
	       offsetof(struct multiboot_info, color_info_pad) -
		       offsetof(struct multiboot_info, framebuffer_addr), "Multiboot1 fields");
_Static_assert(sizeof(struct fb_fields) ==
	       offsetof(struct multiboot2_tag_framebuffer_common, reserved) -
		       offsetof(struct multiboot2_tag_framebuffer_common, framebuffer_addr),
	       "Multiboot2 fields");

static void fb_fields(void *at, const struct mb_info_input *in)
{
	struct fb_fields x = { MB_EGA_TEXT_BASE, in->text_cols * 2, in->text_cols, in->text_rows,
			       16, MULTIBOOT_FRAMEBUFFER_TYPE_EGA_TEXT };

	if (in->video) {
		const struct bootinfo_framebuffer *f = &in->video->fb;
		x = (struct fb_fields){ f->address, f->pitch, f->width, f->height, f->bpp,
					MULTIBOOT_FRAMEBUFFER_TYPE_RGB };
	}
	memcpy(at, &x, sizeof(x));
}

/* As 4F03h reports a mode set with its linear framebuffer. */
static u16 vbe_mode(const struct mb_info_input *in)
{
	return in->video->fb.mode | VBE_MODE_LFB;
}

void mb1_put_video(struct multiboot_info *mi, const struct mb_info_input *in,
		   struct mb_writer *w)
{
	const struct video_result *v = in->video;

	if (!v && !in->text_cols)
		return;
	mi->flags |= MULTIBOOT_INFO_FRAMEBUFFER_INFO;
	fb_fields(&mi->framebuffer_addr, in);
	if (v) {
		mi->flags |= MULTIBOOT_INFO_VBE_INFO;
		mi->vbe_control_info = mb_put(w, v->info, sizeof(*v->info), 4);
		mi->vbe_mode_info = mb_put(w, v->mode_info, sizeof(*v->mode_info), 4);
		mi->vbe_mode = vbe_mode(in);
		memcpy(mi->color_info, &v->fb.red_position, sizeof(mi->color_info));
	}
}

void mb2_put_video(const struct mb_info_input *in, struct mb_writer *w)
{
	const struct video_result *v = in->video;
	struct multiboot2_tag_framebuffer_common fb = { .type = MULTIBOOT2_TAG_TYPE_FRAMEBUFFER,
							.size = sizeof(fb) };

	if (!v && !in->text_cols)
		return;
	if (v) {
		/* type, size, vbe_mode, the protected-mode interface (none
		 * asked for: 0), then the two blocks. */
		u32 head[4] = { MULTIBOOT2_TAG_TYPE_VBE, MULTIBOOT2_TAG_VBE_SIZE, vbe_mode(in), 0 };
		mb_put(w, head, sizeof(head), MULTIBOOT2_TAG_ALIGN);
		mb_put(w, v->info, sizeof(*v->info), 1);
		mb_put(w, v->mode_info, sizeof(*v->mode_info), 1);
		fb.size += MULTIBOOT2_FRAMEBUFFER_RGB_INFO_SIZE;
	}
	fb_fields(&fb.framebuffer_addr, in);
	mb_put(w, &fb, sizeof(fb), MULTIBOOT2_TAG_ALIGN);
	if (v)
		mb_put(w, &v->fb.red_position, MULTIBOOT2_FRAMEBUFFER_RGB_INFO_SIZE, 1);
}
