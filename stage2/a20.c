/*
 * The A20 gate.  Test first (most machines boot with it on); then INT 15h
 * 2401h, the 8042 keyboard controller, and port 0x92, verifying after each,
 * because some methods take a moment to show and some boards lie about
 * success.  Boards without an 8042 read 0xFF from its status port: checked,
 * and every wait is bounded.
 */
#include "a20.h"
#include "bios.h"
#include "bootinfo.h"
#include "io.h"

#define KBC_DATA 0x60
#define KBC_STATUS 0x64 /* read: status, write: command */
#define KBC_STATUS_OUT_FULL 0x01
#define KBC_STATUS_IN_FULL 0x02
#define KBC_CMD_WRITE_OUTPUT 0xd1
#define KBC_OUTPUT_A20_ON 0xdf
#define KBC_CMD_NULL 0xff /* lets USB legacy emulation finish the write */
#define PORT_SYS_CTRL_A 0x92
#define SYS_CTRL_A_A20 0x02
#define SYS_CTRL_A_RESET 0x01
#define INT15_A20_ENABLE 0x2401u

#define KBC_SPINS 100000u
#define A20_SETTLE_TRIES 1000u

/* A word of our own in segment 0; with A20 off, FFFF:(addr + 0x10) is the
 * same byte. */
static volatile u16 a20_probe;

#ifdef HOST_FAKE_BIOS
/* The host tests model the wrap themselves. */
u16 fake_a20_alias(const volatile u16 *p);
#define read_alias fake_a20_alias
#else
/* The word at FFFF:(p + 0x10): p itself when A20 is off. */
static u16 read_alias(const volatile u16 *p)
{
	u32 off = (u16)(uintptr_t)p + 0x10;
	u16 v;

	__asm__ volatile("pushw %%fs\n\tmovw %w2, %%fs\n\tmovw %%fs:(%1), %0\n\tpopw %%fs"
			 : "=r"(v)
			 : "r"(off), "r"((u16)0xffff)
			 : "memory");
	return v;
}
#endif

static int a20_is_on(void)
{
	static const u16 patterns[2] = { 0x5aa5, 0xa55a };
	u16 saved = a20_probe;
	int on = 0;

	/* With A20 off the alias follows every write; with it on the alias is
	 * another word, which can match one pattern by chance but not both. */
	for (int i = 0; i < 2 && !on; i++) {
		a20_probe = patterns[i];
		on = read_alias(&a20_probe) != patterns[i];
	}
	a20_probe = saved;
	return on;
}

static int a20_settled(void)
{
	for (u32 i = 0; i < A20_SETTLE_TRIES; i++) {
		if (a20_is_on())
			return 1;
		io_delay();
	}
	return 0;
}

static void enable_a20_bios(void)
{
	struct biosregs r;

	initregs(&r);
	r.ax = INT15_A20_ENABLE;
	intcall(0x15, &r, 0);
}

static int kbc_wait_input_empty(void)
{
	for (u32 i = 0; i < KBC_SPINS; i++) {
		u8 st = inb(KBC_STATUS);
		if (st == 0xff)
			return -1; /* no controller */
		if (st & KBC_STATUS_OUT_FULL)
			(void)inb(KBC_DATA); /* drain stale output */
		else if (!(st & KBC_STATUS_IN_FULL))
			return 0;
		io_delay();
	}
	return -1;
}

static int enable_a20_kbc(void)
{
	if (inb(KBC_STATUS) == 0xff || kbc_wait_input_empty())
		return -1;
	outb(KBC_STATUS, KBC_CMD_WRITE_OUTPUT);
	if (kbc_wait_input_empty())
		return -1;
	outb(KBC_DATA, KBC_OUTPUT_A20_ON);
	if (kbc_wait_input_empty())
		return -1;
	outb(KBC_STATUS, KBC_CMD_NULL);
	return kbc_wait_input_empty();
}

static void enable_a20_fast(void)
{
	u8 v = inb(PORT_SYS_CTRL_A);

	if (v & SYS_CTRL_A_A20)
		return;
	/* Bit 0 resets the machine: never write it as 1. */
	outb(PORT_SYS_CTRL_A, (u8)((v | SYS_CTRL_A_A20) & ~SYS_CTRL_A_RESET));
}

int enable_a20(void)
{
	if (a20_is_on())
		return BOOTINFO_A20_ALREADY;
	enable_a20_bios();
	if (a20_settled())
		return BOOTINFO_A20_BIOS;
	if (!enable_a20_kbc() && a20_settled())
		return BOOTINFO_A20_KBC;
	enable_a20_fast();
	if (a20_settled())
		return BOOTINFO_A20_FAST;
	return 0;
}
