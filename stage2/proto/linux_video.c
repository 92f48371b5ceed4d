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
