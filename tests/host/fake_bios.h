/*
 * A scripted BIOS for the host tests: stands in for intcall() and
 * bda_read16() (stage2/bios.h) so the real memory.c runs against any answer
 * a real firmware has been seen to give (../shared/quirks.md).
 *
 * A test fills a struct fake_bios_script and calls fake_bios_set().  Calls
 * the script does not cover return with CF set, like a BIOS that does not
 * know the function.  The fake also checks the caller: a broken calling
 * convention is recorded as a violation, which the test reports as a FAIL.
 */
#ifndef FAKE_BIOS_H
#define FAKE_BIOS_H

#include "types.h"

/* Which fields of the E820 buffer an answer writes (FAKE_W_*). */
#define FAKE_W_BASE 0x1u
#define FAKE_W_LENGTH 0x2u
#define FAKE_W_TYPE 0x4u
#define FAKE_W_ATTR 0x8u
/* The default (write = 0): an answer with CF clear and EAX = 'SMAP' writes
 * base, length and type, plus attr when it returns ECX >= 24; any other
 * answer writes nothing. */

struct fake_e820_answer {
	u32 cf;     /* 1: return with CF set */
	u32 eax;    /* returned EAX, normally E820_SMAP */
	u32 ebx;    /* continuation handed out */
	u32 ecx;    /* returned size */
	u32 write;  /* FAKE_W_* mask, 0 for the default above */
	u64 base, length;
	u32 type, attr;
};

struct fake_e801_answer {
	int present; /* 0: INT 15h E801h unknown (CF set) */
	u32 cf;
	u16 ax, bx, cx, dx;
};

struct fake_88_answer {
	int present; /* 0: INT 15h 88h unknown (CF set) */
	u32 cf;
	u16 ax;
};

/* The A20 gate and the three ways to open it (stage2/a20.c). */
struct fake_a20 {
	int on;        /* the gate at start */
	int bios_2401; /* 0: unknown (CF set), 1: opens the gate, 2: says so but does not */
	int kbc;       /* 0: no 8042 (status reads 0xFF), 1: works, 2: input buffer stuck full */
	int port92;    /* 0: absent (reads 0xFF), 1: works */
	u32 settle;    /* io_delay() reads of port 0x80 before an opened gate shows */
};

struct fake_bios_script {
	const struct fake_e820_answer *e820; /* answer to call i; none past e820_count */
	u32 e820_count;
	/* Answers for every walk after the first (a walk starts at EBX = 0);
	 * NULL: each walk gets the answers above again. */
	const struct fake_e820_answer *e820_rewalk;
	u32 e820_rewalk_count;
	struct fake_e801_answer e801;
	struct fake_88_answer e88;
	int int12_present; /* 0: INT 12h leaves AX as it was given */
	u16 int12_ax;
	u16 bda_base_kib; /* word at 40:13 */
	u16 bda_ebda_seg; /* word at 40:0E */
	struct fake_a20 a20;
	/* Leave garbage in the upper halves of EAX..EDX on 16-bit answers
	 * (E801, 88h, INT 12h): the caller must read AX, not EAX. */
	int upper_garbage;
};

/* What the fake saw. */
struct fake_bios_log {
	u32 e820_calls, e801_calls, e88_calls, int12_calls, unknown_calls, bda_reads;
	u32 violations;
	char violation[256]; /* the first one */
	void *e820_buffer; /* the buffer the E820 calls filled */
	u32 a20_2401_calls, kbc_commands, kbc_data_writes, port92_writes;
	int a20_now;       /* the gate at the end */
};

extern struct fake_bios_log fake_bios_log;

/* Installs a script (copied by reference: keep it alive) and clears the log. */
void fake_bios_set(const struct fake_bios_script *script);

#endif
