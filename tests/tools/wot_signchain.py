#!/usr/bin/env python3
"""wot_signchain GITDIR GNUPGHOME FPR COUNT: put COUNT commits on top of
GITDIR's main, each with main's tree and a detached OpenPGP signature by
FPR, as `git commit-tree -S` makes them; prints the new tip.

Why not `git commit-tree -S` COUNT times: that starts a gpg process per
commit (tens of ms each, minutes for a long history). This asks the
gpg-agent of GNUPGHOME to sign each commit's digest over one connection
(SIGKEY, SETHASH, PKSIGN, as gpg itself does) and writes the v4 signature
packet and the loose objects itself. The result is checked by whoever
verifies the history: gpg, through wotdns or `git verify-commit`. Only
ed25519 (EdDSA) keys without a passphrase, as `wotdns init` makes them."""
import base64
import hashlib
import os
import re
import socket
import struct
import subprocess
import sys
import time
import zlib


def run(*args, env=None):
    return subprocess.run(args, check=True, capture_output=True, text=True,
                          env=env).stdout


class Agent:
    def __init__(self, home):
        env = dict(os.environ, GNUPGHOME=home)
        run("gpg-connect-agent", "--homedir", home, "/bye", env=env)
        path = run("gpgconf", "--homedir", home, "--list-dirs",
                   "agent-socket").strip()
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.f = self.s.makefile("rwb")
        self.reply()

    def reply(self):
        data = b""
        while True:
            line = self.f.readline().rstrip(b"\n")
            if line.startswith(b"D "):
                data += re.sub(rb"%([0-9A-Fa-f]{2})",
                               lambda m: bytes([int(m.group(1), 16)]),
                               line[2:])
            elif line == b"OK" or line.startswith(b"OK "):
                return data
            elif line.startswith(b"ERR") or not line:
                sys.exit("wot_signchain: gpg-agent: %s" % line.decode())

    def cmd(self, line):
        self.f.write(line.encode() + b"\n")
        self.f.flush()
        return self.reply()


def sexp_value(sexp, name):
    """The bytes of (NAME LEN:VALUE) in a canonical S-expression."""
    key = b"(%d:%s" % (len(name), name)
    i = sexp.index(key) + len(key)
    j = sexp.index(b":", i)
    n = int(sexp[i:j])
    return sexp[j + 1:j + 1 + n]


def mpi(b):
    b = b.lstrip(b"\0")
    return struct.pack(">H", len(b) * 8 - (8 - b[0].bit_length()) if b
                       else 0) + b


def crc24(data):
    crc = 0xB704CE
    for c in data:
        crc ^= c << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF


def signature(agent, grip, fpr, data):
    """Armored detached v4 EdDSA/SHA-256 binary signature of DATA."""
    hashed = (bytes([22, 33, 4]) + bytes.fromhex(fpr) +
              bytes([5, 2]) + struct.pack(">I", int(time.time())))
    head = bytes([4, 0x00, 22, 8]) + struct.pack(">H", len(hashed)) + hashed
    digest = hashlib.sha256(data + head + b"\x04\xff" +
                            struct.pack(">I", len(head))).digest()
    agent.cmd("SIGKEY " + grip)
    agent.cmd("SETHASH 8 " + digest.hex().upper())
    sexp = agent.cmd("PKSIGN")
    unhashed = bytes([9, 16]) + bytes.fromhex(fpr)[-8:]
    body = (head + struct.pack(">H", len(unhashed)) + unhashed +
            digest[:2] + mpi(sexp_value(sexp, b"r")) +
            mpi(sexp_value(sexp, b"s")))
    packet = bytes([0xC2, len(body)]) + body  # new format, tag 2, < 192
    b64 = base64.b64encode(packet).decode()
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    crc = base64.b64encode(struct.pack(">I", crc24(packet))[1:]).decode()
    return "\n".join(["-----BEGIN PGP SIGNATURE-----", ""] + lines +
                     ["=" + crc, "-----END PGP SIGNATURE-----"]) + "\n"


def write_object(gitdir, kind, body):
    raw = b"%s %d\0" % (kind, len(body)) + body
    oid = hashlib.sha1(raw).hexdigest()
    d = os.path.join(gitdir, "objects", oid[:2])
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, oid[2:])
    if not os.path.exists(path):
        with open(path + ".tmp", "wb") as f:
            f.write(zlib.compress(raw))
        os.rename(path + ".tmp", path)
    return oid


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    gitdir, home, fpr, count = sys.argv[1:5]
    fpr = fpr.upper()
    env = dict(os.environ, GNUPGHOME=home)
    grip = re.search(r"^grp:+([0-9A-F]{40}):", run(
        "gpg", "--homedir", home, "--batch", "--with-colons",
        "--with-keygrip", "-K", fpr, env=env), re.M).group(1)
    parent = run("git", "--git-dir", gitdir, "rev-parse", "main").strip()
    tree = run("git", "--git-dir", gitdir, "rev-parse", "main^{tree}").strip()
    ident = run("git", "--git-dir", gitdir, "var", "GIT_COMMITTER_IDENT")
    ident = ident.strip().encode()
    agent = Agent(home)
    for i in range(1, int(count) + 1):
        head = (b"tree %s\nparent %s\nauthor %s\ncommitter %s\n" %
                (tree.encode(), parent.encode(), ident, ident))
        msg = b"\ncommit %d\n" % i
        sig = signature(agent, grip, fpr, head + msg)
        gpgsig = b"gpgsig " + sig.rstrip("\n").replace("\n", "\n ").encode()
        parent = write_object(gitdir, b"commit", head + gpgsig + b"\n" + msg)
    run("git", "--git-dir", gitdir, "update-ref", "refs/heads/main", parent)
    print(parent)


if __name__ == "__main__":
    main()
