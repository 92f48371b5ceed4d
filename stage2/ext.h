/*
 * Stage2's extension: the code that only some boots need (the Multiboot and
 * Linux protocols, video modes, gzip files), linked with the rest but stored
 * after the core as a DEFLATE stream of its own (tools/pack-stage2) and
 * loaded when first needed.  The core alone fits the classic 62-sector gap;
 * where the gap is too small for both, the installer leaves the extension
 * out, and a boot that needs it stops with a message saying so.
 *
 * Its code has three parts (stage2/stage2.ld): the common one, and the
 * Linux and Multiboot protocols, which share one address range in stage2's
 * 64 KiB code segment.  A boot loads at most one of the two.
 */
#ifndef EXT_H
#define EXT_H

enum ext_part {
	EXT_COMMON,    /* video modes, gzip */
	EXT_LINUX,     /* the Linux boot protocol, and the common part */
	EXT_MULTIBOOT, /* Multiboot1 and Multiboot2, and the common part */
};

/* Loads the extension's common part and `part` unless they are there;
 * `what` names what needs them, for the message when they cannot be had. */
void ext_require(const char *what, enum ext_part part);

#endif
