; Mode switches: flat real mode (4 GiB data limits) for all of stage2, the
; memory primitives that rely on it, and the final jump into a 32-bit
; protected-mode or 64-bit long-mode kernel.
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

bits 16
section .rodata
; The accessed bits are preset (9B, 93): the CPU would otherwise set them in
; memory when a selector is loaded, changing the head's data, whose CRC-32
; stage2/head.c checks.  The selectors are the Linux boot protocol's
; (stage2/handoff.h); kernel_jump turns 0x10 into a 64-bit code segment when
; it enters long mode.
CODE64_DESCRIPTOR equ 0x00af9b000000ffff
section .data
align 8
gdt:
	dq 0
	dq 0
	dq 0x00cf9b000000ffff		; 0x10: code, 32-bit, base 0, 4 GiB
	dq 0x00cf93000000ffff		; 0x18: data, 32-bit, base 0, 4 GiB
gdt_end:
gdt_desc:
	dw gdt_end - gdt - 1
	dd gdt

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
