; The MBR: loaded by the BIOS at 0000:7C00 (or 07C0:0000) with DL = boot drive.
; Loads stage2's head (s2_sectors sectors from s2_lba) to STAGE2_LOAD_ADDR,
; checks the 32-bit sum of its dwords against the value the image builder or
; installer patched into mbr_params, and jumps to STAGE2_LOAD_SEG:0 with
;   DL = drive, DH = MBR_FLAG_*, CL = DL as the BIOS gave it, CH = retries.
; The head then checks the CRC32 of all of stage2 and loads the rest itself:
; a sum catches a missing or foreign stage2 and any single-bit error in 30
; bytes of code, where a bitwise CRC32 takes 45 of the 350 this sector has
; once the BPB hole is left free.
; Every failure prints a message (INT 10h and port 0xE9), tells an emulator's
; exit device, and halts with interrupts on: no triple fault, no reboot loop.
; Progress goes to POST port 0x80.
;
; Bytes this sector must leave alone:
;   0x04..0x59   a BIOS that emulates a floppy for a USB stick writes BPB
;                fields there (quirks.md); nothing of ours lives there.
;                Byte 3, the jump's displacement, sits in the OEM-name field,
;                which no BIOS writes.
;   0x1B8..0x1FD the disk signature and the partition table, which belong to
;                the disk (the link script stops code and data before them).
; Byte 0 is 0x33 (xor ax, ax): some Acer BIOSes boot only an MBR that starts
; the way Windows NT's does (SYSLINUX commit d0f27598).

%include "layout.inc"
%include "status.inc"
%include "post.inc"

READ_TRIES equ 3
; Progress codes (include/post.h) go to POST port 0x80 and, being printable,
; the start code to port 0xE9 too.

; The patched fields at the sector's end, addressed off BP like the
; variables: one byte shorter than an absolute address.
%define PARAM(sym) ((sym) - $$ - SECTOR_SIZE)

; Variables sit just past the sector (0x7E00..0x7FFF is free until stage2 at
; STAGE2_LOAD_ADDR), addressed off BP: 3-byte instructions instead of 5.
VARS equ MBR_LOAD_ADDR + SECTOR_SIZE
struc vars
v_dap:		resb 16			; the upper LBA dword stays 0
v_drive:	resb 1			; DL for stage2...
v_flags:	resb 1			; ...DH: MBR_FLAG_CHS
v_entry_dl:	resb 1			; CL...
v_retries:	resb 1			; ...CH
v_spt:		resw 1			; high byte stays 0: a word divisor
v_heads:	resb 1
endstruc

bits 16
section .text
global _start
_start:
	db 0x33, 0xc0			; xor ax, ax in the encoding Windows NT's MBR
					; uses (nasm picks 31 C0); AX = 0 from here on
	jmp short start
	times MBR_BPB_END - ($ - $$) db 0

start:
	; Some BIOSes enter at 07C0:0000; every absolute address below assumes
	; CS = 0, so normalise first.
	jmp 0:normalised
normalised:
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
	mov al, dl
	sub al, 0x80			; below 0x80 wraps past any disk count
	cmp al, [0x475]
	jb .dl_ok
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
	mov dx, [bp + v_drive]
	mov cx, [bp + v_entry_dl]
	jmp STAGE2_LOAD_SEG:0

; SI = message.  Prints, tells an emulator's exit device, halts;
; interrupts stay on so a debugger can break in.  (The MBR reads only the
; head's few sectors; stage2's own reads name the LBA that failed.)
fail:
	mov al, POST_MBR_FAILED
	out 0x80, al
	call puts
	; QEMU's isa-debugcon and Bochs' port_e9_hack read back DEBUGCON_READBACK
	; where a board without them reads 0xFF: only then is the exit device
	; (QEMU's isa-debug-exit; nothing on Bochs) written.
	in al, 0xe9
	cmp al, DEBUGCON_READBACK
	jne .halt
	mov al, STATUS_LOADER_ERROR
	out QEMU_EXIT_PORT, al
.halt:					; IF is still set
	hlt
	jmp .halt

puts:
	lodsb
	test al, al
	jz .ret
	out 0xe9, al
	pusha
	mov ah, 0x0e
	xor bx, bx			; page 0 (BL only matters in graphics)
	int 0x10
	popa
	jmp puts
.ret:
	ret

; DL = drive.  Reads and checks the head.  CF set and SI = message on failure.
load_stage2:
	xor dh, dh			; DH is v_flags: no MBR_FLAG_CHS yet
	mov [bp + v_drive], dx
	; Extensions only when all three say so: CF clear, BX = AA55h and the
	; fixed-disk-access subset (CX bit 0).
	mov ah, 0x41
	mov bx, 0x55aa
	int 0x13
	jc .chs
	cmp bx, 0xaa55
	jne .chs
	shr cl, 1
	jc .read
.chs:
	or byte [bp + v_flags], MBR_FLAG_CHS
	push es				; AH=08h sets ES:DI for floppies
	mov ah, 0x08
	mov dl, [bp + v_drive]		; AH=41h may have clobbered it (AST)
	int 0x13
	pop es
	jc .disk
	and cl, 0x3f
	jz .disk			; usb-storage can report 0 sectors
	mov [bp + v_spt], cl
	inc dh
	mov [bp + v_heads], dh
.read:
	movzx cx, byte [bp + PARAM(s2_sectors)] ; the builder checked 1..64; 0 = unpatched
	jcxz .corrupt
	mov eax, [s2_lba]
	mov bx, STAGE2_LOAD_ADDR
.next:
	call read_sector
	jc .disk
	inc eax
	add bh, SECTOR_SIZE >> 8
	loop .next

	mov si, STAGE2_LOAD_ADDR
	mov ch, [bp + PARAM(s2_sectors)] ; CX = sectors * 128 dwords (CL = 0 here)
	shr cx, 1
	mov edx, [bp + PARAM(s2_sum)]	; counted down to 0: LOOP keeps the flags of
.sum:					; the last SUB, so ZF says whether it matched
	lodsd
	sub edx, eax
	loop .sum
	jz .ret				; 0 after the last SUB: no borrow, CF is clear
.corrupt:
	mov si, msg_corrupt
	jmp short .stc
.disk:
	mov si, msg_disk
.stc:
	stc
.ret:
	ret

; EAX = LBA, ES:BX = buffer, CX = sectors left.  With extensions all CX
; sectors in one call (at most 64, and the head ends below 64 KiB: every
; BIOS takes that) and CX = 1 on return, so the caller's loop ends; through
; CHS one sector, as a read must not cross a track.  Each call into the BIOS
; costs far more than a sector's transfer (about 0.5 ms on QEMU's IDE), so
; one call instead of 60 is most of the MBR's time.  READ_TRIES attempts with
; an AH=00h reset between them.  All registers but CX kept (some BIOSes
; trash them on USB boot).  CF set on failure.
read_sector:
	mov di, READ_TRIES
.try:
	pushad
	test byte [bp + v_flags], MBR_FLAG_CHS
	jnz .chs
	; The packet is rebuilt on every try: after an error SeaBIOS writes
	; the transferred count (0) back into it.
	mov si, bp			; v_dap is at offset 0
	mov word [si], 0x0010		; size 16
	mov [si + 2], cx		; all the sectors left
	mov [si + 4], bx		; the segment at +6 stays 0 (ES = 0)
	mov [si + 8], eax
	mov ah, 0x42
	jmp short .call
.chs:
	; CHS reaches stage2 only below LBA 65536 (it sits near the start of
	; the disk; a disk that large has extensions anyway): DX:AX = LBA with
	; DX = 0, and the cylinder fits a byte there.
	xor dx, dx
	div word [bp + v_spt]		; DX:AX / spt
	inc dx
	mov cl, dl			; sector, 1-based
	div byte [bp + v_heads]		; AX / heads: AL = cylinder, AH = head
	mov dh, ah
	mov ch, al
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
	dec di
	jnz .try
	stc
	ret
.ok:
	test byte [bp + v_flags], MBR_FLAG_CHS
	jnz .one
	mov cl, 1			; CH = 0: at most 64 sectors
.one:
	ret

msg_disk:	db "disk read error", 0
msg_corrupt:	db "stage2 corrupt", 0

; Patched by the image builder and the installer (they read the offsets from
; build/mbr_syms.h, which the build generates from this file's symbols).
global s2_lba, s2_sectors, s2_sum
mbr_params:
s2_lba:		dd STAGE2_LBA
s2_sum:		dd 0		; of the head's s2_sectors * 128 dwords, mod 2^32
s2_sectors:	db 0

section .note.GNU-stack noalloc noexec nowrite progbits
