/* The boot menu; see menu.h. */
#include "menu.h"
#include "bios.h"
#include "console.h"
#include "io.h"

#define TICKS_PER_10S 182 /* the BIOS timer runs at 18.2 Hz */
#define X86_EFLAGS_ZF 0x0040u
#define SCAN_UP 0x48
#define SCAN_DOWN 0x50
#define KEY_ESC 0x1b

enum key { KEY_NONE, KEY_UP, KEY_DOWN, KEY_ENTER, KEY_OTHER, KEY_DIGIT = 0x100 };

/* Ticks since midnight (INT 1Ah AH=00h), without the midnight wrap. */
static u32 ticks(void)
{
	static u32 days;
	struct biosregs in, out;

	initregs(&in);
	intcall(0x1a, &in, &out);
	if (out.al)
		days++;
	return days * 0x1800b0u + ((u32)out.cx << 16 | out.dx);
}

static u32 keyboard(void)
{
	struct biosregs in, out;

	initregs(&in);
	in.ah = 0x01; /* a keystroke waiting? ZF clear if so */
	intcall(0x16, &in, &out);
	if (out.eflags & X86_EFLAGS_ZF)
		return KEY_NONE;
	initregs(&in); /* AH = 00h: take it */
	intcall(0x16, &in, &out);
	if (out.al == '\r')
		return KEY_ENTER;
	if (out.al >= '1' && out.al <= '9')
		return KEY_DIGIT + out.al - '1';
	if (!out.al || out.al == 0xe0)
		return out.ah == SCAN_UP ? KEY_UP : out.ah == SCAN_DOWN ? KEY_DOWN : KEY_OTHER;
	return KEY_OTHER;
}

/* VT100 arrows arrive as ESC [ A and ESC [ B. */
static u32 serial(void)
{
	static u32 state;
	int c = serial_getc();

	if (c < 0)
		return KEY_NONE;
	if (state == 2) {
		state = 0;
		return c == 'A' ? KEY_UP : c == 'B' ? KEY_DOWN : KEY_OTHER;
	}
	if (state == 1 || c == KEY_ESC) {
		state = c == KEY_ESC ? 1 : c == '[' ? 2 : 0;
		return state ? KEY_NONE : KEY_OTHER;
	}
	if (c == '\r' || c == '\n')
		return KEY_ENTER;
	if (c >= '1' && c <= '9')
		return KEY_DIGIT + (u32)(c - '1');
	return KEY_OTHER;
}

static void show_menu(const struct boot_config *cfg, u32 sel)
{
	show("\nBoot menu: arrow keys or a number choose, Enter boots.\n");
	for (u32 i = 0; i < cfg->nentries; i++)
		show("%c %u. %s\n", i == sel ? '>' : ' ', i + 1, cfg->entries[i].title);
}

u32 menu_choose(const struct boot_config *cfg)
{
	u32 sel = cfg->default_entry, left = cfg->timeout, shown = ~0u;
	u32 start;
	int counting = 1;

	if (!cfg->timeout)
		return sel; /* before the clock is read: INT 1Ah is a BIOS call */
	start = ticks();
	show_menu(cfg, sel);
	for (;;) {
		u32 k = keyboard();
		if (k == KEY_NONE)
			k = serial();
		if (k != KEY_NONE && counting) {
			counting = 0;
			show("\n");
		}
		if (k == KEY_ENTER)
			break;
		if (k == KEY_UP || k == KEY_DOWN || k >= KEY_DIGIT) {
			u32 n = cfg->nentries;
			sel = k == KEY_UP ? (sel + n - 1) % n
			    : k == KEY_DOWN ? (sel + 1) % n
			    : k - KEY_DIGIT < n ? k - KEY_DIGIT : sel;
			show_menu(cfg, sel);
		}
		if (counting) {
			u32 elapsed = (ticks() - start) * 10 / TICKS_PER_10S;
			if (elapsed >= cfg->timeout)
				break;
			left = cfg->timeout - elapsed;
			if (left != shown) {
				show("\rBooting '%s' in %u s... ", cfg->entries[sel].title, left);
				shown = left;
			}
		}
	}
	show("\nBooting '%s'\n", cfg->entries[sel].title);
	return sel;
}
