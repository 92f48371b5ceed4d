/* The example kernel's framebuffer font (kernel/font.c). */
#ifndef FONT_H
#define FONT_H

#define FONT_FIRST 0x20 /* ' ' */
#define FONT_GLYPHS 95  /* ' ' to '~' */
#define FONT_WIDTH 5
#define FONT_HEIGHT 8

extern const char font_glyphs[FONT_GLYPHS][FONT_HEIGHT * FONT_WIDTH + 1];

#endif
