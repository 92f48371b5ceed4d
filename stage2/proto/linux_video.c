/* A video mode for a Linux kernel; see linux_video.h. */
#include "linux_video.h"

void linux_video_request(const struct video_request *entry, u16 vid_mode,
			 struct video_request *out)
{
	*out = (struct video_request){ 0 };
	if (entry->given)
		*out = *entry;
	else if (vid_mode >= LINUX_VID_MODE_VESA_FIRST && vid_mode <= LINUX_VID_MODE_VESA_LAST)
		*out = (struct video_request){ .given = 1,
					       .mode = (u16)(vid_mode - LINUX_VID_MODE_VESA) };
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* s[0..n) is the string literal word. */
#define IS(s, n, word) ((n) == sizeof(word) - 1 && !__builtin_memcmp(s, word, n))

/* A whole number in C notation (strtoul base 0), at most 0xFFFF. */
static int c_number(const char *s, u32 n, u16 *out)
{
	u32 base = 10, i = 0, v = 0;

	if (n > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	} else if (n > 1 && s[0] == '0') {
		base = 8;
		i = 1;
	}
	if (i == n)
		return -1;
	for (; i < n; i++) {
		char c = s[i];
		u32 d = c >= '0' && c <= '9'   ? (u32)(c - '0')
			: c >= 'a' && c <= 'f' ? (u32)(c - 'a' + 10)
			: c >= 'A' && c <= 'F' ? (u32)(c - 'A' + 10)
					       : 16;
		if (d >= base)
			return -1;
		v = v * base + d;
		if (v > 0xffff)
			return -1;
	}
	*out = (u16)v;
	return 0;
}

int linux_cmdline_vga(const char *cmdline, u16 *vid_mode, const char **value, u32 *value_len)
{
	const char *at = 0;
	u32 n = 0;

	/* Parameters are words; the last vga= counts, as for the kernel's
	 * own parameters. */
	for (const char *p = cmdline; *p;) {
		while (is_space(*p))
			p++;
		const char *w = p;
		while (*p && !is_space(*p))
			p++;
		if (p - w >= 4 && !__builtin_memcmp(w, "vga=", 4)) {
			at = w + 4;
			n = (u32)(p - at);
		}
	}
	if (!at)
		return 0;
	*value = at;
	*value_len = n;
	if (IS(at, n, "normal"))
		*vid_mode = LINUX_VID_MODE_NORMAL;
	else if (IS(at, n, "ext"))
		*vid_mode = LINUX_VID_MODE_EXT;
	else if (IS(at, n, "ask"))
		*vid_mode = LINUX_VID_MODE_ASK;
	else if (c_number(at, n, vid_mode))
		return -1;
	return 1;
}

void linux_screen_info_vlfb(struct linux_screen_info *s, const struct video_result *v)
{
	const struct bootinfo_framebuffer *fb = &v->fb;
	const struct vbe_mode_info *mi = v->mode_info;
	/* The reserved bits as the colours: VBE 3.0's linear layout. */
	const u8 *rsvd = v->info->VbeVersion >= 0x300 && mi->LinRedMaskSize
				 ? &mi->LinRsvdMaskSize
				 : &mi->RsvdMaskSize;

	s->orig_video_isVGA = LINUX_VIDEO_TYPE_VLFB;
	s->lfb_width = (u16)fb->width;
	s->lfb_height = (u16)fb->height;
	/* BitsPerPixel as the BIOS gives it (15 for 5:5:5 on some): what
	 * Linux's setup code stores and its drivers expect. */
	s->lfb_depth = mi->BitsPerPixel;
	s->lfb_base = (u32)fb->address;
	s->lfb_size = v->info->TotalMemory;
	s->lfb_linelength = (u16)fb->pitch;
	s->red_size = fb->red_size;
	s->red_pos = fb->red_position;
	s->green_size = fb->green_size;
	s->green_pos = fb->green_position;
	s->blue_size = fb->blue_size;
	s->blue_pos = fb->blue_position;
	s->rsvd_size = rsvd[0];
	s->rsvd_pos = rsvd[1];
	s->pages = mi->NumberOfImagePages;
	s->vesa_attributes = mi->ModeAttributes;
	s->capabilities = v->info->Capabilities;
}
