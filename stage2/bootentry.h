/*
 * What to boot: one entry of /boot/loader.cfg (or of the configuration the
 * image builder embeds), as the config parser produces it and the protocol
 * layer consumes it.  Strings point into the configuration text, which stays
 * in memory until the kernel is started; NULL means "not given".
 */
#ifndef BOOTENTRY_H
#define BOOTENTRY_H

#include "types.h"

/* Kernel protocols.  PROTO_AUTO picks one from the kernel file: a Multiboot2
 * header in the first 32 KiB, else a Multiboot1 header in the first 8 KiB,
 * else a bzImage setup header, else an ELF for include/bootinfo.h. */
enum boot_protocol {
	PROTO_AUTO,
	PROTO_OWN,
	PROTO_MULTIBOOT1,
	PROTO_MULTIBOOT2,
	PROTO_LINUX,
	PROTO_COUNT
};

#define BOOT_ENTRIES_MAX 16
#define BOOT_MODULES_MAX 32

/* A video mode request (WxHxD).  0 fields mean "any" (0x0: the display's
 * preferred size); the kernel's own protocol header may ask too, and
 * required refuses to boot without it.  given: a request was made (video=
 * in the entry, or the kernel's header); without it the rest is 0.  mode:
 * not 0, that VBE mode exactly (Linux's vid_mode names one) instead. */
struct video_request {
	u16 width, height;
	u8 bpp;
	u8 required;
	u8 given;
	u16 mode;
};

struct boot_entry {
	const char *title;
	const char *kernel;   /* path on the boot volume */
	const char *cmdline;  /* the kernel's command line ("" when empty) */
	const char *initrd;   /* Linux only */
	/* Each module's string: its path, then anything after it on the line;
	 * the path is the first word. */
	const char *modules[BOOT_MODULES_MAX];
	u32 nmodules;
	u32 protocol;         /* enum boot_protocol */
	struct video_request video;
	/* The lines of /boot/loader.cfg that name the files, for the message
	 * when one cannot be loaded (0: the entry is not from that file). */
	u32 kernel_line, initrd_line;
	u32 module_line[BOOT_MODULES_MAX];
};

struct boot_config {
	u32 timeout;          /* seconds; 0 boots the default entry at once */
	u32 default_entry;    /* index into entries[] */
	u32 nentries;
	struct boot_entry entries[BOOT_ENTRIES_MAX];
};

#endif
