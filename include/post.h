/*
 * Progress codes on POST port 0x80 (README.md lists them): for debug cards,
 * and in QEMU's port trace.  The last code shown says how far the boot got.
 * The MBR's codes are printable and go to port 0xE9 too.  One owner for the
 * MBR (nasm, through build/post.inc), stage2's head (nasm) and its C.
 */
#ifndef POST_H
#define POST_H

#define POST_MBR_START 0x4d  /* 'M': the MBR runs */
#define POST_MBR_FAILED 0x21 /* '!': the MBR stopped with a message */
#define POST_STAGE2 0xb0     /* stage2 runs (its head, unpacking the body) */
#define POST_A20 0xb1
#define POST_MEMORY 0xb2     /* memory detection */
#define POST_DISK 0xb3       /* the boot volume, its configuration, the kernel's headers */
#define POST_KERNEL 0xb4     /* loading the kernel and its modules */
#define POST_PAGING 0xb5     /* page tables, the final map, boot information */
#define POST_JUMP 0xb6       /* the jump to the kernel */
#define POST_ERROR 0xbf      /* stage2 stopped with a message */

#endif
