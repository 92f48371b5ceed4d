/*
 * The boot menu: with timeout=N (N > 0) in /boot/loader.cfg, the entries go
 * to the screen and the serial line, and the choice comes from the keyboard
 * (INT 16h) or the serial line: arrow keys (VT100 ESC [ A / ESC [ B on
 * serial) or a digit move the selection, Enter boots it; the default boots
 * when N seconds pass with no key.  Any key stops the countdown.
 */
#ifndef MENU_H
#define MENU_H

#include "bootentry.h"

/* The index of the entry to boot. */
u32 menu_choose(const struct boot_config *cfg);

#endif
