#!/usr/bin/env python3
"""Seed corpus for build/fuzz/fuzz_inflate (see tests/fuzz/fuzz_inflate.c for
the modes): raw DEFLATE streams from python's zlib at several levels,
strategies and windows, a few hand-written fixed-code streams with early
matches, plain data for the round-trip mode, and gzip files with every
optional header field.  Usage: inflate_seeds.py DIR"""
import gzip
import os
import struct
import sys
import zlib

MODE_RAW, MODE_ROUNDTRIP, MODE_GZIP = 0, 2, 3
ROOM_64K = (32 + 11) << 2  # fuzz_inflate's room(): 1 << 16
ROOM_1147 = 31 << 2        # 31 * 37 bytes


def raw(data, level=6, wbits=15, strategy=zlib.Z_DEFAULT_STRATEGY, memlevel=8):
    c = zlib.compressobj(level, zlib.DEFLATED, -wbits, memlevel, strategy)
    return c.compress(data) + c.flush()


class Bits:
    """LSB-first bit writer (RFC 1951 3.1.1)."""

    def __init__(self):
        self.v, self.n = 0, 0

    def put(self, value, count):
        self.v |= value << self.n
        self.n += count

    def code(self, code, length):  # Huffman codes go most significant bit first
        for i in reversed(range(length)):
            self.put(code >> i & 1, 1)

    def bytes(self):
        return self.v.to_bytes((self.n + 7) // 8, 'little')


def fixed_lit(b, sym):
    if sym < 144:
        b.code(0x30 + sym, 8)
    elif sym < 256:
        b.code(0x190 + sym - 144, 9)
    elif sym < 280:
        b.code(sym - 256, 7)
    else:
        b.code(0xc0 + sym - 280, 8)


def fixed_stream(lits, matches):
    """Literals, then (length code, extra, extra bits, distance code, extra,
    extra bits) matches, end of block."""
    b = Bits()
    b.put(1, 1)
    b.put(1, 2)
    for c in lits:
        fixed_lit(b, c)
    for lsym, lext, lbits, dsym, dext, dbits in matches:
        fixed_lit(b, lsym)
        b.put(lext, lbits)
        b.code(dsym, 5)
        b.put(dext, dbits)
    fixed_lit(b, 256)
    return b.bytes()


def gzip_member(data, flg, name=b'', comment=b'', extra=b''):
    h = bytes([0x1f, 0x8b, 8, flg]) + struct.pack('<I', 0) + bytes([2, 3])
    if flg & 4:
        h += struct.pack('<H', len(extra)) + extra
    if flg & 8:
        h += name + b'\0'
    if flg & 16:
        h += comment + b'\0'
    if flg & 2:
        h += struct.pack('<H', zlib.crc32(h) & 0xffff)
    return h + raw(data, 9) + struct.pack('<II', zlib.crc32(data), len(data) & 0xffffffff)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    text = (b'The quick brown fox jumps over the lazy dog. ' * 40 +
            bytes(range(256)) + b'abcabcabcabd' * 30)
    seeds = []
    for level in (0, 1, 6, 9):
        for strategy in (zlib.Z_DEFAULT_STRATEGY, zlib.Z_HUFFMAN_ONLY, zlib.Z_RLE,
                         zlib.Z_FIXED):
            seeds.append(bytes([ROOM_64K | MODE_RAW]) + raw(text, level, 15, strategy))
    for wbits in (9, 12):
        seeds.append(bytes([ROOM_64K | MODE_RAW]) + raw(text * 3, 9, wbits))
    seeds.append(bytes([ROOM_64K | MODE_RAW]) + raw(b''))
    seeds.append(bytes([ROOM_1147 | MODE_RAW]) + raw(b'a' * 1000, 9))
    # 'a' then 258 bytes at distance 1; 'ab' then 7 at distance 2; a length
    # and distance with extra bits.
    seeds.append(bytes([ROOM_1147 | MODE_RAW]) + fixed_stream(b'a', [(285, 0, 0, 0, 0, 0)]))
    seeds.append(bytes([ROOM_1147 | MODE_RAW]) + fixed_stream(b'ab', [(261, 0, 0, 1, 0, 0)]))
    seeds.append(bytes([ROOM_1147 | MODE_RAW]) +
                 fixed_stream(b'0123456789', [(266, 1, 1, 6, 1, 2), (257, 0, 0, 4, 1, 1)]))
    # stored blocks: an empty non-final one, then a final one
    seeds.append(bytes([ROOM_1147 | MODE_RAW]) + bytes([0, 0, 0, 0xff, 0xff, 1, 3, 0,
                                                        0xfc, 0xff]) + b'xyz')
    for params in (b'\x00\x00', b'\x09\x06', b'\x13\x20', b'\x2d\x3e', b'\x31\x01'):
        seeds.append(bytes([MODE_ROUNDTRIP]) + params + text[:500])
    for flg in (0, 2, 4, 8, 16, 1 | 2 | 4 | 8 | 16):
        seeds.append(bytes([ROOM_64K | MODE_GZIP]) +
                     gzip_member(text, flg, b'kernel.elf', b'a comment', b'Ap\x02\x00xy'))
    seeds.append(bytes([ROOM_64K | MODE_GZIP]) + gzip.compress(text, 9, mtime=0))
    for i, s in enumerate(seeds):
        with open(os.path.join(out, 'seed-%02d' % i), 'wb') as f:
            f.write(s)


if __name__ == '__main__':
    main()
