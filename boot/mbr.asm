; The MBR: loaded by the BIOS at 0000:7C00 (or 07C0:0000) with DL = boot drive.
; Loads stage2 (s2_lba, s2_length bytes) to STAGE2_LOAD_ADDR, checks its
; length and CRC32 against the values the image builder patched into
; mbr_params, and jumps to it with
;   DL = drive, DH = MBR_FLAG_*, CL = DL as the BIOS gave it, CH = retries.
; Every failure prints a message (INT 10h and port 0xE9), tells QEMU's
; isa-debug-exit when fw_cfg says QEMU, and halts with interrupts on: no
; triple fault, no reboot loop.  Progress goes to POST port 0x80.
; Bytes 0x1B8..0x1FD (disk signature, partition table) belong to the image
; builder; the link script stops the code before them.
; Stage2 sits in the MBR gap (LBA < 63), so LBA arithmetic is 16-bit here.

%include "layout.inc"
%include "status.inc"

READ_TRIES equ 3
; Progress codes go to POST port 0x80 and, being printable, to port 0xE9.
POST_MBR_START equ 'M'
POST_MBR_LOADED equ 10			; a newline before stage2's own lines
POST_MBR_FAILED equ '!'

; Variables sit just past the sector (0x7E00..0x7FFF is free until stage2 at
; STAGE2_LOAD_ADDR), addressed off BP: 3-byte instructions instead of 5.
VARS equ MBR_LOAD_ADDR + SECTOR_SIZE
struc vars
v_dap:		resb 16
v_drive:	resb 1			; DL for stage2...
v_flags:	resb 1			; ...DH: MBR_FLAG_CHS
v_entry_dl:	resb 1			; CL...
v_retries:	resb 1			; ...CH
v_spt:		resw 1			; high byte stays 0: a word divisor
v_heads:	resb 1
v_lba:		resb 1			; the sector that failed, for the message
endstruc

bits 16
section .text
global _start
_start:
	; Some BIOSes enter at 07C0:0000; every absolute address below assumes
	; CS = 0, so normalise first.
	jmp 0:normalised
normalised:
	xor ax, ax
	mov ds, ax
	mov es, ax
	mov ss, ax			; no interrupt between these two
	mov sp, MBR_LOAD_ADDR
	sti
	cld
	mov bp, VARS
	mov di, bp
	mov cx, vars_size
	rep stosb			; AL = 0: DAP upper LBA, flags, retries
	mov al, POST_MBR_START
	out 0x80, al
	out 0xe9, al

	mov [bp + v_entry_dl], dl
	; A hard-disk boot may arrive with DL = 0 (PhoenixBIOS 4.0) or junk.
	; Valid: 0x80 .. 0x80 + (hard disk count at 40:75) - 1.  Anything else
	; tries 0x80 first and, for a floppy number, the drive it named after.
	mov al, [0x475]
	add al, 0x80
	cmp dl, al
	jae .fix_dl
	cmp dl, 0x80
	jae .dl_ok
.fix_dl:
	mov dl, 0x80			; stage2 sees it differs from CL
.dl_ok:
	call load_stage2
	jnc boot_stage2
	mov dl, [bp + v_entry_dl]
	cmp dl, [bp + v_drive]		; fixed up: now the drive it named
	je fail
	call load_stage2
	jc fail

boot_stage2:
	mov al, POST_MBR_LOADED
	out 0x80, al
	out 0xe9, al
	mov dx, [bp + v_drive]
	mov cx, [bp + v_entry_dl]
	jmp 0:STAGE2_LOAD_ADDR

; SI = message; for the disk error, the LBA follows in hex.  Prints, tells
; QEMU, halts; interrupts stay on so a debugger can break in.
fail:
	mov al, POST_MBR_FAILED
	out 0x80, al
	call puts
	cmp si, msg_corrupt		; SI is past the disk message: add the LBA
	ja .qemu
	mov al, [bp + v_lba]		; < 63: two decimal digits
	aam
	add ax, '00'
	xchg al, ah
	call putc
	mov al, ah
	call putc
.qemu:
	; fw_cfg's signature reads "QEMU" under QEMU and 0xFF elsewhere; one
	; byte is enough to tell.
	mov dx, QEMU_FW_CFG_SELECTOR
	xor ax, ax
	out dx, ax
	inc dx
	in al, dx
	cmp al, 'Q'
	jne .halt
	mov al, STATUS_LOADER_ERROR
	out QEMU_EXIT_PORT, al
.halt:					; IF is still set
	hlt
	jmp .halt

puts:
	lodsb
	test al, al
	jz putc.ret
	call putc
	jmp puts
putc:
	out 0xe9, al
	pusha
	mov ah, 0x0e
	xor bx, bx			; page 0 (BL only matters in graphics)
	int 0x10
	popa
.ret:
	ret

; DL = drive.  Reads and checks stage2.  CF set and SI = message on failure.
load_stage2:
	mov [bp + v_drive], dl
	; Extensions only when all three say so: CF clear, BX = AA55h and the
	; fixed-disk-access subset (CX bit 0).
	and byte [bp + v_flags], ~MBR_FLAG_CHS
	mov ah, 0x41
	mov bx, 0x55aa
	int 0x13
	jc .chs
	cmp bx, 0xaa55
	jne .chs
	test cl, 1
	jnz .read
.chs:
	or byte [bp + v_flags], MBR_FLAG_CHS
	push es				; AH=08h sets ES:DI for floppies
	mov ah, 0x08
	mov dl, [bp + v_drive]
	int 0x13
	pop es
	mov si, msg_disk
	jc .ret
	and cl, 0x3f
	mov [bp + v_spt], cl
	inc dh
	mov [bp + v_heads], dh
	cmp cl, 1			; usb-storage can report 0 sectors
	jb .ret
.read:
	mov si, msg_corrupt
	mov eax, [s2_length]
	dec eax				; 0 wraps: refused too
	cmp eax, STAGE2_MAX_SECTORS * SECTOR_SIZE - 1
	ja .bad
	shr ax, 9
	inc ax
	xchg cx, ax			; sectors = (length + 511) / 512
	mov ax, [s2_lba]
	mov bx, STAGE2_LOAD_ADDR
.next:
	call read_sector
	jc .ret
	inc ax
	add bx, SECTOR_SIZE
	loop .next

	mov si, STAGE2_LOAD_ADDR
	mov cx, [s2_length]
	or edx, -1
.byte:
	lodsb
	xor dl, al
	mov di, 8
.bit:
	shr edx, 1
	jnc .nox
	xor edx, 0xedb88320
.nox:
	dec di
	jnz .bit
	loop .byte
	not edx
	mov si, msg_corrupt
	cmp edx, [s2_crc32]
	je .ret				; equal: CF is clear
.bad:
	stc
.ret:
	ret

; AX = LBA, ES:BX = buffer.  READ_TRIES attempts with an AH=00h reset
; between them.  All registers kept (some BIOSes trash them on USB boot).
; CF set and SI = message on failure.
read_sector:
	mov [bp + v_lba], al
	mov di, READ_TRIES
.try:
	pusha
	test byte [bp + v_flags], MBR_FLAG_CHS
	jnz .chs
	; The packet is rebuilt on every try: after an error SeaBIOS writes
	; the transferred count (0) back into it.
	mov si, bp			; v_dap is at offset 0
	mov dword [si], 0x00010010	; size 16, 1 sector
	mov [si + 4], bx
	mov [si + 6], es
	mov [si + 8], ax		; the upper LBA bytes stay 0
	mov ah, 0x42
	jmp .call
.chs:
	cwd				; AX < 0x8000: DX = 0
	div word [bp + v_spt]		; DX:AX / spt
	inc dx
	mov cl, dl			; sector, 1-based (cylinders < 256 here)
	div byte [bp + v_heads]		; AX / heads: AL = cylinder, AH = head
	mov dh, ah
	mov ch, al
	mov ax, 0x0201
.call:
	mov dl, [bp + v_drive]
	int 0x13
	popa
	jnc .ok
	inc byte [bp + v_retries]
	pusha
	xor ax, ax
	mov dl, [bp + v_drive]
	int 0x13
	popa
	dec di
	jnz .try
	mov si, msg_disk
	stc
.ok:
	ret

msg_disk:	db "disk read error, LBA ", 0
msg_corrupt:	db "stage2 corrupt", 0

; Patched by the image builder (tools/mkimage.c reads the offsets from
; build/mbr_syms.h, which the build generates from this file's symbols).
global s2_lba, s2_length, s2_crc32
mbr_params:
s2_lba:		dd STAGE2_LBA
s2_length:	dd 0		; sectors = (length + 511) / 512
s2_crc32:	dd 0

section .note.GNU-stack noalloc noexec nowrite progbits
