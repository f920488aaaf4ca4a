#!/usr/bin/env python3
"""make_multiarch.py DIR: turns the OCI layout in DIR (one image, as `hako save --format oci`
writes it) into a two-platform image: an image index listing the original manifest as
linux/amd64 and a copy whose config says arm64 (same layers, so a different image id) as
linux/arm64. index.json then names the index (ref "multi"). Prints "<amd64 id> <arm64 id>".
"""
import hashlib
import json
import os
import sys

d = sys.argv[1]


def blob(digest):
    algo, hexd = digest.split(":")
    with open(os.path.join(d, "blobs", algo, hexd), "rb") as f:
        return f.read()


def put(data):
    hexd = hashlib.sha256(data).hexdigest()
    with open(os.path.join(d, "blobs", "sha256", hexd), "wb") as f:
        f.write(data)
    return "sha256:" + hexd


with open(os.path.join(d, "index.json")) as f:
    top = json.load(f)
entry = top["manifests"][0]
manifest_bytes = blob(entry["digest"])
manifest = json.loads(manifest_bytes)
config = json.loads(blob(manifest["config"]["digest"]))
config["architecture"] = "arm64"
config_bytes = json.dumps(config, separators=(",", ":"), sort_keys=True).encode()
arm = dict(manifest)
arm["config"] = dict(manifest["config"], digest=put(config_bytes), size=len(config_bytes))
arm_bytes = json.dumps(arm, separators=(",", ":"), sort_keys=True).encode()
mtype = manifest.get("mediaType", "application/vnd.oci.image.manifest.v1+json")
index = {
    "schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.index.v1+json",
    "manifests": [
        {"mediaType": mtype, "digest": put(arm_bytes), "size": len(arm_bytes),
         "platform": {"architecture": "arm64", "os": "linux"}},
        {"mediaType": mtype, "digest": entry["digest"], "size": len(manifest_bytes),
         "platform": {"architecture": "amd64", "os": "linux"}},
    ],
}
index_bytes = json.dumps(index, separators=(",", ":")).encode()
top["manifests"] = [{
    "mediaType": "application/vnd.oci.image.index.v1+json",
    "digest": put(index_bytes),
    "size": len(index_bytes),
    "annotations": {"org.opencontainers.image.ref.name": "multi"},
}]
with open(os.path.join(d, "index.json"), "w") as f:
    json.dump(top, f)
print(manifest["config"]["digest"], arm["config"]["digest"])
