#ifndef CPU_H
#define CPU_H

#include "types.h"

struct cpu_features {
	int cpuid;       /* the CPUID instruction exists (EFLAGS.ID toggles) */
	int pae;         /* CPUID 1: EDX bit 6 */
	int long_mode;   /* CPUID 8000_0001h: EDX bit 29 */
	int gib_pages;   /* CPUID 8000_0001h: EDX bit 26 (pdpe1gb) */
	u32 phys_bits;   /* CPUID 8000_0008h: EAX[7:0]; 36 when not reported */
};

void cpu_detect(struct cpu_features *f);

#endif
