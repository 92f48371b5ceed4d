; The final jump into a 32-bit protected-mode or 64-bit long-mode kernel.
;
; Code here runs at CS = STAGE2_CODE_SEG, so a code label is an offset in
; that segment; once CS is a flat protected-mode selector, the same code is
; reached at label + STAGE2_CODE_BASE (the segment's base).

%include "layout.inc"
%include "handoff.inc"

SEL_CODE32 equ GDT_BOOT_CS
SEL_DATA32 equ GDT_BOOT_DS

CR0_PE equ 1 << 0
CR0_PG equ 1 << 31
CR4_PAE equ 1 << 5
MSR_EFER equ 0xc0000080
EFER_LME equ 1 << 8
CODE64_DESCRIPTOR equ 0x00af9b000000ffff

extern gdt, gdt_desc

bits 16
section .text
; void kernel_jump(const struct handoff *h): never returns (stage2/handoff.h).
global kernel_jump, kernel_halt32, kernel_halt64
kernel_jump:
	cli
	mov ebp, eax			; h, flat
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
	mov esp, [ebp + HANDOFF_OFF_ESP]
	cmp dword [ebp + HANDOFF_OFF_MODE], HANDOFF_LM64
	je enter_long
	mov eax, [ebp + HANDOFF_OFF_EAX]
	mov ebx, [ebp + HANDOFF_OFF_EBX]
	mov esi, [ebp + HANDOFF_OFF_ESI]
	mov edi, [ebp + HANDOFF_OFF_EDI]
	push dword [ebp + HANDOFF_OFF_ENTRY]
	xor ecx, ecx
	xor edx, edx
	xor ebp, ebp
	ret				; to the entry, leaving ESP as given
kernel_halt32:
	cli
	hlt
	jmp kernel_halt32

enter_long:
	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov eax, [ebp + HANDOFF_OFF_CR3]
	mov cr3, eax
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_LME
	wrmsr
	mov eax, cr0
	or eax, CR0_PG
	mov cr0, eax
	; The running CS keeps its cached 32-bit descriptor; the far jump
	; loads the 64-bit one written over it.
	mov dword [gdt + SEL_CODE32], CODE64_DESCRIPTOR & 0xffffffff
	mov dword [gdt + SEL_CODE32 + 4], CODE64_DESCRIPTOR >> 32
	jmp SEL_CODE32:(lm64 + STAGE2_CODE_BASE)

bits 64
lm64:
	mov ebp, ebp			; the upper halves are undefined after the
	mov esp, esp			; switch: zero-extend what is used
	mov ax, SEL_DATA32
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor eax, eax
	mov fs, ax
	mov gs, ax
	mov edi, [rbp + HANDOFF_OFF_EDI]	; zero-extends into RDI and RSI
	mov esi, [rbp + HANDOFF_OFF_ESI]
	mov rax, [rbp + HANDOFF_OFF_ENTRY]
	push rax
	xor eax, eax
	xor ebx, ebx
	xor ecx, ecx
	xor edx, edx
	xor ebp, ebp
	ret				; to the entry, leaving RSP as given
kernel_halt64:
	cli
	hlt
	jmp kernel_halt64

section .note.GNU-stack noalloc noexec nowrite progbits
