; Test shim: a boot sector that runs before the loader's MBR and hands over
; control the way awkward real BIOSes do.  It relocates itself to 0x0600,
; reads the real MBR from sector REAL_MBR_LBA to 0000:7C00 and jumps to it.
; Variants (nasm -D):
;   ENTRY_07C0     enter at 07C0:0000 instead of 0000:7C00 (ELKS issue 1367)
;   ENTRY_DL=n     DL handed to the MBR (0: PhoenixBIOS 4.0 hard-disk boot)
;   A20_OFF        switch A20 off through port 0x92 first
;   HOOK_2401      hook INT 15h so AX=2401h (enable A20) fails, from memory
;                  taken by lowering 40:13, as option ROMs do
;   XFER_MAX=n     hook INT 13h so AH=42h reads of more than n sectors fail
;                  (Phoenix EDD limit style), the same way
;   NO_EDD         ...and AH=41h says "no extensions": a hard disk read
;                  through CHS (AH=08h geometry, AH=02h), as on old BIOSes
;   NO_CROSS       ...and any AH=42h buffer across a 64 KiB boundary fails
;                  and poisons every later read ("##64K##" on port 0xE9): a
;                  loader that ever crosses cannot boot
;   WRITE_BPB      write a FAT BPB into the loaded copy of the real MBR before
;                  jumping to it, as BIOSes that emulate a floppy or ZIP drive
;                  for a USB stick do (quirks.md): all of 0x04..0x59 (the OEM
;                  name too, to be hostile) with fields where a BIOS puts them:
;                  bytes per sector, sectors per cluster, media byte, geometry,
;                  hidden sectors, and the drive number at both the FAT12/16
;                  (0x24) and the FAT32 (0x40) place
; Always: junk in the upper halves of every 32-bit register at entry
; (rust-osdev issue 44, Limine PR 552).
; Failure: 'S' on port 0xE9 and a halt.

%ifndef ENTRY_DL
%define ENTRY_DL 0x80
%endif

SHIM_BASE equ 0x0600
MBR_COPY equ 0x7c00
; FAT BPB fields (Microsoft's FAT specification), offsets in the boot sector.
BPB_HOLE_START equ 0x04
BPB_HOLE_END equ 0x5a
BPB_BYTES_PER_SECTOR equ 0x0b
BPB_SECTORS_PER_CLUSTER equ 0x0d
BPB_MEDIA equ 0x15
BPB_SECTORS_PER_TRACK equ 0x18
BPB_HEADS equ 0x1a
BPB_HIDDEN_SECTORS equ 0x1c
BPB16_DRIVE equ 0x24
BPB32_DRIVE equ 0x40

bits 16
org SHIM_BASE
start:
	; Running at 0x7C00 until the copy: only position-independent code.
	cli
	xor ax, ax
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov sp, 0x7c00
	sti
	cld
	mov si, 0x7c00
	mov di, SHIM_BASE
	mov cx, 256
	rep movsw
	jmp 0:relocated
relocated:
	mov [drive], dl
%ifdef A20_OFF
	in al, 0x92
	and al, 0xfc			; bit 1 = A20, bit 0 = reset: both 0
	out 0x92, al
%endif
%if %isdef(HOOK_2401) || %isdef(XFER_MAX)
	dec word [0x413]		; 1 KiB for the resident hooks
	mov ax, [0x413]
	shl ax, 6			; KiB -> segment
	mov es, ax
	xor di, di
	mov si, hook
	mov cx, hook_end - hook
	rep movsb
%ifdef HOOK_2401
	mov eax, [0x15 * 4]
	mov [es:old15 - hook], eax
	mov word [0x15 * 4], 0
	mov [0x15 * 4 + 2], es
%endif
%ifdef XFER_MAX
	mov eax, [0x13 * 4]
	mov [es:old13 - hook], eax
	mov word [0x13 * 4], hook13 - hook
	mov [0x13 * 4 + 2], es
%endif
	xor ax, ax
	mov es, ax
%endif
	mov si, dap
	mov ah, 0x42
	mov dl, [drive]
	int 0x13
	jc fail
%ifdef WRITE_BPB
	mov di, MBR_COPY + BPB_HOLE_START
	mov cx, BPB_HOLE_END - BPB_HOLE_START
	mov al, 0xa5
	rep stosb
	mov word [MBR_COPY + BPB_BYTES_PER_SECTOR], 512
	mov byte [MBR_COPY + BPB_SECTORS_PER_CLUSTER], 8
	mov byte [MBR_COPY + BPB_MEDIA], 0xf8
	mov word [MBR_COPY + BPB_SECTORS_PER_TRACK], 63
	mov word [MBR_COPY + BPB_HEADS], 255
	mov dword [MBR_COPY + BPB_HIDDEN_SECTORS], 0
	mov byte [MBR_COPY + BPB16_DRIVE], ENTRY_DL
	mov byte [MBR_COPY + BPB32_DRIVE], ENTRY_DL
%endif
	mov eax, 0xbad10000
	mov ebx, 0xbad20000
	mov ecx, 0xbad30000
	mov edx, 0xbad40000 | ENTRY_DL
	mov esi, 0xbad50000
	mov edi, 0xbad60000
	mov ebp, 0xbad70000
	mov esp, 0xbad87c00
%ifdef ENTRY_07C0
	jmp 0x07c0:0x0000
%else
	jmp 0x0000:0x7c00
%endif

fail:
	mov al, 'S'
	out 0xe9, al
.halt:
	hlt
	jmp .halt

; Resident INT 15h hook, copied to the stolen KiB; CS = its segment.
hook:
	cmp ax, 0x2401
	jne .chain
	mov ah, 0x86			; "function not supported"
	push bp
	mov bp, sp
	or byte [bp + 6], 1		; CF in the caller's FLAGS image
	pop bp
	iret
.chain:
	jmp far [cs:old15 - hook]
old15:	dd 0

%ifdef XFER_MAX
hook13:
%ifdef NO_EDD
	cmp ah, 0x41
	je .reject_plain
%endif
	cmp ah, 0x42
	jne .chain
	cmp byte [cs:poisoned - hook], 0
	jne .reject
	cmp word [si + 2], XFER_MAX
	ja .reject
%ifdef NO_CROSS
	push eax
	push ebx
	movzx eax, word [si + 6]	; segment
	shl eax, 4
	movzx ebx, word [si + 4]	; offset
	add eax, ebx			; first byte
	movzx ebx, word [si + 2]
	shl ebx, 9
	lea ebx, [eax + ebx - 1]	; last byte
	shr eax, 16
	shr ebx, 16
	cmp eax, ebx
	pop ebx
	pop eax
	je .chain
	mov byte [cs:poisoned - hook], 1
	push ax
	push bx
	xor bx, bx
.mark:
	mov al, [cs:bx + marker - hook]
	out 0xe9, al
	inc bx
	cmp bx, marker_end - marker
	jb .mark
	pop bx
	pop ax
	jmp .reject
%endif
.chain:
	jmp far [cs:old13 - hook]
.reject:
	mov word [si + 2], 0		; nothing transferred
.reject_plain:
	mov ah, 0x01			; invalid request
	push bp
	mov bp, sp
	or byte [bp + 6], 1		; CF
	pop bp
	iret
old13:	dd 0
poisoned: db 0
marker:	db "##64K##"
marker_end:
%endif
hook_end:

dap:	db 0x10, 0
	dw 1, 0x7c00, 0
	dq REAL_MBR_LBA
drive:	db 0

	times 510 - ($ - $$) db 0
	dw 0xaa55
