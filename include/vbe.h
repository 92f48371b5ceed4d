/*
 * VESA BIOS Extensions (VBE 3.0, "VESA BIOS EXTENSION (VBE) Core Functions
 * Standard Version 3.0") and the EDID block it hands out (VESA E-EDID 1.3 /
 * 1.4): the structures as the video BIOS fills them, named after the
 * specifications, each field's offset in a comment.
 *
 * Far pointers (VideoModePtr, the OEM strings) are real-mode segment:offset
 * pairs, offset in the low word: linear = segment * 16 + offset.
 */
#ifndef VBE_H
#define VBE_H

#include "types.h"

/* INT 10h functions (AX on the call; AX = VBE_OK on success: AL = 4Fh "the
 * function is supported", AH = 0 "it worked"). */
#define VBE_OK 0x004fu
#define VBE_GET_INFO 0x4f00u
#define VBE_GET_MODE_INFO 0x4f01u
#define VBE_SET_MODE 0x4f02u
#define VBE_GET_MODE 0x4f03u
#define VBE_DDC 0x4f15u     /* BL = VBE_DDC_READ_EDID: read an EDID block */
#define VBE_DDC_READ_EDID 0x01u

/* Mode numbers (BX of 4F02h/4F03h). */
#define VBE_MODE_NUMBER_MASK 0x01ffu /* bits 0-8: the mode itself */
#define VBE_MODE_LFB 0x4000u         /* bit 14: use the linear framebuffer */
#define VBE_MODE_NO_CLEAR 0x8000u    /* bit 15: keep the display memory */
#define VBE_MODE_LIST_END 0xffffu

#define VBE_SIGNATURE 0x41534556u /* "VESA", returned */
#define VBE2_SIGNATURE 0x32454256u /* "VBE2", set before 4F00h to get VBE 2.0+ fields */

/* 4F00h: the controller. */
struct vbe_info_block {
	u32 VbeSignature;      /* 0: "VESA" */
	u16 VbeVersion;        /* 4: BCD, 0x0300 for 3.0 */
	u32 OemStringPtr;      /* 6 */
	u32 Capabilities;      /* 10 */
	u32 VideoModePtr;      /* 14: far pointer to u16 mode numbers, 0xFFFF ends */
	u16 TotalMemory;       /* 18: display memory in 64 KiB blocks */
	u16 OemSoftwareRev;    /* 20: VBE 2.0+ */
	u32 OemVendorNamePtr;  /* 22 */
	u32 OemProductNamePtr; /* 26 */
	u32 OemProductRevPtr;  /* 30 */
	u8 Reserved[222];      /* 34: the BIOS's scratch: the mode list may live here */
	u8 OemData[256];       /* 256: ...or here (OEM strings too) */
} __attribute__((packed));

/* ModeAttributes bits. */
#define VBE_ATTR_SUPPORTED 0x0001u  /* the hardware can show it */
#define VBE_ATTR_COLOR 0x0008u
#define VBE_ATTR_GRAPHICS 0x0010u
#define VBE_ATTR_LFB 0x0080u        /* a linear framebuffer is available */

/* MemoryModel values. */
#define VBE_MEMORY_MODEL_PACKED 4u
#define VBE_MEMORY_MODEL_DIRECT 6u

/* 4F01h: one mode. */
struct vbe_mode_info {
	/* all VBE revisions */
	u16 ModeAttributes;        /* 0 */
	u8 WinAAttributes;         /* 2 */
	u8 WinBAttributes;         /* 3 */
	u16 WinGranularity;        /* 4 */
	u16 WinSize;               /* 6 */
	u16 WinASegment;           /* 8 */
	u16 WinBSegment;           /* 10 */
	u32 WinFuncPtr;            /* 12 */
	u16 BytesPerScanLine;      /* 16 */
	/* VBE 1.2 and later */
	u16 XResolution;           /* 18 */
	u16 YResolution;           /* 20 */
	u8 XCharSize;              /* 22 */
	u8 YCharSize;              /* 23 */
	u8 NumberOfPlanes;         /* 24 */
	u8 BitsPerPixel;           /* 25 */
	u8 NumberOfBanks;          /* 26 */
	u8 MemoryModel;            /* 27 */
	u8 BankSize;               /* 28 */
	u8 NumberOfImagePages;     /* 29 */
	u8 Reserved0;              /* 30 */
	u8 RedMaskSize;            /* 31 */
	u8 RedFieldPosition;       /* 32 */
	u8 GreenMaskSize;          /* 33 */
	u8 GreenFieldPosition;     /* 34 */
	u8 BlueMaskSize;           /* 35 */
	u8 BlueFieldPosition;      /* 36 */
	u8 RsvdMaskSize;           /* 37 */
	u8 RsvdFieldPosition;      /* 38 */
	u8 DirectColorModeInfo;    /* 39 */
	/* VBE 2.0 and later */
	u32 PhysBasePtr;           /* 40: the linear framebuffer */
	u32 Reserved1;             /* 44 */
	u16 Reserved2;             /* 48 */
	/* VBE 3.0 and later */
	u16 LinBytesPerScanLine;   /* 50 */
	u8 BnkNumberOfImagePages;  /* 52 */
	u8 LinNumberOfImagePages;  /* 53 */
	u8 LinRedMaskSize;         /* 54 */
	u8 LinRedFieldPosition;    /* 55 */
	u8 LinGreenMaskSize;       /* 56 */
	u8 LinGreenFieldPosition;  /* 57 */
	u8 LinBlueMaskSize;        /* 58 */
	u8 LinBlueFieldPosition;   /* 59 */
	u8 LinRsvdMaskSize;        /* 60 */
	u8 LinRsvdFieldPosition;   /* 61 */
	u32 MaxPixelClock;         /* 62 */
	u8 Reserved3[190];         /* 66 */
} __attribute__((packed));

/* EDID 1.x (128 bytes; 4F15h BL=01h reads block DX into ES:DI). */
#define EDID_SIZE 128u
#define EDID_DTD_COUNT 4u
#define EDID_DTD_SIZE 18u

/* An 18-byte descriptor: a detailed timing when pixel_clock is not 0. */
struct edid_detailed_timing {
	u16 pixel_clock;       /* 0: 10 kHz units; 0: a display descriptor instead */
	u8 h_active_lo;        /* 2 */
	u8 h_blank_lo;         /* 3 */
	u8 h_hi;               /* 4: bits 7-4 active, 3-0 blanking (bits 11-8) */
	u8 v_active_lo;        /* 5 */
	u8 v_blank_lo;         /* 6 */
	u8 v_hi;               /* 7: bits 7-4 active, 3-0 blanking */
	u8 rest[10];           /* 8: sync, size, borders, flags */
} __attribute__((packed));

struct edid {
	u8 header[8];          /* 0: 00 FF FF FF FF FF FF 00 */
	u16 manufacturer;      /* 8: big endian, three 5-bit letters */
	u16 product;           /* 10 */
	u32 serial;            /* 12 */
	u8 week;               /* 16 */
	u8 year;               /* 17: since 1990 */
	u8 version;            /* 18: 1 */
	u8 revision;           /* 19: 3 or 4 */
	u8 input;              /* 20 */
	u8 h_size_cm;          /* 21 */
	u8 v_size_cm;          /* 22 */
	u8 gamma;              /* 23 */
	u8 features;           /* 24: bit 1, EDID 1.3: the first timing is preferred */
	u8 chromaticity[10];   /* 25 */
	u8 established[3];     /* 35 */
	u16 standard[8];       /* 38 */
	struct edid_detailed_timing detailed[EDID_DTD_COUNT]; /* 54: the first is preferred */
	u8 extensions;         /* 126 */
	u8 checksum;           /* 127: the 128 bytes sum to 0 */
} __attribute__((packed));

#define EDID_FEATURE_PREFERRED_TIMING 0x02u

_Static_assert(sizeof(struct vbe_info_block) == 512, "vbe_info_block");
_Static_assert(__builtin_offsetof(struct vbe_info_block, VideoModePtr) == 14, "VideoModePtr");
_Static_assert(__builtin_offsetof(struct vbe_info_block, TotalMemory) == 18, "TotalMemory");
_Static_assert(__builtin_offsetof(struct vbe_info_block, Reserved) == 34, "Reserved");
_Static_assert(__builtin_offsetof(struct vbe_info_block, OemData) == 256, "OemData");
_Static_assert(sizeof(struct vbe_mode_info) == 256, "vbe_mode_info");
_Static_assert(__builtin_offsetof(struct vbe_mode_info, BytesPerScanLine) == 16, "BPSL");
_Static_assert(__builtin_offsetof(struct vbe_mode_info, XResolution) == 18, "XResolution");
_Static_assert(__builtin_offsetof(struct vbe_mode_info, BitsPerPixel) == 25, "BitsPerPixel");
_Static_assert(__builtin_offsetof(struct vbe_mode_info, MemoryModel) == 27, "MemoryModel");
_Static_assert(__builtin_offsetof(struct vbe_mode_info, RedMaskSize) == 31, "RedMaskSize");
_Static_assert(__builtin_offsetof(struct vbe_mode_info, DirectColorModeInfo) == 39, "DCMI");
_Static_assert(__builtin_offsetof(struct vbe_mode_info, PhysBasePtr) == 40, "PhysBasePtr");
_Static_assert(__builtin_offsetof(struct vbe_mode_info, LinBytesPerScanLine) == 50, "LinBPSL");
_Static_assert(__builtin_offsetof(struct vbe_mode_info, LinRedMaskSize) == 54, "LinRedMaskSize");
_Static_assert(__builtin_offsetof(struct vbe_mode_info, MaxPixelClock) == 62, "MaxPixelClock");
_Static_assert(sizeof(struct edid_detailed_timing) == EDID_DTD_SIZE, "edid_detailed_timing");
_Static_assert(sizeof(struct edid) == EDID_SIZE, "edid");
_Static_assert(__builtin_offsetof(struct edid, features) == 24, "features");
_Static_assert(__builtin_offsetof(struct edid, detailed) == 54, "detailed");
_Static_assert(__builtin_offsetof(struct edid, checksum) == 127, "checksum");

#endif
