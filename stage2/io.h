/* Port I/O and physical-memory helpers for real-mode stage2. */
#ifndef IO_H
#define IO_H

#include "portio.h"
#include "types.h"

/* About 1 us on any PC.  A read, so the POST code shown on port 0x80 stays. */
static inline void io_delay(void)
{
	(void)inb(POST_PORT);
}

/* Unreal-mode copies (stage2/pm.asm); any physical address below 4 GiB. */
void himem_copy(u32 dst, u32 src, u32 len);
void himem_fill(u32 dst, u32 byte, u32 len);

#endif
