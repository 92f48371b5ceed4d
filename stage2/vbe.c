/*
 * Setting a VBE mode for the kernel (see video.h): the BIOS half.  Every
 * buffer the video BIOS writes lies in the loader's heap, below 1 MiB.
 */
#include "bios.h"
#include "console.h"
#include "io.h"
#include "paging.h"
#include "physmem.h"
#include "video.h"

#ifdef HOST_FAKE_BIOS
extern u8 fake_real_memory[]; /* the host tests' real-mode memory, linear 0 up */
#define REAL_MEMORY fake_real_memory
#else
#define REAL_MEMORY ((const u8 *)phys(0))
#endif

#define VGA_SET_TEXT_MODE 0x0003 /* AH = 0 set mode, AL = 3: 80x25 colour text */
/* A refusal's message: the reason and every distinct mode (QEMU's std VGA
 * offers about 60). */
#define VIDEO_MESSAGE_MAX 1536

/* INT 10h function fn with BX, CX and ES:DI = buf (when not NULL); 1 when
 * the BIOS answered AX = 004Fh ("supported, and done"). */
static __attribute__((noinline)) int vbe(struct biosregs *r, u16 fn, u16 bx, u16 cx, void *buf)
{
	initregs(r);
	r->ax = fn;
	r->bx = bx;
	r->cx = cx;
	if (buf)
		set_es_di(r, buf);
	intcall(0x10, r, r);
	return r->ax == VBE_OK;
}

/* No mode for the kernel: text, or the end of the boot when it must have
 * one. */
static void no_mode(const struct video_request *req, struct video_result *res, u8 why,
		    const char *msg)
{
	if (req->required)
		die("the video mode %ux%ux%u (0: any) is required, but %s", req->width, req->height,
		    req->bpp, msg);
	show("stage2: video: %s; the kernel starts in text mode\n", msg);
	video_text(&res->fb, why);
}

/* 4F01h for the mode set, 4F02h with the linear framebuffer, then 4F03h
 * to see that it took: a BIOS may answer 004Fh to a mode it cannot show. */
static int set_mode(struct vbe_mode_info *mi, u16 number)
{
	struct biosregs r;

	memset(mi, 0, sizeof(*mi));
	return vbe(&r, VBE_GET_MODE_INFO, 0, number, mi) &&
	       vbe(&r, VBE_SET_MODE, number | VBE_MODE_LFB, 0, 0) &&
	       vbe(&r, VBE_GET_MODE, 0, 0, 0) && (r.bx & VBE_MODE_NUMBER_MASK) == number;
}

void video_setup(const struct video_request *req, struct video_result *res)
{
	/* Everything the BIOS writes, and the rest, in one heap block. */
	struct work {
		struct vbe_info_block info;
		struct vbe_mode_info mi;
		u16 list[VIDEO_LIST_MAX];
		struct video_mode modes[VIDEO_MODES_MAX];
		char msg[VIDEO_MESSAGE_MAX];
	} *wk = heap_alloc(sizeof(*wk));
	struct biosregs r;
	struct vbe_info_block *info = &wk->info;
	struct vbe_mode_info *mi = &wk->mi;
	u16 *list = wk->list;
	struct video_mode *modes = wk->modes;
	char *msg = wk->msg;
	u16 w = req->width, h = req->height;
	u32 nlist, n = 0, untried, failed = 0;
	const char *err;

	*res = (struct video_result){ 0 };
	/* "VBE2" asks a VBE 2.0+ BIOS for the 2.0 fields. */
	memset(info, 0, sizeof(*info));
	info->VbeSignature = VBE2_SIGNATURE;
	if (!vbe(&r, VBE_GET_INFO, 0, 0, info) || info->VbeSignature != VBE_SIGNATURE ||
	    info->VbeVersion < 0x200) {
		/* Without a VGA BIOS (QEMU -vga none) INT 10h returns at once
		 * with AX as it was. */
		format_string(msg, VIDEO_MESSAGE_MAX,
			      "the video BIOS has no VBE 2.0 (INT 10h 4F00h: AX=0x%x, signature "
			      "0x%x, version 0x%x)",
			      r.ax, info->VbeSignature, info->VbeVersion);
		no_mode(req, res, BOOTINFO_FB_NO_VBE, msg);
		return;
	}
	res->info = info;
	/* The list often lies in the buffer's own scratch area (SeaBIOS,
	 * Bochs): read it before anything else is written there. */
	/* Any far pointer lies in real mode's reach: no error here. */
	vbe_mode_list(REAL_MEMORY, VIDEO_REAL_MODE_END, info->VideoModePtr, list, VIDEO_LIST_MAX,
		      &nlist);
	for (u32 i = 0; i < nlist && n < VIDEO_MODES_MAX; i++) {
		memset(mi, 0, sizeof(*mi));
		if (vbe(&r, VBE_GET_MODE_INFO, 0, list[i], mi) &&
		    vbe_mode_usable(mi, list[i], info->VbeVersion, (u32)info->TotalMemory << 16,
				    &modes[n]))
			n++;
	}
	print("stage2: video: VBE %x.%x, %u KiB, %u modes listed, %u usable\n",
	      info->VbeVersion >> 8, info->VbeVersion & 0xff, info->TotalMemory * 64u, nlist, n);
	if (!w && !h && !req->mode) {
		struct edid *e = (struct edid *)mi;
		memset(e, 0, sizeof(*e));
		if (vbe(&r, VBE_DDC, VBE_DDC_READ_EDID, 0, e) && edid_preferred_size(e, &w, &h)) {
			print("stage2: video: the display prefers %ux%u (EDID)\n", w, h);
		} else {
			w = VIDEO_FALLBACK_WIDTH;
			h = VIDEO_FALLBACK_HEIGHT;
			print("stage2: video: no EDID from the display; taking %ux%u\n", w, h);
		}
	}
	/* Modes the BIOS would not set go to the end, past untried, in the
	 * order they were tried. */
	for (untried = n;; untried--, failed++) {
		int i = req->mode ? video_find(modes, untried, req->mode)
				  : video_pick(modes, untried, w, h, req->bpp);
		if (i < 0)
			break;
		struct bootinfo_framebuffer *fb = &modes[i].fb;
		print("stage2: video: %ux%ux%u, VBE mode 0x%x, framebuffer at 0x%x, %u bytes a "
		      "line\n",
		      fb->width, fb->height, modes[i].depth, fb->mode, (u32)fb->address, fb->pitch);
		if (set_mode(mi, fb->mode)) {
			console_graphics(1);
			/* Whole pages: a kernel maps it with them.  vbe_mode_usable()
			 * saw that it ends below 4 GiB. */
			u32 base = (u32)fb->address & ~(PAGE_SIZE - 1);
			u32 end = ((u32)fb->address + fb->pitch * fb->height + PAGE_SIZE - 1) &
				  ~(PAGE_SIZE - 1);
			if ((err = physmem_reserve(base, end - base, "the framebuffer")))
				die("the framebuffer of VBE mode 0x%x (0x%x-0x%x) %s", fb->mode, base,
				    end, err);
			res->fb = *fb;
			res->mode_info = mi;
			return;
		}
		/* A failed 4F02h may leave the screen in any state. */
		vbe(&r, VGA_SET_TEXT_MODE, 0, 0, 0);
		print("stage2: video: the video BIOS did not set mode 0x%x\n", fb->mode);
		struct video_mode bad = modes[i];
		memmove(&modes[i], &modes[i + 1], (n - i - 1) * sizeof(*modes));
		modes[n - 1] = bad;
	}
	if (req->mode)
		format_string(msg, VIDEO_MESSAGE_MAX,
			      "VBE mode 0x%x is not a usable linear mode%s; the video BIOS offers ",
			      req->mode, failed ? " (it would not set it)" : "");
	else
		format_string(msg, VIDEO_MESSAGE_MAX,
			      failed ? "the video BIOS set none of the modes of at most %ux%u; it "
				       "offers "
				     : "no mode of at most %ux%u fits; the video BIOS offers ",
			      w, h);
	u32 k = 0;
	while (msg[k])
		k++;
	if (n)
		video_describe_modes(msg + k, VIDEO_MESSAGE_MAX - k, modes, n);
	else
		format_string(msg + k, VIDEO_MESSAGE_MAX - k,
			      "no linear 15/16/24/32-bit mode (%u modes listed)", nlist);
	no_mode(req, res, failed ? BOOTINFO_FB_SET_FAILED : BOOTINFO_FB_NO_MODE, msg);
}
