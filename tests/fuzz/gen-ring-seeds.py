#!/usr/bin/env python3
"""gen-ring-seeds.py DIR: write fuzz_ring's seed inputs (see tests/fuzz/fuzz_ring.c for the layout).

Each seed is 4 bytes of req_prod, 32 request slots of 64 bytes, then the data area. Handles are
the CPU reference executor's: the first allocation is 0x100000000000, the next ones after a 256-byte gap,
the first module 1, its first entry's function 0x10001.
"""
import os
import struct
import sys

SLOTS = 32
HELLO, INFO, ALLOC, FREE, MEMSET, HTOD, DTOH, DTOD = 1, 2, 3, 4, 5, 6, 7, 8
LOAD, UNLOAD, FUNC, LAUNCH, SYNC, BATCH_END, NOP, PARAMS, CHUNK = 9, 10, 11, 12, 13, 14, 15, 16, 17
MARK = 23
FEAT_STREAMS = 0x20
D0 = 0x100000000000

PTX = b""".version 8.0
.target sm_75
.address_size 64
.visible .entry vector_add(.param .u64 pa, .param .u64 pb, .param .u64 pc, .param .u32 pn)
{
.reg .pred %p<2>;
.reg .f32 %f<4>;
.reg .b32 %r<6>;
.reg .b64 %rd<11>;
ld.param.u64 %rd1, [pa];
ld.param.u64 %rd2, [pb];
ld.param.u64 %rd3, [pc];
ld.param.u32 %r2, [pn];
mov.u32 %r3, %ctaid.x;
mov.u32 %r4, %ntid.x;
mov.u32 %r5, %tid.x;
mad.lo.s32 %r1, %r3, %r4, %r5;
setp.ge.u32 %p1, %r1, %r2;
@%p1 bra DONE;
cvta.to.global.u64 %rd4, %rd1;
mul.wide.u32 %rd5, %r1, 4;
add.s64 %rd6, %rd4, %rd5;
cvta.to.global.u64 %rd7, %rd2;
add.s64 %rd8, %rd7, %rd5;
ld.global.f32 %f1, [%rd8];
ld.global.f32 %f2, [%rd6];
add.f32 %f3, %f2, %f1;
cvta.to.global.u64 %rd9, %rd3;
add.s64 %rd10, %rd9, %rd5;
st.global.f32 [%rd10], %f3;
DONE:
ret;
}
.visible .entry spin()
{
L: bra L;
}
"""


def req(i, op, body=b"", flags=0, stream=0):
    return struct.pack("<QHHI", i, op, flags, stream) + body.ljust(48, b"\0")


def hello(i, features=0x7):
    return req(i, HELLO, struct.pack("<HHIQ", 1, 1, 0, features))


def seed(reqs, data=b"", prod=None):
    ring = b"".join(reqs).ljust(SLOTS * 64, b"\0")
    return struct.pack("<I", len(reqs) if prod is None else prod) + ring + data


def data_area(parts):
    buf = bytearray(0x4000)
    for off, b in parts:
        buf[off:off + len(b)] = b
    return bytes(buf)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    q = struct.pack
    seeds = {
        "hello_nop": seed([hello(1), req(2, NOP), req(3, SYNC)]),
        "memory": seed([hello(1), req(2, ALLOC, q("<Q", 4096)),
                        req(3, HTOD, q("<QQQ", D0, 0, 4096)),
                        req(4, MEMSET, q("<QQII", D0 + 16, 64, 0x5a, 0)),
                        req(5, DTOH, q("<QQQ", D0, 8192, 4096)),
                        req(6, ALLOC, q("<Q", 256)),
                        req(7, DTOD, q("<QQQ", D0 + 0x1100, D0, 256)),
                        req(8, FREE, q("<Q", D0)), req(9, INFO, q("<Q", 0x3000)),
                        req(10, SYNC)], data_area([(0, bytes(range(256)) * 16)])),
        "kernel": seed([hello(1), req(2, ALLOC, q("<Q", 1024)), req(3, ALLOC, q("<Q", 1024)),
                        req(4, ALLOC, q("<Q", 1024)),
                        req(5, HTOD, q("<QQQ", D0, 0x2000, 1024)),
                        req(6, LOAD, q("<QQ", 0x1000, len(PTX))),
                        req(7, FUNC, q("<QQII", 1, 0x800, 32, 0)),
                        req(8, PARAMS, q("<QQII", 0x10001, 0x3800, 8, 0)),
                        req(9, LAUNCH, q("<Q3I3IIIQ", 0x10001, 2, 1, 1, 128, 1, 1, 0, 28, 0x900)),
                        req(10, SYNC),
                        req(11, DTOH, q("<QQQ", D0 + 0xa00, 0x3000, 1024)),
                        req(12, UNLOAD, q("<Q", 1)), req(13, SYNC)],
                       data_area([(0x1000, PTX), (0x800, b"vector_add\0"),
                                  (0x900, q("<QQQI", D0, D0 + 0x500, D0 + 0xa00, 256)),
                                  (0x2000, q("<256f", *[float(i) for i in range(256)]))])),
        "endless_kernel": seed([hello(1), req(2, LOAD, q("<QQ", 0x1000, len(PTX))),
                                req(3, FUNC, q("<QQII", 1, 0x800, 32, 0)),
                                req(4, LAUNCH, q("<Q3I3IIIQ", 0x10002, 1, 1, 1, 32, 1, 1, 0, 0, 0)),
                                req(5, SYNC), req(6, NOP)],
                               data_area([(0x1000, PTX), (0x800, b"spin\0")])),
        "chunks": seed([hello(1), req(2, CHUNK, q("<QQQII", len(PTX), 0, 0x1000, 300, 0)),
                        req(3, CHUNK, q("<QQQII", len(PTX), 300, 0x1200, len(PTX) - 300, 1)),
                        req(4, FUNC, q("<QQII", 1, 0x800, 32, 0)), req(5, SYNC)],
                       data_area([(0x1000, PTX[:300]), (0x1200, PTX[300:]),
                                  (0x800, b"vector_add\0")])),
        "batch_index_games": seed([hello(1), req(2, NOP), req(3, BATCH_END), req(4, NOP)],
                                  prod=0x80000001),
        "before_hello": seed([req(1, NOP), hello(2)]),
        "streams": seed([hello(1, 0x7 | FEAT_STREAMS), req(2, ALLOC, q("<Q", 4096)),
                         req(3, MEMSET, q("<QQII", D0, 4096, 1, 0), stream=1),
                         req(4, MARK, stream=1, flags=1),
                         req(5, DTOD, q("<QQQ", D0 + 2048, D0, 1024), stream=2),
                         req(6, MARK, stream=2), req(7, MARK),
                         req(8, NOP, stream=3), req(9, SYNC)]),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
