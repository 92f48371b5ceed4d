/*
 * The last step of every protocol: the machine state a kernel is entered
 * with.  Filled in by the protocol (stage2/proto/), read by kernel_jump in
 * stage2/pm.asm (which gets these offsets through build/handoff.inc).
 *
 * Both modes: flat 4 GiB code and data segments, interrupts off, A20 on.
 * The GDT has __BOOT_CS = 0x10 (code) and __BOOT_DS = 0x18 (data), the
 * selectors the Linux boot protocol asks for, and Multiboot's "any flat
 * segments" is met by the same.
 *   HANDOFF_PM32: protected mode, paging off; EAX, EBX, ESI, EDI as given,
 *                 ECX = EDX = EBP = 0.
 *   HANDOFF_LM64: long mode with CR3 as given (0x10 is then a 64-bit code
 *                 segment); RDI = edi, RSI = esi (zero-extended), RAX, RBX,
 *                 RCX, RDX, RBP = 0.
 * ESP/RSP = esp: the protocol writes whatever the kernel expects on the
 * stack (a return address, cdecl arguments) there itself.
 */
#ifndef HANDOFF_H
#define HANDOFF_H

#define HANDOFF_PM32 0
#define HANDOFF_LM64 1

#define HANDOFF_OFF_ENTRY 0
#define HANDOFF_OFF_MODE 8
#define HANDOFF_OFF_ESP 12
#define HANDOFF_OFF_CR3 16
#define HANDOFF_OFF_EAX 20
#define HANDOFF_OFF_EBX 24
#define HANDOFF_OFF_ESI 28
#define HANDOFF_OFF_EDI 32
#define HANDOFF_SIZE 36

#define GDT_BOOT_CS 0x10
#define GDT_BOOT_DS 0x18

#ifndef __ASSEMBLER__
#include <stddef.h>

#include "types.h"

struct handoff {
	u64 entry; /* 0: linear (PM32) or virtual (LM64) address */
	u32 mode;  /* 8: HANDOFF_* */
	u32 esp;   /* 12 */
	u32 cr3;   /* 16: LM64 */
	u32 eax;   /* 20 */
	u32 ebx;   /* 24 */
	u32 esi;   /* 28 */
	u32 edi;   /* 32 */
};
_Static_assert(offsetof(struct handoff, mode) == HANDOFF_OFF_MODE, "handoff mode");
_Static_assert(offsetof(struct handoff, esp) == HANDOFF_OFF_ESP, "handoff esp");
_Static_assert(offsetof(struct handoff, cr3) == HANDOFF_OFF_CR3, "handoff cr3");
_Static_assert(offsetof(struct handoff, eax) == HANDOFF_OFF_EAX, "handoff eax");
_Static_assert(offsetof(struct handoff, ebx) == HANDOFF_OFF_EBX, "handoff ebx");
_Static_assert(offsetof(struct handoff, esi) == HANDOFF_OFF_ESI, "handoff esi");
_Static_assert(offsetof(struct handoff, edi) == HANDOFF_OFF_EDI, "handoff edi");
_Static_assert(sizeof(struct handoff) == HANDOFF_SIZE, "handoff size");

/* Never returns.  *h may be anywhere in flat memory. */
_Noreturn void kernel_jump(const struct handoff *h);

/* Where a kernel that returns from its entry lands: a halt loop (linear
 * address of the code-segment label, for protocols that push a return
 * address). */
u32 kernel_return_address(int long_mode);

#endif
#endif
