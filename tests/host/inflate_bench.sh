#!/usr/bin/env bash
# `make inflate-bench`: the decoder's size and speed.  Size: .text + .rodata
# of build/stage2/inflate.o as stage2 builds it.  Speed: instructions per
# output byte under callgrind (counted only inside inflate_raw) for
# stage2.bin deflated at level 9, and for a 10 MiB mix of this machine's
# /usr/bin binaries and licence texts at zlib's default level; each for the
# host build (-O2) and an i386 -Os build, the closest the host gets to
# stage2's real-mode code.  Also stage2.bin's size with zlib -9 and zopfli.
set -eu
cd "$(dirname "$0")/../.."
b=build/bench
mkdir -p $b
size -A build/stage2/inflate.o |
	awk '/^\.text|^\.rodata/ {t += $2} END {print "inflate.o .text+.rodata: " t " bytes"}'
python3 - "$b" <<'PY'
import glob, os, sys, zlib
out = sys.argv[1]


def raw(d, level):
    c = zlib.compressobj(level, zlib.DEFLATED, -15, 9)
    return c.compress(d) + c.flush()


def gather(paths, limit, elf_only):
    data = bytearray()
    for p in paths:
        if len(data) >= limit:
            break
        if os.path.isfile(p) and not os.path.islink(p):
            d = open(p, 'rb').read()
            if not elf_only or d[:4] == b'\x7fELF':
                data += d
    return bytes(data[:limit])


s2 = open('build/stage2.bin', 'rb').read()
open(out + '/stage2.bin.deflate', 'wb').write(raw(s2, 9))
bins = gather(sorted(glob.glob('/usr/bin/*')), 7 << 20, True)
text = gather(sorted(glob.glob('/usr/share/common-licenses/*')) +
              sorted(glob.glob('/usr/share/doc/*/copyright')), 3 << 20, False)
mix = bins + text
open(out + '/mix.deflate', 'wb').write(raw(mix, 6))
z9 = len(raw(s2, 9))
print('stage2.bin: %d bytes, zlib -9 raw %d (%.4f)' % (len(s2), z9, z9 / len(s2)))
print('mix: %d bytes (%d of binaries, %d of text), zlib -6 raw %d' %
      (len(mix), len(bins), len(text), len(raw(mix, 6))))
PY
if command -v zopfli >/dev/null; then
	zopfli --deflate -c build/stage2.bin >$b/stage2.bin.zopfli
	z=$(stat -c %s $b/stage2.bin.zopfli)
	s=$(stat -c %s build/stage2.bin)
	echo "stage2.bin: zopfli --deflate $z ($(python3 -c "print('%.4f' % ($z / $s))"))"
fi
for exe in bench_inflate bench_inflate32; do
	for f in stage2.bin.deflate mix.deflate; do
		log=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null \
			--toggle-collect=inflate_raw $b/$exe $b/$f 67108864 2>&1)
		ir=$(echo "$log" | sed -n 's/.*Collected : *//p')
		out=$(echo "$log" | sed -n 's/.* bytes in, \([0-9]*\) out$/\1/p')
		if [ -z "$out" ]; then
			echo "$exe $f: failed"
			echo "$log" | tail -3
			exit 1
		fi
		per=$(python3 -c "print('%.2f' % ($ir / $out))")
		echo "$exe $f: $ir instructions for $out bytes: $per per byte"
	done
done
