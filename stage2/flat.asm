; Flat real mode (4 GiB data limits) for all of stage2, the memory
; primitives that rely on it, and the GDT every mode switch uses.  Part of
; stage2's head: the head needs flat mode to unpack the body above 64 KiB.
%include "layout.inc"
%include "handoff.inc"

SEL_DATA32 equ GDT_BOOT_DS
CR0_PE equ 1 << 0

bits 16
; The selectors are the Linux boot protocol's (stage2/handoff.h);
; kernel_jump (stage2/pm.asm) turns 0x10 into a 64-bit code segment when it
; enters long mode.  The accessed bits are preset (9B, 93) so the CPU never
; writes to the table.
section .data
global gdt, gdt_desc
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

; Whole 32-byte blocks go through an unrolled loop of dword moves, the rest
; through REP MOVSB: QEMU's TCG runs each iteration of a REP string
; instruction as a pass through its translated block, so a 32 MiB kernel
; copied out of the bounce buffer by REP MOVSD took 35-48 ms, by this loop
; about 22 ms (of which most is the host faulting the fresh pages in).
; Unaligned dwords are fine on every x86.

; void *memcpy(void *dst, const void *src, u32 n)
global memcpy
memcpy:
	push esi
	push edi
	push eax
	mov edi, eax
	mov esi, edx
	mov edx, ecx
	shr ecx, 5
	jz .tail
.block:
%assign i 0
%rep 8
	mov eax, [esi + i]
	mov [edi + i], eax
%assign i i + 4
%endrep
	add esi, 32
	add edi, 32
	dec ecx
	jnz .block
.tail:
	mov ecx, edx
	and ecx, 31
	a32 rep movsb
	pop eax
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

; void *memset(void *dst, int c, u32 n): blocks as memcpy does.
global memset
memset:
	push edi
	push eax
	mov edi, eax
	movzx eax, dl
	imul eax, eax, 0x01010101
	mov edx, ecx
	shr ecx, 5
	jz .tail
.block:
%assign i 0
%rep 8
	mov [edi + i], eax
%assign i i + 4
%endrep
	add edi, 32
	dec ecx
	jnz .block
.tail:
	mov ecx, edx
	and ecx, 31
	a32 rep stosb
	pop eax
	pop edi
	o32 ret


section .note.GNU-stack noalloc noexec nowrite progbits
