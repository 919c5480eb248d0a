#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora from small real indexes.

Usage: seeds.py WORK OUT

WORK holds what seeds.sh made with the `chronicle` CLI from
tests/data/events.jsonl: for NAME in `full` (all 46 events) and `small`
(the first five), NAME.chron (a single file), NAME-split/ (the same split)
and NAME-deflate.html, NAME-lzma.html (the offline files of the split
index, `bundle --doc-store deflate|lzma`). Writes OUT/TARGET/NAME for the
targets index, split, offline and query, in the inputs fuzz/src/lib.rs
documents (a flags byte, then blobs each framed by a u32 little-endian
length).
"""

import os
import re
import struct
import sys
import zlib


def frame(blobs):
    return b"".join(struct.pack("<I", len(b)) + b for b in blobs)


def write(out, target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def chunk_crcs(core):
    """The CRC32 of each chunk, in the order the core numbers them
    (FORMAT.md: the section table, then `CHNK`)."""
    (count,) = struct.unpack_from("<I", core, 16)
    for i in range(count):
        tag, off, _ = struct.unpack_from("<4sII", core, 20 + 12 * i)
        if tag == b"CHNK":
            (n,) = struct.unpack_from("<I", core, off)
            return list(struct.unpack_from("<%dI" % n, core, off + 4))
    raise ValueError("no CHNK section")


def split_blobs(path):
    """The core, then the chunks in the order the core numbers them (a
    chunk file is named LEN-CRC.bin: found by its CRC32)."""
    by_crc = {}
    for f in os.listdir(path):
        m = re.fullmatch(r"\d+-([0-9a-f]{8})\.bin", f)
        if m:
            by_crc[int(m.group(1), 16)] = f
    core = open(os.path.join(path, "index.chron"), "rb").read()
    blobs = [core]
    for crc in chunk_crcs(core):
        blobs.append(open(os.path.join(path, by_crc[crc]), "rb").read())
    return blobs


# FORMAT.md, "Offline file": the word an escape's second unit stands for.
ESCAPED = {0x4800: 0x0000, 0x4801: 0x000D, 0x4802: 0x003C, 0x4803: 0x003D}


def unpack(text, odd):
    out = bytearray()
    i = 0
    while i < len(text):
        w = ord(text[i])
        i += 1
        if w == 0x3D:
            e = ord(text[i])
            i += 1
            w = 0xD800 + e - 0x4000 if 0x4000 <= e < 0x4800 else ESCAPED[e]
        out += bytes((w & 0xFF, w >> 8))
    return bytes(out[:-1] if odd else out)


def offline_blobs(path):
    """The core, the LZMA dictionary (inflated; empty when there is
    none), then per chunk its kind character and bytes as stored."""
    page = open(path, "rb").read()
    assert page[:2] == b"\xff\xfe"
    page = page[2:].decode("utf-16-le")
    blocks = {}
    for m in re.finditer(
        r'<script type="application/octet-stream" id="([^"]+)"([^>]*)>'
        r"(.*?)</script>",
        page,
        re.S,
    ):
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', m.group(2)))
        blocks[m.group(1)] = (attrs, m.group(3))
    attrs, text = blocks["chronicle-index"]
    core = unpack(text, attrs["data-odd"] == "1")
    dict_ = b""
    if "chronicle-lzdict" in blocks:
        attrs, text = blocks["chronicle-lzdict"]
        dict_ = zlib.decompress(unpack(text, attrs["data-odd"] == "1"), -15)
    table, _ = blocks["chronicle-chunks"]
    counts = [int(c) for c in table["data-blocks"].split(",")]
    ends = [int(e) for e in table["data-ends"].split(",")]
    kinds, odd = table["data-deflated"], table["data-odd"]
    records = []
    n = 0
    for b, count in enumerate(counts):
        bid = "chronicle-chunks" + ("" if b == 0 else "-%d" % (b + 1))
        text = blocks[bid][1]
        start = 0
        for _ in range(count):
            data = unpack(text[start : ends[n]], odd[n] == "1")
            records.append(kinds[n].encode() + data)
            start = ends[n]
            n += 1
    return [core, dict_] + records


QUERIES = [
    "lavrov geneva",
    "Zürich",
    "negotiati",
    "eartquake",
    "negotiatons ceasefire",
    '"sergey lavrov" talks',
    "talks -geneva OR bombing",
    "from:2014-05 to:2016 category:politics",
    'about:"Sergey Lavrov" source:bbc',
    "from:2099 to:1970",
    "a b c d e f g h i j k l m n o p",
    "<script>alert(1)</script>",
    "",
]


def main():
    work, out = sys.argv[1], sys.argv[2]
    for name in ("full", "small"):
        single = open(os.path.join(work, name + ".chron"), "rb").read()
        write(out, "index", name + "-0", b"\x00" + single)
        write(out, "index", name + "-resealed", b"\x01" + single)
        split = frame(split_blobs(os.path.join(work, name + "-split")))
        for flags in (0, 1, 3, 5, 7):
            write(out, "split", "%s-%d" % (name, flags), bytes([flags]) + split)
        for codec in ("deflate", "lzma"):
            path = os.path.join(work, "%s-%s.html" % (name, codec))
            blobs = frame(offline_blobs(path))
            for flags in (0, 1):
                write(
                    out,
                    "offline",
                    "%s-%s-%d" % (name, codec, flags),
                    bytes([flags]) + blobs,
                )
    for i, q in enumerate(QUERIES):
        # limit 10, offset 0, relevance with facets, 10 values a facet,
        # 2 related events a hit; the single file, at hand, fetched.
        for index in range(3):
            opts = bytes([10, 0, i % 4, 4 | (i % 3), 10, (index << 6) | 2])
            write(out, "query", "q%02d-%d" % (i, index), opts + q.encode())


main()
