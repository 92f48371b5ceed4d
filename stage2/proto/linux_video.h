/*
 * A video mode for a Linux kernel (stage2/proto/linux_video.c, pure): the
 * request, and the VESA linear framebuffer as Linux's screen_info describes
 * it when its own real-mode setup code set the mode (arch/x86/boot/
 * video-vesa.c), so its vesafb or simple-framebuffer (sysfb) driver takes it.
 */
#ifndef LINUX_VIDEO_H
#define LINUX_VIDEO_H

#include "bootentry.h"
#include "linux_boot.h"
#include "video.h"

/* The entry's video= when it has one, else the kernel's vid_mode when it
 * names a VESA mode (LINUX_VID_MODE_VESA_FIRST..LAST: a kernel built with
 * a vga=0x3XX default); otherwise nothing is asked (out->given 0). */
void linux_video_request(const struct video_request *entry, u16 vid_mode,
			 struct video_request *out);

/* The last vga= on the command line, which the boot protocol asks a loader
 * to store in vid_mode (the kernel's setup code, which would read it, does
 * not run on the 32-bit entry): a number in C notation (791, 0x317, 01427)
 * or normal, ext, ask (LINUX_VID_MODE_NORMAL, _EXT, _ASK).  Returns 0 when
 * there is none, 1 with *vid_mode set, -1 when the value is none of those;
 * *value and *value_len say where the value is in cmdline either way. */
int linux_cmdline_vga(const char *cmdline, u16 *vid_mode, const char **value, u32 *value_len);

/* screen_info for the mode video_setup() set (v->fb.type RGB, with the
 * controller and mode blocks). */
void linux_screen_info_vlfb(struct linux_screen_info *s, const struct video_result *v);

#endif
