#!/usr/bin/env python3
"""A registry token server for tests (Docker's token protocol, as docker-registry's auth.token
checks it): GET /token?service=S&scope=repository:NAME:ACTIONS[&scope=...] answers {"token": JWT}
where the JWT is RS256-signed with KEY and carries CERT in its x5c header (docker-registry trusts
it when CERT is in its rootcertbundle). Basic credentials USER:PASSWORD get the actions asked
for that ACL allows; no credentials get a token granting nothing (as Docker Hub answers for a
private repository); wrong credentials get a 401.

ACL (optional) is a JSON file {"REPOSITORY GLOB": ["pull", "push"], ...}, read at every request
(a test may change it): USER gets only the actions it lists for a repository (fnmatch against
the name), as a real token service grants the subset of a scope the user may have; without
ACL, every action asked for. docker-registry checks the token's access claims itself, so a
mount (POST ?mount=&from=A) needs pull on A in the token. With "strict" after ACL, a request
for USER that ACL does not grant in full is refused outright (401, logged as user "!"), as some
token services answer rather than grant the subset.

Refresh tokens (what Docker stores as "identitytoken"): a GET with offline_token=true and
valid credentials also answers "refresh_token"; POST /token with a form (OAuth2, RFC 6749)
grant_type=refresh_token&refresh_token=R&service=S&scope=A B&client_id=C answers
{"access_token": JWT} for R's user (an unknown R: 401); grant_type=password&username&password
is accepted too. Refresh tokens live as long as the server.

Every request is logged to LOG as one JSON line: method, path, query (the query or form fields,
lists), scopes (as asked), user (null: anonymous, "!": refused), basic (Basic credentials
sent). Listens on 127.0.0.1:<free port>, written to PORT_FILE once listening.

usage: token_server.py PORT_FILE LOG KEY CERT ISSUER SERVICE USER PASSWORD [ACL [strict]]
"""
import base64
import fnmatch
import http.server
import json
import os
import sys
import threading
import time
import urllib.parse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

PORT_FILE, LOG, KEY, CERT, ISSUER, SERVICE, USER, PASSWORD = sys.argv[1:9]
ACL = sys.argv[9] if len(sys.argv) > 9 else None
STRICT = len(sys.argv) > 10 and sys.argv[10] == "strict"
with open(KEY, "rb") as f:
    key = serialization.load_pem_private_key(f.read(), None)
with open(CERT, "rb") as f:
    cert_der = x509.load_pem_x509_certificate(f.read()).public_bytes(serialization.Encoding.DER)
lock = threading.Lock()
refresh_tokens = {}  # refresh token -> user


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(claims):
    header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(cert_der).decode()]}
    signing = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    sig = key.sign(signing.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing + "." + b64url(sig)


def allowed(name, actions):
    if ACL is None:
        return actions
    with open(ACL) as f:
        acl = json.load(f)
    granted = set()
    for pattern, ok in acl.items():
        if fnmatch.fnmatchcase(name, pattern):
            granted.update(ok)
    return [a for a in actions if a in granted]


def refused(user, scopes):
    """STRICT, and some action asked for that ACL does not grant USER."""
    return STRICT and user not in (None, "!") and any(
        len(a["actions"]) != len(a["asked"]) for a in access_for(user, scopes, True))


def access_for(user, scopes, with_asked=False):
    access = []
    for scope in scopes if user else []:
        kind, _, rest = scope.partition(":")
        name, _, actions = rest.rpartition(":")
        entry = {"type": kind, "name": name, "actions": allowed(name, actions.split(","))}
        if with_asked:
            entry["asked"] = actions.split(",")
        access.append(entry)
    return access


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, doc=None):
        body = json.dumps(doc).encode() if doc is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def basic_user(self):
        """None without Basic credentials, USER with the right ones, "!" with wrong ones."""
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Basic "):
            return None
        user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        return user if (user, password) == (USER, PASSWORD) else "!"

    def log(self, method, path, query, scopes, user):
        entry = {"method": method, "path": path, "query": query, "scopes": scopes, "user": user,
                 "basic": self.headers.get("Authorization", "").startswith("Basic ")}
        with lock, open(LOG, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def token(self, user, scopes, service):
        now = int(time.time())
        claims = {"iss": ISSUER, "sub": user or "", "aud": service, "exp": now + 300,
                  "nbf": now - 10, "iat": now, "jti": os.urandom(8).hex(),
                  "access": access_for(user, scopes)}
        return jwt(claims)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        user = self.basic_user()
        scopes = query.get("scope", [])
        if refused(user, scopes):
            user = "!"
        self.log("GET", url.path, query, scopes, user)
        if url.path != "/token":
            return self.reply(404)
        if user == "!":
            return self.reply(401)
        doc = {"token": self.token(user, scopes, query.get("service", [""])[0]),
               "expires_in": 300}
        if user and query.get("offline_token") == ["true"]:
            refresh = "rt-" + os.urandom(12).hex()
            with lock:
                refresh_tokens[refresh] = user
            doc["refresh_token"] = refresh
        self.reply(200, doc)

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        one = lambda k: form.get(k, [""])[0]
        scopes = one("scope").split()
        grant = one("grant_type")
        user = "!"
        if grant == "refresh_token":
            with lock:
                user = refresh_tokens.get(one("refresh_token"), "!")
        elif grant == "password" and (one("username"), one("password")) == (USER, PASSWORD):
            user = USER
        if refused(user, scopes):
            user = "!"
        self.log("POST", url.path, form, scopes, user)
        if url.path != "/token":
            return self.reply(404)
        if grant not in ("refresh_token", "password"):
            return self.reply(400, {"error": "unsupported_grant_type"})
        if user == "!" or not one("client_id"):
            return self.reply(401, {"error": "invalid_grant"})
        self.reply(200, {"access_token": self.token(user, scopes, one("service")),
                         "expires_in": 300, "scope": " ".join(scopes)})


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(PORT_FILE + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(PORT_FILE + ".tmp", PORT_FILE)
server.serve_forever()
