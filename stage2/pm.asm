; Mode switches: flat real mode (4 GiB data limits) for all of stage2, the
; memory primitives that rely on it, and the final jump into a 32-bit
; protected-mode or 64-bit long-mode kernel.
;
; Code here runs at CS = STAGE2_CODE_SEG, so a code label is an offset in
; that segment; once CS is a flat protected-mode selector, the same code is
; reached at label + STAGE2_CODE_BASE (the segment's base).

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
; The accessed bits are preset (9B, 93): the CPU would otherwise set them in
; memory when a selector is loaded, changing the head's data, whose CRC-32
; stage2/head.c checks.
align 8
gdt:
	dq 0
	dq 0x00cf9b000000ffff		; 0x08: code, 32-bit, base 0, 4 GiB
	dq 0x00cf93000000ffff		; 0x10: data, 32-bit, base 0, 4 GiB
	dq 0x00af9b000000ffff		; 0x18: code, 64-bit
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

; Gives DS and ES 4 GiB limits and returns to real mode with both 0 (the
; limits stay cached: "flat real mode").  Interrupts must be off, and stay
; off while C runs: an interrupt handler may reload the caches with 64 KiB
; limits, which intcall repairs by coming back here after every BIOS call.
; A near 16-bit routine for asm callers; clobbers EAX and BX.  The GDT is
; the head's data: entry.asm calls this once that has moved to its home.
global enter_flat
enter_flat:
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

; The C string primitives, for any linear addresses below 4 GiB.  gcc's own
; inline string instructions would address through SI and DI only (-m16
; emits no address-size prefix for them), so the Makefile makes it call
; these instead (-mstringop-strategy=libcall) and checks the objects.
; regparm(3): EAX, EDX, ECX; EAX comes back unchanged as the result.

; void *memcpy(void *dst, const void *src, u32 n)
global memcpy
memcpy:
	push esi
	push edi
	mov edi, eax
	mov esi, edx
	mov edx, ecx
	shr ecx, 2
	a32 rep movsd
	mov ecx, edx
	and ecx, 3
	a32 rep movsb
	pop edi
	pop esi
	o32 ret

; void *memmove(void *dst, const void *src, u32 n): backwards when the
; destination starts inside the source.
global memmove
memmove:
	push eax
	sub eax, edx			; dst - src; wraps when dst < src
	cmp eax, ecx
	pop eax
	jae memcpy			; no overlap that a forward copy would hit
	push esi
	push edi
	lea esi, [edx + ecx - 1]
	lea edi, [eax + ecx - 1]
	std
	a32 rep movsb
	cld
	pop edi
	pop esi
	o32 ret

; void *memset(void *dst, int c, u32 n)
global memset
memset:
	push edi
	push eax
	mov edi, eax
	movzx eax, dl
	imul eax, eax, 0x01010101
	mov edx, ecx
	shr ecx, 2
	a32 rep stosd
	mov ecx, edx
	and ecx, 3
	a32 rep stosb
	pop eax
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
	jmp dword SEL_CODE32:(pm32 + STAGE2_CODE_BASE)

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
	push dword halt32 + STAGE2_CODE_BASE
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
	jmp SEL_CODE64:(lm64 + STAGE2_CODE_BASE)

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
	mov ecx, halt64 + STAGE2_CODE_BASE
	push rcx			; RSP + 8 is 16-byte aligned at entry
	jmp rax
halt64:
	cli
	hlt
	jmp halt64

section .note.GNU-stack noalloc noexec nowrite progbits
