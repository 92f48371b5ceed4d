/*
 * CPU exceptions in the example kernel: an IDT whose 32 vectors each print
 * why the kernel died instead of letting the CPU triple-fault (which QEMU
 * with -no-reboot turns into a silent exit, and a real PC into a reboot).
 *
 *   end fail exception <name> (vector <n>) at <ip>[ error <code>][ cr2 <addr>]
 *
 * on every console, then finish(0): QEMU exits with STATUS_KERNEL_FAIL.
 * "error" comes with the vectors for which the CPU pushes an error code,
 * "cr2" with page faults (the linear address that faulted).  A line
 * "exception: ..." with the registers at the fault comes first.
 *
 * The same source serves the ELF32 kernel (protected mode, 8-byte gates)
 * and the ELF64 one (long mode, 16-byte gates).  The loader's GDT stays in
 * use: the gates take whatever code selector the loader entered us with.
 */
#include <stdint.h>

#include "kernel.h"
#include "portio.h"

#define EXCEPTION_VECTORS 32
#define STUB_ALIGN 16 /* each stub below starts this far from the previous */
#define GATE_INTERRUPT 0x8e /* present, DPL 0, interrupt gate */
#define X86_CR0_PG 0x80000000u
#define PAGE_PRESENT 0x1u
#define PAGE_WRITE 0x2u

/*
 * The stubs: one per vector, STUB_ALIGN bytes apart so the IDT can be
 * filled by arithmetic.  Vectors without a CPU error code push a 0 in its
 * place, so every handler sees the same frame; the common part saves the
 * general registers and calls exception_handler(frame), which never
 * returns.  The list of vectors with an error code is the Intel SDM's
 * (vol. 3, table 6-1): #DF 8, #TS 10, #NP 11, #SS 12, #GP 13, #PF 14,
 * #AC 17, #CP 21, #VC 29, #SX 30.
 */
#define ERROR_CODE_VECTORS                                                             \
	((1u << 8) | (1u << 10) | (1u << 11) | (1u << 12) | (1u << 13) | (1u << 14) | \
	 (1u << 17) | (1u << 21) | (1u << 29) | (1u << 30))

#define STR_(x) #x
#define STR(x) STR_(x)

__asm__(".pushsection .text\n"
	".macro exception_stub vec\n"
	/* gas stops with "attempt to move .org backwards" if a stub grows */
	"	.org exception_stubs + \\vec * " STR(STUB_ALIGN) ", 0xcc\n"
	"	.if !((1 << \\vec) & " STR(ERROR_CODE_VECTORS) ")\n"
	"	push $0\n"
	"	.endif\n"
	"	push $\\vec\n"
	"	jmp exception_common\n"
	".endm\n"
	"	.balign " STR(STUB_ALIGN) "\n"
	"	.globl exception_stubs\n"
	"exception_stubs:\n"
	"	.irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,"
	"24,25,26,27,28,29,30,31\n"
	"	exception_stub \\vec\n"
	"	.endr\n"
	"	.org exception_stubs + " STR(EXCEPTION_VECTORS) " * " STR(STUB_ALIGN) ", 0xcc\n"
#ifdef __x86_64__
	"exception_common:\n"
	"	push %rax\n	push %rbx\n	push %rcx\n	push %rdx\n"
	"	push %rsi\n	push %rdi\n	push %rbp\n	push %r8\n"
	"	push %r9\n	push %r10\n	push %r11\n	push %r12\n"
	"	push %r13\n	push %r14\n	push %r15\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n" /* the SysV ABI's alignment at a call */
	"	call exception_handler\n"
#else
	"exception_common:\n"
	"	pusha\n"
	"	mov %esp, %eax\n"
	"	and $-16, %esp\n"
	"	sub $12, %esp\n"
	"	push %eax\n"
	"	call exception_handler\n"
#endif
	"1:	cli\n"
	"	hlt\n"
	"	jmp 1b\n"
	".purgem exception_stub\n"
	".popsection\n");

extern const char exception_stubs[];

/* The stack as exception_common leaves it (lowest address first). */
#ifdef __x86_64__
struct exception_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t ip, cs, flags, sp, ss; /* pushed by the CPU */
};

struct idt_gate {
	uint16_t offset_lo; /* 0x0 */
	uint16_t selector;  /* 0x2 */
	uint8_t ist;        /* 0x4 */
	uint8_t type;       /* 0x5 */
	uint16_t offset_mid; /* 0x6 */
	uint32_t offset_hi; /* 0x8 */
	uint32_t reserved;  /* 0xc */
};
_Static_assert(sizeof(struct idt_gate) == 16, "long-mode IDT gate is 16 bytes");

struct __attribute__((packed)) idt_pointer {
	uint16_t limit;
	uint64_t base;
};
#else
struct exception_frame {
	uint32_t edi, esi, ebp, esp_pusha, ebx, edx, ecx, eax; /* pusha */
	uint32_t vector, error;
	uint32_t ip, cs, flags; /* pushed by the CPU; no privilege change */
};

struct idt_gate {
	uint16_t offset_lo; /* 0x0 */
	uint16_t selector;  /* 0x2 */
	uint8_t zero;       /* 0x4 */
	uint8_t type;       /* 0x5 */
	uint16_t offset_hi; /* 0x6 */
};
_Static_assert(sizeof(struct idt_gate) == 8, "protected-mode IDT gate is 8 bytes");

struct __attribute__((packed)) idt_pointer {
	uint16_t limit;
	uint32_t base;
};
#endif

static struct idt_gate idt[EXCEPTION_VECTORS] __attribute__((aligned(16)));

/* Intel SDM vol. 3, table 6-1; one word each so the line stays parseable. */
static const char *const exception_names[EXCEPTION_VECTORS] = {
	"divide-error", "debug", "nmi", "breakpoint", "overflow", "bound-range",
	"invalid-opcode", "device-not-available", "double-fault",
	"coprocessor-segment-overrun", "invalid-tss", "segment-not-present",
	"stack-fault", "general-protection", "page-fault", "reserved-15",
	"x87-floating-point", "alignment-check", "machine-check", "simd-floating-point",
	"virtualization", "control-protection", "reserved-22", "reserved-23",
	"reserved-24", "reserved-25", "reserved-26", "reserved-27",
	"hypervisor-injection", "vmm-communication", "security", "reserved-31",
};

void exceptions_install(void)
{
	uint16_t cs;
	struct idt_pointer ptr = { .limit = sizeof(idt) - 1, .base = (uintptr_t)idt };

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	for (unsigned v = 0; v < EXCEPTION_VECTORS; v++) {
		uintptr_t a = (uintptr_t)exception_stubs + v * STUB_ALIGN;
		idt[v] = (struct idt_gate){ .offset_lo = (uint16_t)a, .selector = cs,
					    .type = GATE_INTERRUPT,
#ifdef __x86_64__
					    .offset_mid = (uint16_t)(a >> 16),
					    .offset_hi = (uint32_t)(a >> 32),
#else
					    .offset_hi = (uint16_t)(a >> 16),
#endif
		};
	}
	__asm__ volatile("lidt %0" : : "m"(ptr));
}

static void e9_puts(const char *s)
{
	while (*s)
		outb(DEBUGCON_PORT, (uint8_t)*s++);
}

void exception_handler(struct exception_frame *f);
void exception_handler(struct exception_frame *f)
{
	static int entered;
	uintptr_t cr2 = 0;

	/* A fault while reporting one (a console that faults, a stack that
	 * is gone) must still end the run, without the consoles. */
	if (entered++) {
		e9_puts("\nend fail exception while reporting an exception\n");
		finish(0);
	}
	if (f->vector == 14)
		__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	const char *name = f->vector < EXCEPTION_VECTORS ? exception_names[f->vector] : "unknown";
#ifdef __x86_64__
	print("\nexception: %s rip=0x%016llx cs=0x%llx rflags=0x%llx rsp=0x%016llx ss=0x%llx\n",
	      name, (unsigned long long)f->ip, (unsigned long long)f->cs,
	      (unsigned long long)f->flags, (unsigned long long)f->sp, (unsigned long long)f->ss);
	print("exception: rax=0x%llx rbx=0x%llx rcx=0x%llx rdx=0x%llx rsi=0x%llx rdi=0x%llx "
	      "rbp=0x%llx\n",
	      (unsigned long long)f->rax, (unsigned long long)f->rbx, (unsigned long long)f->rcx,
	      (unsigned long long)f->rdx, (unsigned long long)f->rsi, (unsigned long long)f->rdi,
	      (unsigned long long)f->rbp);
	print("exception: r8=0x%llx r9=0x%llx r10=0x%llx r11=0x%llx r12=0x%llx r13=0x%llx "
	      "r14=0x%llx r15=0x%llx\n",
	      (unsigned long long)f->r8, (unsigned long long)f->r9, (unsigned long long)f->r10,
	      (unsigned long long)f->r11, (unsigned long long)f->r12, (unsigned long long)f->r13,
	      (unsigned long long)f->r14, (unsigned long long)f->r15);
	print("end fail exception %s (vector %u) at 0x%016llx", name, (unsigned)f->vector,
	      (unsigned long long)f->ip);
#else
	/* Same privilege level: the CPU pushed no ESP, the interrupted stack
	 * pointer is right above the frame. */
	print("\nexception: %s eip=0x%08x cs=0x%x eflags=0x%x esp=0x%08x\n", name, f->ip, f->cs,
	      f->flags, (uint32_t)(uintptr_t)(&f->flags + 1));
	print("exception: eax=0x%x ebx=0x%x ecx=0x%x edx=0x%x esi=0x%x edi=0x%x ebp=0x%x\n",
	      f->eax, f->ebx, f->ecx, f->edx, f->esi, f->edi, f->ebp);
	print("end fail exception %s (vector %u) at 0x%08x", name, (unsigned)f->vector, f->ip);
#endif
	if (f->vector < 32 && ((ERROR_CODE_VECTORS >> f->vector) & 1))
		print(" error 0x%llx", (unsigned long long)f->error);
	if (f->vector == 14)
		print(" cr2 0x%llx", (unsigned long long)cr2);
	print("\n");
	finish(0);
}

#ifdef KERNEL_FAULT
#if KERNEL_FAULT == KERNEL_FAULT_UD
__asm__(".pushsection .text\n"
	"	.globl fault_ud, fault_ud_insn\n"
	"fault_ud:\n"
	"fault_ud_insn:\n"
	"	ud2\n"
	".popsection\n");
void fault_ud(void);

void fault_on_purpose(void)
{
	fault_ud();
}
#elif KERNEL_FAULT == KERNEL_FAULT_PF
/* A write (error code bit 1) to a page that is not present (bit 0 clear)
 * from ring 0 (bit 2 clear).  Long mode: 64 TiB, beyond any RAM the loader
 * maps.  Protected mode: in the PCI hole, never RAM on a PC, and outside
 * the 4 MiB blocks mapped below. */
#ifdef __x86_64__
__asm__(".pushsection .text\n"
	"	.globl fault_pf, fault_pf_insn, fault_pf_target\n"
	"	.set fault_pf_target, 0x00004000dead0000\n"
	"fault_pf:\n"
	"	movabs $fault_pf_target, %rax\n"
	"fault_pf_insn:\n"
	"	movl $1, (%rax)\n"
	"	ret\n"
	".popsection\n");
#else
#define FAULT_PF_TARGET 0xdead0000
__asm__(".pushsection .text\n"
	"	.globl fault_pf, fault_pf_insn, fault_pf_target\n"
	"	.set fault_pf_target, " STR(FAULT_PF_TARGET) "\n"
	"fault_pf:\n"
	"	mov $fault_pf_target, %eax\n"
	"fault_pf_insn:\n"
	"	movl $1, (%eax)\n"
	"	ret\n"
	".popsection\n");

#define PAGE_TABLES 4
#define BLOCK_SHIFT 22 /* one page table maps 4 MiB */

static uint32_t page_dir[1024] __attribute__((aligned(4096)));
static uint32_t page_tables[PAGE_TABLES][1024] __attribute__((aligned(4096)));

static void map_block(uint32_t addr, unsigned *used)
{
	uint32_t pde = addr >> BLOCK_SHIFT;

	if (page_dir[pde] & PAGE_PRESENT)
		return;
	uint32_t *pt = page_tables[(*used)++];
	for (uint32_t i = 0; i < 1024; i++)
		pt[i] = (pde << BLOCK_SHIFT) | (i << 12) | PAGE_PRESENT | PAGE_WRITE;
	page_dir[pde] = (uint32_t)(uintptr_t)pt | PAGE_PRESENT | PAGE_WRITE;
}

/* Paging with 4 KiB pages (a 386 has no 4 MiB ones), identity-mapping the
 * 4 MiB blocks that hold what runs from here on: the low megabyte (the
 * loader's GDT, VGA text), this kernel and its stack. */
static void paging_on(void)
{
	extern char kernel_start[], kernel_end[];
	unsigned used = 0;
	uint32_t sp, cr0;

	__asm__ volatile("mov %%esp, %0" : "=r"(sp));
	map_block(0, &used);
	map_block((uint32_t)(uintptr_t)kernel_start, &used);
	map_block((uint32_t)(uintptr_t)kernel_end - 1, &used);
	map_block(sp, &used);
	map_block(sp - 4096, &used);
	if (page_dir[FAULT_PF_TARGET >> BLOCK_SHIFT] & PAGE_PRESENT) {
		print("end fail fault-target-mapped\n");
		finish(0);
	}
	__asm__ volatile("mov %0, %%cr3" : : "r"(page_dir) : "memory");
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %0, %%cr0\n\tjmp 1f\n1:" : : "r"(cr0 | X86_CR0_PG) : "memory");
}
#endif
void fault_pf(void);

void fault_on_purpose(void)
{
#ifndef __x86_64__
	paging_on();
#endif
	fault_pf();
}
#else
#error "KERNEL_FAULT must be KERNEL_FAULT_UD or KERNEL_FAULT_PF"
#endif
#endif
