; Stage2 entry: the MBR jumps to STAGE2_LOAD_SEG:0 with
;   DL = drive, DH = MBR_FLAG_*, CL = DL as the BIOS gave it, CH = retries.
; The first bytes carry the header that the build (tools/pack-stage2) and the
; image builder or installer fill in; they find its fields through
; build/stage2_syms.h, generated from these symbols.
;
; This is the start of the head: the part of stage2 the MBR loads as it is,
; its code and then its data.  Running from where the MBR put it (code is
; position independent until the far jump), it goes flat, moves its code to
; the code segment and its data to their homes (include/layout.h), clears
; .bss and calls stage2_head() (stage2/head.c), which reads, checks and
; unpacks the body.

%include "layout.inc"

bits 16
section .entry progbits alloc exec nowrite
global _start
global hdr_head_sectors, hdr_body_format, hdr_body_sectors, hdr_body_csize
global hdr_crc32, hdr_stage2_lba, hdr_kernel_lba, hdr_kernel_size, hdr_boot_part
extern stage2_head, bss_start, bss_end, enter_flat
extern head_text_size, head_data_start, head_data_size

_start:
	jmp short start16
	align 4
stage2_magic:	db "STG2"	; at offset 4: what tools recognise stage2 by
; The header sits in the code segment, where a symbol's value is also its
; offset in the stored image (what tools patch); C reads it through its flat
; linear address, STAGE2_CODE_BASE + symbol (stage2/head.h: STAGE2_HDR).
align 8
; Filled by tools/pack-stage2:
hdr_head_sectors: dw 0		; sectors the MBR loads (this head)
hdr_body_format: dw 0		; STAGE2_BODY_* (stage2/head.h)
hdr_body_sectors: dd 0		; sectors of the body after the head, as stored
hdr_body_csize:	dd 0		; bytes of the body as stored
; Filled by the image builder or installer, the CRC last:
hdr_crc32:	dd 0		; CRC-32 of head and body as stored, this field as 0
hdr_stage2_lba:	dq 0		; where the head starts on the disk
hdr_kernel_lba:	dq 0		; the raw layout: the kernel file's first sector...
hdr_kernel_size: dq 0		; ...and length; 0: boot from a FAT volume
hdr_boot_part:	dd 0		; that volume's partition (1-based); 0: the first
				; FAT partition with /boot/loader.cfg

start16:
	cli
	xor ax, ax
	mov ds, ax
	mov ss, ax
	mov sp, MBR_LOAD_ADDR		; below the MBR, clear of the head
	cld
	mov bp, cx			; the MBR's DX stays in DX, CX goes to BP
	; The head's code to the code segment (the loaded head lies below
	; 64 KiB, so the two cannot overlap), then on from there.
	mov ax, STAGE2_CODE_SEG
	mov es, ax
	mov si, STAGE2_LOAD_ADDR
	xor di, di
	mov cx, head_text_size
	rep movsb
	jmp STAGE2_CODE_SEG:.moved
.moved:
	; The head's data, which follows its code, down to its home: lower,
	; so a forward copy is safe even where the two overlap.
	xor ax, ax
	mov es, ax
	mov si, STAGE2_LOAD_ADDR
	add si, head_text_size
	mov di, head_data_start
	mov cx, head_data_size
	rep movsb
	call enter_flat			; clobbers EAX and BX
	mov edi, bss_start		; the MBR and the loaded head are dead now
	mov ecx, bss_end
	sub ecx, edi
	xor al, al
	a32 rep stosb
	mov esp, STAGE2_STACK_TOP	; C addresses locals with ESP: upper half 0
	movzx eax, dx			; regparm(3): stage2_head(dx, cx)
	movzx edx, bp
	call dword stage2_head		; 66 E8 rel32: "o32 call" emits only rel16
.halt:					; stage2_head does not return
	hlt
	jmp .halt

section .note.GNU-stack noalloc noexec nowrite progbits
