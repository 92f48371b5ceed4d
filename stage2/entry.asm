; Stage2 entry: the MBR jumps to 0000:STAGE2_LOAD_ADDR with
;   DL = drive, DH = MBR_FLAG_*, CL = DL as the BIOS gave it, CH = retries.
; The first bytes also carry the header the image builder patches (where the
; kernel is on disk); tools/mkimage.c finds its fields through
; build/stage2_syms.h, generated from these symbols.

%include "layout.inc"

bits 16
section .entry progbits alloc exec nowrite
global _start, kernel_lba, kernel_size
extern stage2_main, bss_start, bss_end

_start:
	jmp short start16
	align 4
stage2_magic:	db "STG2"
kernel_lba:	dq 0		; first sector of the kernel ELF file
kernel_size:	dq 0		; its length in bytes

start16:
	cli
	xor ax, ax
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov esp, STAGE2_STACK_TOP	; C addresses locals with ESP: upper half 0
	cld
	mov bx, dx			; keep the MBR's registers across the clear
	mov si, cx
	mov edi, bss_start
	mov ecx, bss_end
	sub ecx, edi
	a32 rep stosb			; AL = 0
	sti
	movzx eax, bx			; regparm(3): stage2_main(dx, cx)
	movzx edx, si
	call dword stage2_main		; 66 E8 rel32: "o32 call" emits only rel16
.halt:					; stage2_main does not return
	hlt
	jmp .halt

section .note.GNU-stack noalloc noexec nowrite progbits
