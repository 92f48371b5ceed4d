/*
 * The BIOS-call boundary.  Every software interrupt stage2 issues goes
 * through intcall() (stage2/bioscall.asm); the host tests link memory.c,
 * disk.c and a20.c against a scripted intcall() and bda_read16() instead.
 */
#ifndef BIOS_H
#define BIOS_H

#include "types.h"

/* PUSHAD order, then the segments and EFLAGS: bioscall.asm depends on it. */
struct biosregs {
	union {
		struct {
			u32 edi, esi, ebp, _esp, ebx, edx, ecx, eax;
		};
		struct {
			u16 di, hdi, si, hsi, bp, hbp, _sp, _hsp;
			u16 bx, hbx, dx, hdx, cx, hcx, ax, hax;
		};
		struct {
			u8 dil, dih, edi2, edi3, sil, sih, esi2, esi3;
			u8 bpl, bph, ebp2, ebp3, _spl, _sph, _esp2, _esp3;
			u8 bl, bh, ebx2, ebx3, dl, dh, edx2, edx3;
			u8 cl, ch, ecx2, ecx3, al, ah, eax2, eax3;
		};
	};
	u16 ds, es, fs, gs; /* 32 */
	u32 eflags;         /* 40 */
};
_Static_assert(sizeof(struct biosregs) == 44, "bioscall.asm BIOSREGS_SIZE");

#define X86_EFLAGS_CF 0x0001u
#define X86_EFLAGS_IF 0x0200u

/* Zeroes *r and presets CF: a BIOS that ignores the call reads as failed. */
static inline void initregs(struct biosregs *r)
{
	*r = (struct biosregs){ .eflags = X86_EFLAGS_CF | X86_EFLAGS_IF };
}

void intcall(u8 int_no, const struct biosregs *in, struct biosregs *out);

/* Point ES:DI or DS:SI at a buffer for the BIOS: any address below 1 MiB,
 * as segment:offset with the offset below 16 (stage2's data pointers are
 * linear addresses).  The host tests' fake BIOS is handed the pointer
 * itself. */
#ifdef HOST_FAKE_BIOS
extern void *fake_bios_es_di, *fake_bios_ds_si;
static inline void set_es_di(struct biosregs *r, void *p)
{
	r->es = 0;
	r->edi = 0;
	fake_bios_es_di = p;
}
static inline void set_ds_si(struct biosregs *r, void *p)
{
	r->ds = 0;
	r->esi = 0;
	fake_bios_ds_si = p;
}
#else
static inline void set_es_di(struct biosregs *r, void *p)
{
	u32 a = (u32)(uintptr_t)p;

	r->es = (u16)(a >> 4);
	r->edi = a & 0xf;
}
static inline void set_ds_si(struct biosregs *r, void *p)
{
	u32 a = (u32)(uintptr_t)p;

	r->ds = (u16)(a >> 4);
	r->esi = a & 0xf;
}
#endif

/* BIOS data area (segment 0x40) words the loader reads. */
#define BDA_HD_COUNT 0x75 /* byte: number of fixed disks */
#define BDA_EBDA_SEG 0x0e /* word: EBDA segment */
#define BDA_BASE_MEM_KIB 0x13 /* word: conventional memory, KiB */
/* The video BIOS's record of the text console (IBM PC/AT and EGA/VGA BIOS). */
#define BDA_VIDEO_MODE 0x49  /* byte: current mode */
#define BDA_VIDEO_COLS 0x4a  /* word: columns */
#define BDA_CURSOR_POS 0x50  /* 8 words, one per page: column, then row */
#define BDA_VIDEO_PAGE 0x62  /* byte: active page */
#define BDA_VIDEO_ROWS 0x84  /* byte: rows - 1 (EGA and later) */
#define BDA_CHAR_HEIGHT 0x85 /* word: scan lines per character */
u16 bda_read16(u16 offset);

#endif
