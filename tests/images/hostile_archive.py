#!/usr/bin/env python3
"""hostile_archive.py KIND OUT [SRC_ARCHIVE]: image archives that must be refused.

Each KIND is one attack or one kind of damage an untrusted `hako load` input can carry:
  escape-entry     an outer entry named ../escape (a path leaving the archive)
  escape-layer     a layer whose tar writes ../../escaped and a symlink out, then a file through it
  missing-layer    manifest.json names a layer the archive does not contain
  truncated        the first half of SRC_ARCHIVE
  bad-reference    RepoTags holds "Not A Valid:Ref"
  diff-mismatch    the config's diff id for the layer is a different digest
"""
import hashlib
import io
import json
import os
import sys
import tarfile

kind, out = sys.argv[1], sys.argv[2]
src = sys.argv[3] if len(sys.argv) > 3 else None


def add(tf, name, data, **kw):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 0
    for k, v in kw.items():
        setattr(info, k, v)
    tf.addfile(info, io.BytesIO(data))


def layer_tar(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for e in entries:
            if e[0] == "file":
                add(tf, e[1], e[2])
            elif e[0] == "symlink":
                info = tarfile.TarInfo(e[1])
                info.type = tarfile.SYMTYPE
                info.linkname = e[2]
                tf.addfile(info)
    return buf.getvalue()


def archive(layers, tags=("hostile:latest",), diff_ids=None, layer_names=None, extra=()):
    diff_ids = diff_ids or ["sha256:" + hashlib.sha256(l).hexdigest() for l in layers]
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                         "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
    chex = hashlib.sha256(config).hexdigest()
    names = layer_names or [f"{i:02d}/layer.tar" for i in range(len(layers))]
    manifest = json.dumps([{"Config": chex + ".json", "RepoTags": list(tags),
                            "Layers": names}]).encode()
    with tarfile.open(out, "w") as tf:
        for name, data in extra:
            add(tf, name, data)
        for i, l in enumerate(layers):
            if i < len(names) and names[i].endswith("layer.tar") and kind != "missing-layer":
                add(tf, names[i], l)
        add(tf, chex + ".json", config)
        add(tf, "manifest.json", manifest)


ok_layer = layer_tar([("file", "etc/hostname", b"hostile\n")])
if kind == "escape-entry":
    archive([ok_layer], extra=[("../escape", b"x")])
elif kind == "escape-layer":
    archive([layer_tar([("file", "../../escaped", b"x"), ("symlink", "out", "/tmp"),
                        ("file", "out/escaped-through-link", b"x")])])
elif kind == "missing-layer":
    archive([ok_layer])
elif kind == "truncated":
    data = open(src, "rb").read()
    open(out, "wb").write(data[: len(data) // 2])
elif kind == "bad-reference":
    archive([ok_layer], tags=("Not A Valid:Ref",))
elif kind == "diff-mismatch":
    archive([ok_layer], diff_ids=["sha256:" + "0" * 64])
else:
    sys.exit(f"unknown kind {kind}")
