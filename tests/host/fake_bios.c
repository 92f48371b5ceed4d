/*
 * The scripted BIOS behind intcall() and bda_read16() for the host tests;
 * see fake_bios.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bios.h"
#include "e820.h"
#include "fake_bios.h"

/* bios.h's set_es_di()/set_ds_si() hand the buffer to the fake here. */
void *fake_bios_es_di, *fake_bios_ds_si;

struct fake_bios_log fake_bios_log;

static const struct fake_bios_script *script;
static u32 e820_cont;     /* continuation handed out by the last answer */
static u32 e820_pos;      /* the script answer for the next call of a walk */
static u32 e820_walks;    /* walks started (calls with EBX = 0) */
static void *e820_buffer; /* the buffer of the first call of this script */

static void __attribute__((format(printf, 1, 2))) violation(const char *fmt, ...);

/* The gate: opening it shows after `settle` port-0x80 reads. */
static int gate_open, gate_pending;
static u32 gate_wait;
static int kbc_expect_data;

static void open_gate(void)
{
	if (gate_open || gate_pending)
		return;
	gate_pending = 1;
	gate_wait = script ? script->a20.settle : 0;
	if (!gate_wait) {
		gate_open = 1;
		gate_pending = 0;
	}
	fake_bios_log.a20_now = gate_open;
}

u16 fake_a20_alias(const volatile u16 *p)
{
	/* Gate shut: FFFF:(p + 0x10) wraps onto p itself. */
	return gate_open ? (u16)~*p : *p;
}

u8 inb(u16 port)
{
	const struct fake_a20 *a = script ? &script->a20 : NULL;

	if (port == 0x80) {
		if (gate_pending && !--gate_wait) {
			gate_open = 1;
			gate_pending = 0;
			fake_bios_log.a20_now = 1;
		}
		return 0;
	}
	if (port == 0x64)
		return !a || !a->kbc ? 0xff : a->kbc == 2 ? 0x02 : 0x00;
	if (port == 0x60)
		return 0;
	if (port == 0x92)
		return !a || !a->port92 ? 0xff : (u8)(gate_open ? 0x02 : 0x00);
	violation("inb(%#x): a port the A20 code has no business reading", port);
	return 0xff;
}

void outb(u16 port, u8 v)
{
	const struct fake_a20 *a = script ? &script->a20 : NULL;

	if (port == 0x64) {
		fake_bios_log.kbc_commands++;
		if (a && a->kbc == 2)
			violation("outb(0x64, %#x) while the 8042's input buffer was full", v);
		kbc_expect_data = v == 0xd1;
	} else if (port == 0x60) {
		fake_bios_log.kbc_data_writes++;
		if (a && a->kbc == 1 && kbc_expect_data && (v & 0x02))
			open_gate();
		if (!(v & 0x01))
			violation("8042 output port written with bit 0 clear: that resets the CPU");
		kbc_expect_data = 0;
	} else if (port == 0x92) {
		fake_bios_log.port92_writes++;
		if (v & 0x01)
			violation("port 0x92 written with bit 0 set: that resets the machine");
		if (a && a->port92 && (v & 0x02))
			open_gate();
	} else {
		violation("outb(%#x, %#x): a port the A20 code has no business writing", port, v);
	}
}

void fake_bios_set(const struct fake_bios_script *s)
{
	gate_open = s && s->a20.on;
	gate_pending = 0;
	gate_wait = 0;
	kbc_expect_data = 0;
	script = s;
	memset(&fake_bios_log, 0, sizeof(fake_bios_log));
	fake_bios_log.a20_now = gate_open;
	e820_cont = 0;
	e820_pos = 0;
	e820_walks = 0;
	e820_buffer = NULL;
	fake_bios_es_di = fake_bios_ds_si = NULL;
}

static void __attribute__((format(printf, 1, 2))) violation(const char *fmt, ...)
{
	va_list ap;

	if (!fake_bios_log.violations++) {
		va_start(ap, fmt);
		vsnprintf(fake_bios_log.violation, sizeof(fake_bios_log.violation), fmt, ap);
		va_end(ap);
	}
}

static void set_cf(struct biosregs *r, u32 cf)
{
	if (cf)
		r->eflags |= X86_EFLAGS_CF;
	else
		r->eflags &= ~X86_EFLAGS_CF;
}

static void garbage_upper(struct biosregs *r)
{
	if (!script->upper_garbage)
		return;
	r->hax = 0xdead;
	r->hbx = 0xbeef;
	r->hcx = 0xcafe;
	r->hdx = 0xf00d;
}

static void e820(const struct biosregs *in, struct biosregs *out)
{
	u32 n = fake_bios_log.e820_calls++;
	/* EBX = 0 starts a walk over: the script answers from its start again,
	 * as a real BIOS does when the loader walks the map a second time. */
	if (!in->ebx) {
		e820_pos = 0;
		e820_walks++;
	}
	u32 call = e820_pos++;
	(void)n;
	struct e820_entry *buf = fake_bios_es_di;

	/* The calling convention (ACPI spec, "INT 15H, E820H"): every rule
	 * a real BIOS may rely on. */
	if (in->edx != E820_SMAP)
		violation("E820 call %u: EDX %#x, want 'SMAP'", call, in->edx);
	if (in->ecx != E820_ENTRY_SIZE_ACPI3)
		violation("E820 call %u: ECX %u, want 24", call, in->ecx);
	if (in->ebx && in->ebx != e820_cont)
		violation("E820 call %u: EBX %#x, want the continuation %#x", call, in->ebx,
			  e820_cont);
	if (!buf) {
		violation("E820 call %u: ES:DI not set", call);
		set_cf(out, 1);
		return;
	}
	if (!e820_buffer)
		e820_buffer = fake_bios_log.e820_buffer = buf;
	else if (buf != e820_buffer)
		violation("E820 call %u: a different buffer than the first call", call);
	if (buf->attr != E820_ATTR_VALID)
		violation("E820 call %u: attribute dword %#x on entry, want it preset to 1", call,
			  buf->attr);

	const struct fake_e820_answer *answers = script ? script->e820 : NULL;
	u32 count = script ? script->e820_count : 0;
	if (script && e820_walks > 1 && script->e820_rewalk) {
		answers = script->e820_rewalk;
		count = script->e820_rewalk_count;
	}
	if (!answers || call >= count) {
		set_cf(out, 1);
		return;
	}
	const struct fake_e820_answer *a = &answers[call];
	u32 write = a->write;
	if (!write && !a->cf && a->eax == E820_SMAP)
		write = FAKE_W_BASE | FAKE_W_LENGTH | FAKE_W_TYPE |
			(a->ecx >= E820_ENTRY_SIZE_ACPI3 ? FAKE_W_ATTR : 0);
	if (write & FAKE_W_BASE)
		buf->base = a->base;
	if (write & FAKE_W_LENGTH)
		buf->length = a->length;
	if (write & FAKE_W_TYPE)
		buf->type = a->type;
	if (write & FAKE_W_ATTR)
		buf->attr = a->attr;
	out->eax = a->eax;
	out->ebx = a->ebx;
	out->ecx = a->ecx;
	set_cf(out, a->cf);
	e820_cont = a->ebx;
}

void intcall(u8 int_no, const struct biosregs *in_, struct biosregs *out)
{
	const struct biosregs in = *in_; /* in and out may be the same */
	struct biosregs discard;

	if (!out) /* intcall() allows a caller that wants no answer */
		out = &discard;

	if (!(in.eflags & X86_EFLAGS_CF))
		violation("INT %#x AX=%#x: called without CF preset (initregs)", int_no, in.ax);
	*out = in;
	if (int_no == 0x15 && in.eax == E820_FUNC) {
		e820(&in, out);
	} else if (int_no == 0x15 && in.ax == 0x2401) {
		fake_bios_log.a20_2401_calls++;
		if (!script || !script->a20.bios_2401) {
			out->ah = 0x86;
			set_cf(out, 1);
		} else {
			if (script->a20.bios_2401 == 1)
				open_gate();
			out->ah = 0;
			set_cf(out, 0);
		}
	} else if (int_no == 0x15 && in.ax == E801_FUNC) {
		fake_bios_log.e801_calls++;
		if (!script || !script->e801.present) {
			set_cf(out, 1);
		} else {
			out->eax = script->e801.ax;
			out->ebx = script->e801.bx;
			out->ecx = script->e801.cx;
			out->edx = script->e801.dx;
			garbage_upper(out);
			set_cf(out, script->e801.cf);
		}
	} else if (int_no == 0x15 && in.ah == INT15_88H) {
		fake_bios_log.e88_calls++;
		if (!script || !script->e88.present) {
			out->ah = 0x86; /* function not supported */
			set_cf(out, 1);
		} else {
			out->eax = script->e88.ax;
			garbage_upper(out);
			set_cf(out, script->e88.cf);
		}
	} else if (int_no == 0x12) {
		fake_bios_log.int12_calls++;
		if (script && script->int12_present) {
			out->eax = script->int12_ax;
			garbage_upper(out);
		}
	} else {
		fake_bios_log.unknown_calls++;
		set_cf(out, 1);
	}
	fake_bios_es_di = fake_bios_ds_si = NULL;
}

u16 bda_read16(u16 offset)
{
	fake_bios_log.bda_reads++;
	switch (offset) {
	case BDA_BASE_MEM_KIB:
		return script ? script->bda_base_kib : 0;
	case BDA_EBDA_SEG:
		return script ? script->bda_ebda_seg : 0;
	default:
		violation("bda_read16(%#x): a word the memory code has no business reading",
			  offset);
		return 0;
	}
}
