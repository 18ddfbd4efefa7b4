#!/usr/bin/env python3
"""nss_hostile.py MODE PORTFILE - a hostile stand-in for the daemon that
libnss_wotdns asks (tests/e2e/t_nss.sh): UDP on 127.0.0.1, a free port
written to PORTFILE. To every A question it answers 6.6.6.6 in a way the
module must refuse; AAAA questions get the same with ::6666.

  wrongid  AA answer with another ID            (ignored: times out)
  wrongq   AA answer for another name           (ignored: times out)
  noaa     the right answer without AA          (NOTFOUND)
  garbage  random bytes, a cut answer, a header (ignored: times out)
  mixed    all of the above first, then the real AA answer 192.0.2.99
           (the module keeps waiting past the junk and takes it)
"""
import os
import socket
import struct
import sys


def question_end(q):
    i = 12
    while q[i] != 0:
        i += 1 + q[i]
    return i + 5


def answer(q, ident, flags, qname_wire=None, addr=None):
    end = question_end(q)
    qtype = struct.unpack(">H", q[end - 4:end - 2])[0]
    question = q[12:end]
    if qname_wire is not None:
        question = qname_wire + q[end - 4:end]
    if addr is None:
        addr = b"\x06\x06\x06\x06" if qtype == 1 else b"\x66" * 16
    if qtype == 1 and len(addr) != 4:
        addr = addr[:4]
    if qtype == 28 and len(addr) != 16:
        return struct.pack(">HHHHHH", ident, flags, 1, 0, 0, 0) + question
    rr = struct.pack(">HHHIH", 0xC00C, qtype, 1, 300, len(addr)) + addr
    return struct.pack(">HHHHHH", ident, flags, 1, 1, 0, 0) + question + rr


def replies(mode, q):
    ident = struct.unpack(">H", q[:2])[0]
    aa = 0x8400  # QR AA
    bad = {
        "wrongid": [answer(q, ident ^ 0x5555, aa)],
        "wrongq": [answer(q, ident, aa, b"\x03bob\x03wot\x00")],
        "noaa": [answer(q, ident, 0x8000)],
        "garbage": [os.urandom(40), answer(q, ident, aa)[:-3],
                    q[:2] + b"\x84\x00" + b"\xff" * 8, os.urandom(700)],
    }
    if mode in bad:
        return bad[mode]
    junk = [r for k in ("wrongid", "wrongq", "garbage") for r in bad[k]]
    return junk + [answer(q, ident, aa, addr=b"\xc0\x00\x02\x63")]


def main():
    mode, portfile = sys.argv[1], sys.argv[2]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    with open(portfile + ".tmp", "w") as f:
        f.write(str(s.getsockname()[1]))
    os.rename(portfile + ".tmp", portfile)
    while True:
        q, peer = s.recvfrom(4096)
        if len(q) < 17:
            continue
        try:
            for r in replies(mode, q):
                s.sendto(r, peer)
        except (IndexError, struct.error):
            continue


if __name__ == "__main__":
    main()
