/* The example kernel's screen (kernel/screen.c): VGA text or the loader's
 * framebuffer, and the memory map as a picture. */
#ifndef SCREEN_H
#define SCREEN_H

#include "bootinfo.h"

/* VGA text from where the loader's cursor stopped. */
void screen_init(void);
/* One character on the screen. */
void screen_putc(char c);
/* Once bi is checked: the framebuffer, if the loader set one up (the text
 * so far is drawn again there). */
void screen_use(const struct bootinfo *bi);
/* The sanitized map as a band of coloured segments with a legend, under
 * the text; prints where it drew it ("picture ..."). */
void screen_map(const struct bootinfo *bi);

#endif
