; The one place stage2 calls the BIOS.
;   void intcall(u8 int_no, const struct biosregs *in, struct biosregs *out)
; regparm(3): AL = int_no, EDX = in, ECX = out (may be 0).
; struct biosregs (stage2/bios.h) is laid out in PUSHAD order followed by
; DS, ES, FS, GS and EFLAGS, so the registers go in with POPAD and come back
; out with PUSHAD.
;
; No self-modifying "int imm8": patched code is fragile (the prefetch queue
; on 386/486; QEMU's TCG was seen running the stale vector).  INT is
; reproduced instead: push FLAGS, clear IF, far call through the IVT entry.
; Handlers that return with IRET or with RETF 2 both land correctly.
;
; Stage2 runs flat (stage2/pm.asm) with interrupts masked.  The BIOS runs
; with the interrupt flag the caller's in->eflags asks for (initregs: on),
; and it or an interrupt handler it lets in may reload the segment caches
; with 64 KiB limits (SeaBIOS's call32 does) or load its own GDT: so IF goes
; off and the flat limits come back before anything above 64 KiB is touched.

bits 16
section .text
global intcall
extern enter_flat

BIOSREGS_SIZE equ 44

intcall:
	pushad				; the caller's registers (regparm ABI)
	push ds
	push es
	push fs
	push gs
	push ecx			; out
	movzx bx, al
	shl bx, 2
	push dword [bx]			; the vector's far pointer (DS = 0)

	sub sp, BIOSREGS_SIZE		; copy *in to the stack, load it from there
	mov esi, edx
	movzx edi, sp
	mov cx, BIOSREGS_SIZE / 2
	a32 rep movsw			; DS = ES = SS = 0 here; *in may be anywhere
	popad
	pop ds
	pop es
	pop fs
	pop gs
	popfd
	pushf				; what INT pushes...
	cli				; ...and what it clears
	call far [esp + 2]		; the vector, above the FLAGS image
	lea esp, [esp + 4]		; drop it, flags untouched
	; BIOSes are known to leave junk in the upper half of ESP and to set
	; DF; C relies on neither.
	movzx esp, sp
	pushfd
	cli
	cld
	push gs
	push fs
	push es
	push ds
	pushad
	xor ax, ax
	mov ds, ax
	mov es, ax
	call enter_flat
	movzx esi, sp
	mov edi, [esp + BIOSREGS_SIZE]	; out
	test edi, edi
	jz .no_out
	mov cx, BIOSREGS_SIZE / 2
	a32 rep movsw
.no_out:
	add sp, BIOSREGS_SIZE + 4
	pop gs
	pop fs
	pop es
	pop ds
	popad
	o32 ret

section .note.GNU-stack noalloc noexec nowrite progbits
