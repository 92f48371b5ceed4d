/* CPU feature probe for the long-mode decision and the page-table shape. */
#include "cpu.h"

#define EFLAGS_ID (1u << 21)
#define CPUID_1_EDX_PAE (1u << 6)
#define CPUID_EXT_EDX_PDPE1GB (1u << 26)
#define CPUID_EXT_EDX_LM (1u << 29)
#define CPUID_EXT_BASE 0x80000000u
#define CPUID_EXT_FEATURES 0x80000001u
#define CPUID_EXT_ADDR_SIZES 0x80000008u

static int has_cpuid(void)
{
	u32 before, after;

	/* Pre-CPUID CPUs (386, early 486) keep EFLAGS.ID fixed. */
	__asm__ volatile("pushfl\n\t"
			 "pushfl\n\t"
			 "popl %0\n\t"
			 "movl %0, %1\n\t"
			 "xorl %2, %0\n\t"
			 "pushl %0\n\t"
			 "popfl\n\t"
			 "pushfl\n\t"
			 "popl %0\n\t"
			 "popfl"
			 : "=&r"(after), "=&r"(before)
			 : "i"(EFLAGS_ID));
	return ((before ^ after) & EFLAGS_ID) != 0;
}

static void cpuid(u32 leaf, u32 *a, u32 *b, u32 *c, u32 *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

void cpu_detect(struct cpu_features *f)
{
	u32 a, b, c, d, max_ext;

	*f = (struct cpu_features){ .phys_bits = 36 };
	f->cpuid = has_cpuid();
	if (!f->cpuid)
		return;
	cpuid(1, &a, &b, &c, &d);
	f->pae = (d & CPUID_1_EDX_PAE) != 0;
	cpuid(CPUID_EXT_BASE, &max_ext, &b, &c, &d);
	if (max_ext >= CPUID_EXT_FEATURES) {
		cpuid(CPUID_EXT_FEATURES, &a, &b, &c, &d);
		f->long_mode = (d & CPUID_EXT_EDX_LM) != 0;
		f->gib_pages = (d & CPUID_EXT_EDX_PDPE1GB) != 0;
	}
	if (max_ext >= CPUID_EXT_ADDR_SIZES) {
		cpuid(CPUID_EXT_ADDR_SIZES, &a, &b, &c, &d);
		if (a & 0xff)
			f->phys_bits = a & 0xff;
	}
}
