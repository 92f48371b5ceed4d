/*
 * The real stage2/a20.c against a fake chipset (tests/host/fake_bios.c):
 * the order of the methods, the verification after each, the 8042 presence
 * check and bounded waits, and port 0x92 without ever touching its reset
 * bit.  QEMU can force the INT 15h and 8042 paths (tests/boot/faulttest.py);
 * port 0x92 alone only here, since QEMU without an 8042 cannot close the gate.
 */
#include <stdlib.h>

#include "a20.h"
#include "bootinfo.h"
#include "fake_bios.h"
#include "testlib.h"

struct a20_case {
	const char *name;
	struct fake_a20 chip;
	int want;                        /* BOOTINFO_A20_* or 0 */
	u32 want_2401, want_kbc_data, want_p92; /* calls and writes expected */
};

static const struct a20_case cases[] = {
	{ "a20_already_on", { .on = 1 }, BOOTINFO_A20_ALREADY, 0, 0, 0 },
	{ "a20_bios_2401", { .bios_2401 = 1, .kbc = 1, .port92 = 1 }, BOOTINFO_A20_BIOS, 1, 0, 0 },
	{ "a20_bios_2401_slow_to_show", { .bios_2401 = 1, .kbc = 1, .settle = 200 },
	  BOOTINFO_A20_BIOS, 1, 0, 0 },
	{ "a20_bios_unknown_then_8042", { .kbc = 1, .port92 = 1 }, BOOTINFO_A20_KBC, 1, 1, 0 },
	{ "a20_bios_lies_then_8042", { .bios_2401 = 2, .kbc = 1, .port92 = 1 },
	  BOOTINFO_A20_KBC, 1, 1, 0 },
	{ "a20_no_8042_then_port92", { .port92 = 1 }, BOOTINFO_A20_FAST, 1, 0, 1 },
	{ "a20_8042_stuck_busy_then_port92", { .kbc = 2, .port92 = 1 }, BOOTINFO_A20_FAST, 1, 0, 1 },
	{ "a20_port92_slow_to_show", { .port92 = 1, .settle = 300 }, BOOTINFO_A20_FAST, 1, 0, 1 },
	{ "a20_nothing_works", { 0 }, 0, 1, 0, 0 },
};

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct a20_case *c = &cases[i];
		struct fake_bios_script script = { .a20 = c->chip };

		t_begin(c->name);
		fake_bios_set(&script);
		int got = enable_a20();
		if (got != c->want)
			t_fail("enable_a20() = %d, want %d", got, c->want);
		if (fake_bios_log.a20_now != (c->want != 0))
			t_fail("gate %s at the end", fake_bios_log.a20_now ? "open" : "shut");
		if (fake_bios_log.a20_2401_calls != c->want_2401)
			t_fail("INT 15h 2401h called %u times, want %u", fake_bios_log.a20_2401_calls,
			       c->want_2401);
		if (fake_bios_log.kbc_data_writes != c->want_kbc_data)
			t_fail("8042 data writes %u, want %u", fake_bios_log.kbc_data_writes,
			       c->want_kbc_data);
		if (fake_bios_log.port92_writes != c->want_p92)
			t_fail("port 0x92 writes %u, want %u", fake_bios_log.port92_writes, c->want_p92);
		if (fake_bios_log.violations)
			t_fail("chipset misused %u times, first: %s", fake_bios_log.violations,
			       fake_bios_log.violation);
		t_end();
	}
	return t_exit_status();
}
