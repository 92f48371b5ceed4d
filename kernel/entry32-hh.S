/*
 * Entry of the ELF32 example linked in the higher half (kernel/link32-hh.ld:
 * linked at 0xC0100000, loaded at 1 MiB, e_entry virtual).  The loader
 * starts an ELF32 kernel at its entry's physical address with paging off,
 * as GRUB does: this stub runs there, using no absolute address but the
 * physical ones it computes, turns on paging with 4 MiB pages (PSE) -- the
 * first 3 GiB identity-mapped, 0xC0000000 up mapped to 0 up -- and jumps to
 * kmain at its virtual address with the loader's arguments.
 *
 * At entry: EAX = BOOTINFO_MAGIC, EBX = the boot information (physical),
 * ESP = the loader's stack (physical; both stay reachable through the
 * identity map).
 */
#define KERNEL_VMA 0xC0000000
#define PDE_4M 0x83 /* present, writable, 4 MiB page */
#define CR4_PSE 0x10
#define CR0_PG 0x80000000

	.section .text.entry32, "ax"
	.code32
	.globl entry32_hh
entry32_hh:
	mov %eax, %esi
	mov $(boot_pd - KERNEL_VMA), %edi	/* the page directory, physical */
	xor %ecx, %ecx
1:	mov %ecx, %edx				/* PDE i maps virtual i * 4 MiB... */
	cmp $(KERNEL_VMA >> 22), %ecx
	jb 2f
	sub $(KERNEL_VMA >> 22), %edx		/* ...to physical (i - 768) * 4 MiB above 3 GiB */
2:	shl $22, %edx
	or $PDE_4M, %edx
	mov %edx, (%edi, %ecx, 4)
	inc %ecx
	cmp $1024, %ecx
	jne 1b
	mov %cr4, %edx
	or $CR4_PSE, %edx
	mov %edx, %cr4
	mov %edi, %cr3
	mov %cr0, %edx
	or $CR0_PG, %edx
	mov %edx, %cr0
	push %esi				/* kmain(bi, magic), cdecl */
	push %ebx
	push $0					/* it never returns */
	mov $kmain, %edx
	jmp *%edx

	.section .bss.pd, "aw", @nobits
	.balign 4096
boot_pd:
	.space 4096

	.section .note.GNU-stack, "", @progbits
