/*
 * Stage2's extension: the code that only some boots need (the Multiboot and
 * Linux protocols, video modes, gzip files), linked with the rest but stored
 * after the core as a DEFLATE stream of its own (tools/pack-stage2) and
 * loaded when first needed.  The core alone fits the classic 62-sector gap;
 * where the gap is too small for both, the installer leaves the extension
 * out, and a boot that needs it stops with a message saying so.
 */
#ifndef EXT_H
#define EXT_H

/* Loads the extension unless it is there; `what` names what needs it, for
 * the message when it cannot be had. */
void ext_require(const char *what);

#endif
