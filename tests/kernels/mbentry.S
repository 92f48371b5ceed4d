/*
 * The entry every Multiboot test kernel shares (included after its header):
 * the loader leaves ESP undefined, so the kernel sets its own stack, then
 * calls mbk_main(magic, info) with EAX and EBX as the loader left them.
 */
	.text
	.globl _start
_start:
	mov $mbk_stack_top, %esp
	push %ebx
	push %eax
	call mbk_main
1:	cli
	hlt
	jmp 1b

	.bss
	.align 16
	.space 16384
mbk_stack_top:
