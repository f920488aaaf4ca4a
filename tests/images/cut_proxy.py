#!/usr/bin/env python3
"""An HTTP/1.1 proxy for tests that cuts one blob download in the middle: it relays requests
from 127.0.0.1:<free port> (written to PORT_FILE) to 127.0.0.1:UPSTREAM, one request at a time
per connection (keep-alive kept), and the first time a GET .../blobs/... answers 200 with more
than 2*CUT bytes of body it relays the head and CUT bytes of the body, then closes both
connections. Later requests are relayed whole. Each request is logged to LOG as one JSON
line: method, path, range (the Range header or null), status, cut.

usage: cut_proxy.py PORT_FILE LOG UPSTREAM CUT
"""
import json
import os
import socket
import sys
import threading

PORT_FILE, LOG, UPSTREAM, CUT = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
lock = threading.Lock()
state = {"cut": False}


class Closed(Exception):
    pass


class Reader:
    def __init__(self, sock):
        self.sock, self.buf = sock, b""

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise Closed()
        self.buf += data

    def head(self):
        while b"\r\n\r\n" not in self.buf:
            self.fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        return head + b"\r\n\r\n"

    def line(self):
        while b"\r\n" not in self.buf:
            self.fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line + b"\r\n"

    def take(self, n):
        """Up to n bytes (at least one)."""
        if not self.buf:
            self.fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out


def headers(head):
    lines = head.decode("latin-1").split("\r\n")
    out = {}
    for l in lines[1:]:
        if ":" in l:
            k, v = l.split(":", 1)
            out[k.strip().lower()] = v.strip()
    return lines[0], out


def relay_body(src, dst, length, limit=None):
    sent = 0
    while sent < length:
        want = length - sent if limit is None else min(length, limit) - sent
        if want <= 0:
            return sent
        chunk = src.take(want)
        dst.sendall(chunk)
        sent += len(chunk)
    return sent


def relay_chunked(src, dst):
    while True:
        line = src.line()
        dst.sendall(line)
        size = int(line.split(b";")[0], 16)
        relay_body(src, dst, size + 2)
        if size == 0:
            return


def serve(client):
    # A TLS handshake (hako tries https first on loopback): refuse it at once, as a plain
    # http server's answer fails it, rather than wait for a request head that never comes.
    if client.recv(1, socket.MSG_PEEK) in (b"\x16", b""):
        client.close()
        return
    upstream = socket.create_connection(("127.0.0.1", UPSTREAM))
    c, u = Reader(client), Reader(upstream)
    try:
        while True:
            req = c.head()
            first, h = headers(req)
            method, path = first.split(" ")[:2]
            upstream.sendall(req)
            if "content-length" in h:
                relay_body(c, upstream, int(h["content-length"]))
            resp = u.head()
            status_line, rh = headers(resp)
            status = int(status_line.split(" ")[1])
            length = int(rh.get("content-length", "0"))
            cut = False
            with lock:
                if (not state["cut"] and method == "GET" and "/blobs/" in path and status == 200
                        and length > 2 * CUT):
                    state["cut"] = cut = True
            with open(LOG, "a") as f:
                f.write(json.dumps({"method": method, "path": path, "range": h.get("range"),
                                    "status": status, "cut": cut}) + "\n")
            client.sendall(resp)
            if method == "HEAD" or status in (204, 304):
                continue
            if cut:
                relay_body(u, client, length, CUT)
                return
            if rh.get("transfer-encoding", "").lower() == "chunked":
                relay_chunked(u, client)
            else:
                relay_body(u, client, length)
    except (Closed, OSError):
        pass
    finally:
        for s in (client, upstream):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0))
listener.listen(16)
with open(PORT_FILE + ".tmp", "w") as f:
    f.write(str(listener.getsockname()[1]))
os.rename(PORT_FILE + ".tmp", PORT_FILE)
while True:
    conn, _ = listener.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
