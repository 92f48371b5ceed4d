; Mode switches: unreal-mode access to memory above 64 KiB, and the final
; jump into a 32-bit protected-mode or 64-bit long-mode kernel.

%include "layout.inc"
%include "bootinfo.inc"

SEL_CODE32 equ 0x08
SEL_DATA32 equ 0x10
SEL_CODE64 equ 0x18

CR0_PE equ 1 << 0
CR0_PG equ 1 << 31
CR4_PAE equ 1 << 5
MSR_EFER equ 0xc0000080
EFER_LME equ 1 << 8

bits 16
section .rodata
align 8
gdt:
	dq 0
	dq 0x00cf9a000000ffff		; 0x08: code, 32-bit, base 0, 4 GiB
	dq 0x00cf92000000ffff		; 0x10: data, 32-bit, base 0, 4 GiB
	dq 0x00af9a000000ffff		; 0x18: code, 64-bit
gdt_end:
gdt_desc:
	dw gdt_end - gdt - 1
	dd gdt

section .data
; Filled in by C (stage2/main.c) right before kernel_jump.
global handoff_entry, handoff_bootinfo, handoff_stack, handoff_cr3, handoff_long
align 8
handoff_entry:		dq 0
handoff_bootinfo:	dd 0
handoff_stack:		dd 0	; 16-byte aligned top
handoff_cr3:		dd 0
handoff_long:		dd 0	; 1: ELF64, enter long mode

section .text

; Gives DS and ES a 4 GiB limit and returns to real mode with both 0.
; Interrupts must be off.  Done again for every access, because a BIOS
; call or interrupt handler may reload the segments (SeaBIOS's call32
; returns with 64 KiB limits).
enter_unreal:
	lgdt [gdt_desc]
	mov eax, cr0
	or al, CR0_PE
	mov cr0, eax
	jmp .pm				; serialise on pre-Pentium CPUs
.pm:
	mov bx, SEL_DATA32
	mov ds, bx
	mov es, bx
	and al, ~CR0_PE
	mov cr0, eax
	xor bx, bx
	mov ds, bx
	mov es, bx
	ret

; void himem_copy(u32 dst, u32 src, u32 len): any physical addresses below
; 4 GiB; regparm(3): EAX = dst, EDX = src, ECX = len.
global himem_copy
himem_copy:
	push esi
	push edi
	push ebx
	pushfd
	cli
	mov edi, eax
	mov esi, edx
	push ecx
	call enter_unreal
	pop ecx
	mov edx, ecx
	shr ecx, 2
	a32 rep movsd
	mov ecx, edx
	and ecx, 3
	a32 rep movsb
	popfd
	pop ebx
	pop edi
	pop esi
	o32 ret

; void himem_fill(u32 dst, u32 byte, u32 len)
global himem_fill
himem_fill:
	push edi
	push ebx
	pushfd
	cli
	mov edi, eax
	push edx
	push ecx
	call enter_unreal
	pop ecx
	pop eax
	a32 rep stosb
	popfd
	pop ebx
	pop edi
	o32 ret

; void kernel_jump(void): never returns.  Reads the handoff_* variables.
global kernel_jump
kernel_jump:
	cli
	lgdt [gdt_desc]
	mov eax, cr0
	or al, CR0_PE
	mov cr0, eax
	jmp dword SEL_CODE32:pm32

bits 32
pm32:
	mov ax, SEL_DATA32
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax
	mov esp, [handoff_stack]
	cmp dword [handoff_long], 0
	jne enter_long

	; cdecl: kmain(struct bootinfo *bi, u32 magic), returning into a
	; halt loop; ESP + 4 is 16-byte aligned at entry as the i386 psABI
	; expects after a call.
	mov ebx, [handoff_bootinfo]
	sub esp, 8
	push dword BOOTINFO_MAGIC
	push ebx
	push dword halt32
	mov eax, BOOTINFO_MAGIC
	jmp [handoff_entry]
halt32:
	cli
	hlt
	jmp halt32

enter_long:
	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov eax, [handoff_cr3]
	mov cr3, eax
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_LME
	wrmsr
	mov eax, cr0
	or eax, CR0_PG
	mov cr0, eax
	jmp SEL_CODE64:lm64

bits 64
lm64:
	mov ax, SEL_DATA32
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor eax, eax
	mov fs, ax
	mov gs, ax
	mov edi, [handoff_bootinfo]	; SysV: RDI, RSI
	mov esi, BOOTINFO_MAGIC
	mov rax, [handoff_entry]
	mov ecx, halt64
	push rcx			; RSP + 8 is 16-byte aligned at entry
	jmp rax
halt64:
	cli
	hlt
	jmp halt64

section .note.GNU-stack noalloc noexec nowrite progbits
