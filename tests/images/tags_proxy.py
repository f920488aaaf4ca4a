#!/usr/bin/env python3
"""An HTTP proxy for tests that pages tag lists, as registries with a maximum page size do
(the distribution spec's pagination; Debian's docker-registry 2.8 always sends every tag): it
relays requests from 127.0.0.1:<free port> (written to PORT_FILE) to 127.0.0.1:UPSTREAM, except
GET /v2/NAME/tags/list, which it answers itself from the upstream's whole list: the tags sorted,
those after ?last=, at most min(?n=, MAX) of them, and `Link: </v2/NAME/tags/list?n=N&last=T>;
rel="next"` when more remain. Each tags/list request is logged to LOG as one JSON line: n, last,
count (tags answered), next (the Link target or null).

usage: tags_proxy.py PORT_FILE LOG UPSTREAM MAX
"""
import http.client
import http.server
import json
import os
import re
import sys
import threading
import urllib.parse

PORT_FILE, LOG, UPSTREAM, MAX = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
lock = threading.Lock()
HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def upstream(self, method, path, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", UPSTREAM, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP | {"host"}}
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp, data

    def send(self, status, headers, body, head=False):
        self.send_response(status)
        for k, v in headers:
            if k.lower() not in HOP:
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def relay(self, method):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length) if length else None
        resp, data = self.upstream(method, self.path, body)
        self.send(resp.status, resp.getheaders(), data, head=method == "HEAD")

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        m = re.fullmatch(r"/v2/(.+)/tags/list", url.path)
        if not m:
            return self.relay("GET")
        query = urllib.parse.parse_qs(url.query)
        resp, data = self.upstream("GET", url.path)
        if resp.status != 200:
            return self.send(resp.status, resp.getheaders(), data)
        tags = sorted(json.loads(data).get("tags") or [])
        last = query.get("last", [None])[0]
        n = min(int(query.get("n", [MAX])[0]), MAX)
        if last is not None:
            tags = [t for t in tags if t > last]
        page, rest = tags[:n], tags[n:]
        headers = [("Content-Type", "application/json")]
        link = None
        if rest:
            link = "/v2/%s/tags/list?n=%d&last=%s" % (m.group(1), n, urllib.parse.quote(page[-1]))
            headers.append(("Link", '<%s>; rel="next"' % link))
        with lock, open(LOG, "a") as f:
            f.write(json.dumps({"n": query.get("n", [None])[0], "last": last,
                                "count": len(page), "next": link}) + "\n")
        self.send(200, headers, json.dumps({"name": m.group(1), "tags": page}).encode())

    def do_HEAD(self):
        self.relay("HEAD")


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(PORT_FILE + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(PORT_FILE + ".tmp", PORT_FILE)
server.serve_forever()
