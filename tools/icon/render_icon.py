"""Renders the launcher icon (the shapes of android/app/src/main/res/drawable/ic_launcher.xml)
to a PNG for the store listings: python3 render_icon.py OUT.png [SIZE]."""
import struct, sys, zlib

SIZE = int(sys.argv[2]) if len(sys.argv) > 2 else 512
S = SIZE / 108.0
GREEN, WHITE, YELLOW = (0x1B, 0x5E, 0x20), (255, 255, 255), (0xF9, 0xA8, 0x25)

def rounded(x, y, x0, y0, x1, y1, r):
    if not (x0 <= x <= x1 and y0 <= y <= y1):
        return False
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r

def tail(x, y):
    # Triangle (50,68) (36,80) (38,68).
    (ax, ay), (bx, by), (cx, cy) = (50, 68), (36, 80), (38, 68)
    d = lambda px, py, qx, qy, rx, ry: (px - rx) * (qy - ry) - (qx - rx) * (py - ry)
    d1, d2, d3 = d(x, y, ax, ay, bx, by), d(x, y, bx, by, cx, cy), d(x, y, cx, cy, ax, ay)
    neg = d1 < 0 or d2 < 0 or d3 < 0
    pos = d1 > 0 or d2 > 0 or d3 > 0
    return not (neg and pos)

def colour(x, y):
    for cx in (42, 54, 66):
        if (x - cx) ** 2 + (y - 50) ** 2 <= 3.5 ** 2:
            return YELLOW
    if rounded(x, y, 30, 32, 78, 68, 8) or tail(x, y):
        return WHITE
    if rounded(x, y, 6, 6, 102, 102, 18):
        return GREEN
    return None

rows = []
for py in range(SIZE):
    row = bytearray([0])
    for px in range(SIZE):
        acc = [0, 0, 0, 0]
        for sy in (0.25, 0.75):
            for sx in (0.25, 0.75):
                c = colour((px + sx) / S, (py + sy) / S)
                if c:
                    acc[0] += c[0]; acc[1] += c[1]; acc[2] += c[2]; acc[3] += 255
        n = acc[3] // 255
        row += bytes([acc[0] // n if n else 0, acc[1] // n if n else 0, acc[2] // n if n else 0, acc[3] // 4])
    rows.append(bytes(row))

def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
