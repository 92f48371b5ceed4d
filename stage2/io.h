/* Port I/O and physical-memory helpers for real-mode stage2. */
#ifndef IO_H
#define IO_H

#include "types.h"

#ifdef HOST_FAKE_BIOS
/* The host tests' fake chipset (tests/host/fake_bios.c). */
#define POST_PORT 0x80
u8 inb(u16 port);
void outb(u16 port, u8 v);
#else
#include "portio.h"
#endif

/* About 1 us on any PC.  A read, so the POST code shown on port 0x80 stays. */
static inline void io_delay(void)
{
	(void)inb(POST_PORT);
}

/* Unreal-mode copies (stage2/pm.asm); any physical address below 4 GiB. */
void himem_copy(u32 dst, u32 src, u32 len);
void himem_fill(u32 dst, u32 byte, u32 len);

#endif
