; Stage2 entry: the MBR loaded stage2's core (this head and the compressed
; body after it, hdr_core_sectors in all) at STAGE2_LOAD_ADDR, checked its
; sum, and jumps to STAGE2_LOAD_SEG:0 with
;   DL = drive, DH = MBR_FLAG_*, CL = DL as the BIOS gave it, CH = retries.
; The first bytes carry the header that the build (tools/pack-stage2) and the
; image builder or installer fill in; they find its fields through
; build/stage2_syms.h, generated from these symbols.
;
; Running from where the MBR put it (the code is position independent until
; the far jump), the head moves its code to the code segment and its data to
; its home (include/layout.h), goes flat, clears its .bss and calls
; stage2_head() (stage2/head.c), which unpacks and checks the body.

%include "layout.inc"
%include "status.inc"
%include "portio.inc"
%include "post.inc"

bits 16
section .entry progbits alloc exec nowrite
global _start, head_fail
global hdr_core_sectors, hdr_body_csize, hdr_body_crc32, hdr_stage2_lba
global hdr_kernel_lba, hdr_kernel_size, hdr_boot_part
global hdr_ext_sectors, hdr_ext_csize, hdr_ext_crc32
extern stage2_head, enter_flat
extern head_text_size, head_data_start, head_data_size, head_bss_start, head_bss_end

_start:
	jmp short start16
	align 4
stage2_magic:	db "STG2"	; at offset 4: what tools recognise stage2 by
; The header sits in the code segment, where a symbol's value is also its
; offset in the stored image (what tools patch); C reads it through its flat
; linear address, STAGE2_CODE_BASE + symbol (stage2/head.h: STAGE2_HDR).
align 8
; Filled by tools/pack-stage2:
hdr_core_sectors: dd 0		; head and body as stored: what the MBR loads
hdr_body_csize:	dd 0		; bytes of the body's DEFLATE stream
hdr_body_crc32:	dd 0		; CRC-32 of the body as linked (code, then data)
hdr_ext_sectors: dd 0		; the extension after the core (0: not there;
hdr_ext_csize:	dd 0		; the installer drops it where the gap is too
hdr_ext_crc32:	dd 0		; small): sectors, stream bytes, CRC-32 as linked
; Filled by the image builder or installer:
hdr_stage2_lba:	dq 0		; where stage2 starts on the disk
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
	mov al, POST_STAGE2
	out 0x80, al
	mov bp, cx			; the MBR's DX stays in DX, CX goes to BP
	; The head's code to the code segment (the loaded core ends below
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
	; The head's .bss (below the loaded core: stage2.ld checks) now; the
	; body's, which may cover the core, once the body is unpacked.
	mov edi, head_bss_start
	mov ecx, head_bss_end
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

; void head_fail(const char *what, const char *why): the head's one failure
; path, before the body (and its console) exists: "stage2 corrupt: " what why
; on screen (INT 10h) and port 0xE9, POST_ERROR, an emulator's exit
; device as the MBR does, a halt.  The strings lie below 64 KiB.
head_fail:
	mov bp, ax			; .puts takes AX for the teletype call
	mov di, dx
	mov si, msg_corrupt
	call .puts
	mov si, bp
	call .puts
	mov si, di
	call .puts
	mov al, POST_ERROR
	out 0x80, al
	in al, DEBUGCON_PORT
	cmp al, DEBUGCON_READBACK
	jne .stop
	mov al, STATUS_LOADER_ERROR
	out QEMU_EXIT_PORT, al
.stop:
	hlt
	jmp .stop
.puts:
	lodsb
	test al, al
	jz .ret
	out DEBUGCON_PORT, al
	mov ah, 0x0e			; the BIOS teletype: the body's console is
	mov bx, 0x0007			; not there yet
	int 0x10
	jmp .puts
.ret:
	ret

section .rodata
msg_corrupt:	db "stage2 corrupt: ", 0

section .note.GNU-stack noalloc noexec nowrite progbits
