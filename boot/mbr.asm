; The MBR: loaded by the BIOS at 0000:7C00 (or 07C0:0000) with DL = boot drive.
; Loads stage2 (STAGE2_LBA, s2_sectors sectors) to STAGE2_LOAD_ADDR, checks its
; length and CRC32 against the values the image builder patched into
; mbr_params, and jumps to it with
;   DL = drive, DH = MBR_FLAG_*, CL = DL as the BIOS gave it, CH = retries.
; Every failure prints a message (INT 10h and port 0xE9) and halts with
; interrupts on: no triple fault, no reboot loop.
; Bytes 0x1B8..0x1FD (disk signature, partition table) belong to the image
; builder; the link script stops the code before them.

%include "layout.inc"

READ_TRIES equ 3

; Variables sit just past the sector (0x7E00..0x7FFF is free until stage2 at
; STAGE2_LOAD_ADDR), addressed off BP: 3-byte instructions instead of 5.
VARS equ MBR_LOAD_ADDR + SECTOR_SIZE
struc vars
v_dap:		resb 16
v_drive:	resb 1
v_entry_dl:	resb 1
v_flags:	resb 1
v_retries:	resb 1
v_tries:	resb 1
v_spt:		resb 1
v_heads:	resb 1
endstruc

bits 16
section .text
global _start
_start:
	; Some BIOSes enter at 07C0:0000; every absolute address below assumes
	; CS = 0, so normalise first.
	jmp 0:normalised
normalised:
	cli
	xor ax, ax
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov sp, MBR_LOAD_ADDR
	sti
	cld
	mov bp, VARS
	mov di, bp
	mov cx, vars_size
	rep stosb			; AL = 0: DAP upper LBA, flags, retries

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
	mov dl, 0x80
	or byte [bp + v_flags], MBR_FLAG_DL_FIXED
.dl_ok:
	call load_stage2
	jnc boot_stage2
	mov dl, [bp + v_entry_dl]
	test byte [bp + v_flags], MBR_FLAG_DL_FIXED
	jz fail
	cmp dl, 0x80
	jae fail
	and byte [bp + v_flags], ~MBR_FLAG_DL_FIXED
	call load_stage2
	jc fail

boot_stage2:
	mov dl, [bp + v_drive]
	mov dh, [bp + v_flags]
	mov cl, [bp + v_entry_dl]
	mov ch, [bp + v_retries]
	jmp 0:STAGE2_LOAD_ADDR

; SI = message.  Prints and halts; interrupts stay on so the keyboard and
; timer keep working and a debugger can break in.
fail:
	lodsb
	test al, al
	jz .halt
	out 0xe9, al
	mov ah, 0x0e
	mov bx, 0x0007
	int 0x10
	jmp fail
.halt:
	sti
	hlt
	jmp .halt

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
	movzx ecx, word [s2_sectors]
	cmp cx, STAGE2_MAX_SECTORS
	ja .bad
	jcxz .bad
	mov eax, [s2_length]
	dec eax
	shr eax, 9			; length - 1 < sectors * 512
	cmp eax, ecx
	jae .bad
	mov eax, [s2_lba]
	mov bx, STAGE2_LOAD_ADDR
.next:
	call read_sector
	jc .ret
	inc eax
	add bx, SECTOR_SIZE
	loop .next

	mov si, STAGE2_LOAD_ADDR
	mov ecx, [s2_length]
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
	dec ecx
	jnz .byte
	not edx
	mov si, msg_corrupt
	cmp edx, [s2_crc32]
	je .ret				; equal: CF is clear
.bad:
	stc
.ret:
	ret

; EAX = LBA, ES:BX = buffer.  READ_TRIES attempts with an AH=00h reset
; between them.  All registers kept (some BIOSes trash them on USB boot).
; CF set and SI = message on failure.
read_sector:
	mov byte [bp + v_tries], READ_TRIES
.try:
	pushad
	test byte [bp + v_flags], MBR_FLAG_CHS
	jnz .chs
	; The packet is rebuilt on every try: after an error SeaBIOS writes
	; the transferred count (0) back into it.
	mov si, bp			; v_dap is at offset 0
	mov dword [si], 0x00010010	; size 16, 1 sector
	mov [si + 4], bx
	mov [si + 6], es
	mov [si + 8], eax
	mov ah, 0x42
	jmp .call
.chs:
	xor edx, edx
	movzx ecx, byte [bp + v_spt]
	div ecx				; EAX = LBA / spt, DX = LBA % spt
	inc dx
	mov cl, dl			; sector, 1-based, bits 0-5
	xor dx, dx
	movzx si, byte [bp + v_heads]
	div si				; AX = cylinder, DX = head
	mov dh, dl
	mov ch, al
	shl ah, 6
	or cl, ah			; cylinder bits 8-9 into CL bits 6-7
	mov ax, 0x0201
.call:
	mov dl, [bp + v_drive]
	int 0x13
	popad
	jnc .ok
	inc byte [bp + v_retries]
	pushad
	xor ax, ax
	mov dl, [bp + v_drive]
	int 0x13
	popad
	dec byte [bp + v_tries]
	jnz .try
	mov si, msg_disk
	stc
.ok:
	ret

msg_disk:	db "disk read error", 13, 10, 0
msg_corrupt:	db "stage2 corrupt", 13, 10, 0

; Patched by the image builder (tools/mkimage.c reads the offsets from
; build/mbr_syms.h, which the build generates from this file's symbols).
global s2_lba, s2_sectors, s2_length, s2_crc32
mbr_params:
s2_lba:		dd STAGE2_LBA
s2_sectors:	dw 0
s2_length:	dd 0
s2_crc32:	dd 0


section .note.GNU-stack noalloc noexec nowrite progbits
