/* What the example kernel's files share: the console and the way out. */
#ifndef KERNEL_H
#define KERNEL_H

#include <stdint.h>

/* One line on every console: VGA text, COM1 (when a UART answers) and port
 * 0xE9.  Formats as include/format.h. */
void print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A 32-bit kernel reaches the first 4 GiB; the higher-half build
 * (entry32-hh.S) identity-maps only the first 3 GiB. */
#ifndef KERNEL_TOUCH_LIMIT
#define KERNEL_TOUCH_LIMIT 0x100000000ull
#endif

/* The report's name of a map type (README.md), NULL for an unknown one. */
const char *type_name(uint32_t type);

/* Ends the run (emulator_finish in include/portio.h).  One function with a
 * symbol of its own, so a debugger can stop where every run ends
 * (tests/boot/gdbsession.py breaks here to read the screen). */
_Noreturn void finish(int ok);

/* kernel/exception.c: an IDT for the 32 CPU exception vectors whose
 * handlers print "end fail exception ..." and finish(0). */
void exceptions_install(void);

#ifdef KERNEL_FAULT
/* The fault-on-purpose builds (kernel/kernel.mk): KERNEL_FAULT_UD executes
 * ud2 at the global label fault_ud_insn; KERNEL_FAULT_PF writes to the
 * absolute symbol fault_pf_target, an address nothing maps, at the label
 * fault_pf_insn (the 32-bit kernel turns paging on first: with paging off
 * there are no page faults).  The boot tests read these symbols from the
 * ELF file to know where the fault must be reported. */
#define KERNEL_FAULT_UD 1
#define KERNEL_FAULT_PF 2
void fault_on_purpose(void);
#endif

#endif
