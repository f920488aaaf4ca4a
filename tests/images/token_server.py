#!/usr/bin/env python3
"""A registry token server for tests (Docker's token protocol, as docker-registry's auth.token
checks it): GET /token?service=S&scope=repository:NAME:ACTIONS answers {"token": JWT} where the
JWT is RS256-signed with KEY and carries CERT in its x5c header (docker-registry trusts it when
CERT is in its rootcertbundle). Basic credentials USER:PASSWORD get the actions asked for; no
credentials get a token granting nothing (as Docker Hub answers for a private repository);
wrong credentials get a 401. Every request is logged to LOG as one JSON line. Listens on
127.0.0.1:<free port>, written to PORT_FILE once listening.

usage: token_server.py PORT_FILE LOG KEY CERT ISSUER SERVICE USER PASSWORD
"""
import base64
import http.server
import json
import os
import sys
import time
import urllib.parse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

PORT_FILE, LOG, KEY, CERT, ISSUER, SERVICE, USER, PASSWORD = sys.argv[1:9]
with open(KEY, "rb") as f:
    key = serialization.load_pem_private_key(f.read(), None)
with open(CERT, "rb") as f:
    cert_der = x509.load_pem_x509_certificate(f.read()).public_bytes(serialization.Encoding.DER)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(claims):
    header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(cert_der).decode()]}
    signing = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    sig = key.sign(signing.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing + "." + b64url(sig)


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        auth = self.headers.get("Authorization", "")
        user = None
        if auth.startswith("Basic "):
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            if (user, password) != (USER, PASSWORD):
                user = "!"
        with open(LOG, "a") as f:
            f.write(json.dumps({"path": url.path, "query": query, "user": user}) + "\n")
        if url.path != "/token" or user == "!":
            self.send_response(404 if url.path != "/token" else 401)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        access = []
        for scope in query.get("scope", []) if user else []:
            kind, name, actions = scope.split(":")
            access.append({"type": kind, "name": name, "actions": actions.split(",")})
        now = int(time.time())
        claims = {"iss": ISSUER, "sub": user or "", "aud": query.get("service", [""])[0],
                  "exp": now + 300, "nbf": now - 10, "iat": now, "jti": os.urandom(8).hex(),
                  "access": access}
        body = json.dumps({"token": jwt(claims), "expires_in": 300}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(PORT_FILE + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(PORT_FILE + ".tmp", PORT_FILE)
server.serve_forever()
