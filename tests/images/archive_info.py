#!/usr/bin/python3
"""archive_info.py FILE: what an image archive holds, with every blob checked. For the suite.

FILE is a `docker save` archive (manifest.json) or an OCI image layout in a tar (oci-layout,
index.json, blobs/), plain or gzip-compressed. Prints one JSON object:

  {"format": "docker-archive" | "oci",
   "images": [{"config_digest": "sha256:...", "diff_ids": [...], "tags": [...],
               "manifest_digest": "sha256:..." (OCI only), "layer_media_types": [...] (OCI)}]}

and exits 1, naming the problem, when the archive is inconsistent: a blob whose content does
not match its digest or size, a layer whose uncompressed sha256 is not its diff id, a config
named after a digest it does not have, a missing member, a layer count that differs from the
config's diff ids. The checks are the ones engines make on load, so an archive hako writes that
passes here is one the peers read; the suite then also loads it into them.
"""

import gzip
import hashlib
import json
import sys
import tarfile
import zlib

CHUNK = 1 << 20


class Bad(Exception):
    pass


def sha256_of(stream):
    h = hashlib.sha256()
    while True:
        data = stream.read(CHUNK)
        if not data:
            return "sha256:" + h.hexdigest()
        h.update(data)


class Archive:
    def __init__(self, path):
        self.tf = tarfile.open(path, "r:*")
        self.members = {}
        for m in self.tf.getmembers():
            name = m.name[2:] if m.name.startswith("./") else m.name
            self.members[name.rstrip("/")] = m

    def has(self, name):
        return name in self.members

    def open(self, name):
        m = self.members.get(name)
        if m is None:
            raise Bad(f"missing member {name}")
        while m.islnk() or m.issym():
            target = m.linkname if m.islnk() else _join(name, m.linkname)
            m = self.members.get(target.lstrip("./"))
            if m is None:
                raise Bad(f"member {name} links to a missing {target}")
        f = self.tf.extractfile(m)
        if f is None:
            raise Bad(f"member {name} is not a file")
        return f

    def read(self, name):
        return self.open(name).read()


def _join(name, link):
    if link.startswith("/"):
        return link.lstrip("/")
    parts = name.split("/")[:-1] + link.split("/")
    out = []
    for p in parts:
        if p == "..":
            if out:
                out.pop()
        elif p not in ("", "."):
            out.append(p)
    return "/".join(out)


def uncompressed_digest(stream):
    """sha256 of a layer after gzip (if gzip), read as a stream."""
    head = stream.read(2)
    rest = stream
    if head == b"\x1f\x8b":
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        h = hashlib.sha256()
        h.update(d.decompress(head))
        while True:
            data = rest.read(CHUNK)
            if not data:
                break
            h.update(d.decompress(data))
        h.update(d.flush())
        return "sha256:" + h.hexdigest()
    if head[:2] == b"\x28\xb5":
        raise Bad("zstd layers are not checked by archive_info.py")
    h = hashlib.sha256()
    h.update(head)
    while True:
        data = rest.read(CHUNK)
        if not data:
            return "sha256:" + h.hexdigest()
        h.update(data)


def docker_archive(a):
    manifest = json.loads(a.read("manifest.json"))
    if not isinstance(manifest, list) or not manifest:
        raise Bad("manifest.json: expected a non-empty list")
    images = []
    for i, entry in enumerate(manifest):
        config_name = entry["Config"]
        config_bytes = a.read(config_name)
        digest = "sha256:" + hashlib.sha256(config_bytes).hexdigest()
        base = config_name.rsplit("/", 1)[-1]
        if base.endswith(".json") and len(base) == 69 and base[:64] != digest[7:]:
            raise Bad(f"manifest.json[{i}]: config {config_name} has digest {digest}")
        config = json.loads(config_bytes)
        diff_ids = config.get("rootfs", {}).get("diff_ids", [])
        layers = entry.get("Layers", [])
        if len(layers) != len(diff_ids):
            raise Bad(f"manifest.json[{i}]: {len(layers)} layers, config has {len(diff_ids)} diff ids")
        for layer, diff_id in zip(layers, diff_ids):
            actual = uncompressed_digest(a.open(layer))
            if actual != diff_id:
                raise Bad(f"layer {layer}: content has {actual}, config says {diff_id}")
        images.append({"config_digest": digest, "diff_ids": diff_ids,
                       "tags": entry.get("RepoTags") or []})
    return {"format": "docker-archive", "images": images}


def blob(a, descriptor, what):
    digest = descriptor["digest"]
    algo, _, hexpart = digest.partition(":")
    name = f"blobs/{algo}/{hexpart}"
    f = a.open(name)
    data_digest = sha256_of(f) if algo == "sha256" else None
    if data_digest != digest:
        raise Bad(f"{what}: blob {name} has digest {data_digest}")
    size = a.members[name].size if not a.members[name].islnk() else None
    if size is not None and "size" in descriptor and descriptor["size"] != size:
        raise Bad(f"{what}: blob {name} is {size} bytes, descriptor says {descriptor['size']}")
    return name


def oci_manifests(a, index, what):
    for i, d in enumerate(index.get("manifests", [])):
        mt = d.get("mediaType", "")
        name = blob(a, d, f"{what}.manifests[{i}]")
        body = json.loads(a.read(name))
        if mt.endswith("image.index.v1+json") or mt.endswith("manifest.list.v2+json") \
                or "manifests" in body:
            yield from oci_manifests(a, body, f"{what}.manifests[{i}]")
        else:
            yield d, body


def oci_layout(a):
    layout = json.loads(a.read("oci-layout"))
    if layout.get("imageLayoutVersion") != "1.0.0":
        raise Bad(f"oci-layout: imageLayoutVersion {layout.get('imageLayoutVersion')!r}")
    index = json.loads(a.read("index.json"))
    images = []
    for desc, manifest in oci_manifests(a, index, "index.json"):
        what = f"manifest {desc['digest']}"
        config_name = blob(a, manifest["config"], f"{what} config")
        config = json.loads(a.read(config_name))
        diff_ids = config.get("rootfs", {}).get("diff_ids", [])
        layers = manifest.get("layers", [])
        if len(layers) != len(diff_ids):
            raise Bad(f"{what}: {len(layers)} layers, config has {len(diff_ids)} diff ids")
        for j, (layer, diff_id) in enumerate(zip(layers, diff_ids)):
            name = blob(a, layer, f"{what} layer {j}")
            actual = uncompressed_digest(a.open(name))
            if actual != diff_id:
                raise Bad(f"{what} layer {j}: uncompressed content has {actual}, config says {diff_id}")
        annotations = desc.get("annotations") or {}
        tags = [annotations[k] for k in ("io.containerd.image.name", "org.opencontainers.image.ref.name")
                if k in annotations]
        images.append({"config_digest": manifest["config"]["digest"], "diff_ids": diff_ids,
                       "tags": tags, "manifest_digest": desc["digest"],
                       "layer_media_types": [layer.get("mediaType", "") for layer in layers]})
    if not images:
        raise Bad("index.json: no image manifest")
    return {"format": "oci", "images": images}


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: archive_info.py FILE")
    try:
        a = Archive(sys.argv[1])
        if a.has("oci-layout"):
            info = oci_layout(a)
        elif a.has("manifest.json"):
            info = docker_archive(a)
        else:
            raise Bad("neither oci-layout nor manifest.json: not an image archive")
    except (Bad, KeyError, ValueError, OSError, tarfile.TarError, gzip.BadGzipFile, zlib.error) as e:
        print(f"archive_info.py: {sys.argv[1]}: {type(e).__name__ if isinstance(e, KeyError) else ''}{e}",
              file=sys.stderr)
        sys.exit(1)
    json.dump(info, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
