#ifndef A20_H
#define A20_H

/* Returns the BOOTINFO_A20_* method that left A20 enabled, or 0. */
int enable_a20(void);

#endif
