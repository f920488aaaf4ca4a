#!/usr/bin/python3
"""make_docker_archive.py: root file system trees or tars -> a `docker save` archive, reproducibly.

Usage:
  make_docker_archive.py -o OUT.tar -t NAME:TAG [-t ...] [--split N] [--cmd ARG]... SRC...

Each SRC (a directory, or a tar read member by member) becomes one layer, in order. With
--split N and a single SRC, that tree is cut into N layers of roughly equal byte sizes instead
(in path order; a hard link goes into the layer of the file it links to, and every layer carries
the parent directories of what it holds, with the same metadata, so layers extract alone).

The output is what `docker save` writes (and `docker load`, `podman load`, `skopeo` read):
  manifest.json      [{"Config": "<hex>.json", "RepoTags": [...], "Layers": ["<id>/layer.tar"...]}]
  <hex>.json         the image config; hex = its sha256 = the image id
  <id>/layer.tar     one uncompressed layer; <id>/VERSION and <id>/json for legacy readers
  repositories       {"name": {"tag": "<top layer id>"}}

Every tar is deterministic: members sorted by path, one fixed mtime (--mtime, default
SOURCE_DATE_EPOCH or 0), numeric owners only (no user or group names), PAX format without
per-file extended headers. Device nodes, sockets and fifos under SRC are left out, and /dev,
/proc and /sys are emptied (as an image has them). The config's rootfs.diff_ids are the sha256 of
each layer tar, with one history entry per layer and a fixed `created`; the same inputs give the
same bytes, so the same image id, every time. The config's keys are in the order containers/image
writes them when it converts to OCI, so `skopeo copy docker-archive:... oci:...` keeps the id.
"""

import argparse
import datetime
import hashlib
import io
import json
import os
import platform
import stat
import sys
import tarfile
import tempfile

ARCH = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "ppc64le": "ppc64le",
        "s390x": "s390x", "riscv64": "riscv64", "i686": "386"}
EMPTIED = ("dev", "proc", "sys")
CHUNK = 1 << 20


class Entry:
    """One member of a layer: its TarInfo (normalised) and where its data comes from."""

    def __init__(self, info, source=None, src_tar=None):
        self.info = info
        self.source = source  # a file path for regular files from a directory
        self.src_tar = src_tar  # or the TarFile it came from
        self.link_key = None


def normalise(info, mtime):
    info.mtime = mtime
    info.uname = ""
    info.gname = ""
    info.pax_headers = {}
    return info


def emptied(path):
    """True for what lies below /dev, /proc, /sys (the directories themselves stay)."""
    parts = path.split("/")
    return len(parts) > 1 and parts[0] in EMPTIED


def scan_dir(root, mtime):
    """The tree under root as Entries, sorted by path; hard links name their first path."""
    entries = []
    first_of_inode = {}
    paths = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel_dir = os.path.relpath(dirpath, root)
        for name in dirnames + sorted(filenames):
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            paths.append(rel)
    paths.sort()
    for rel in paths:
        if emptied(rel):
            continue
        full = os.path.join(root, rel)
        st = os.lstat(full)
        info = tarfile.TarInfo(rel)
        info.mode = stat.S_IMODE(st.st_mode)
        info.uid, info.gid = st.st_uid, st.st_gid
        if stat.S_ISDIR(st.st_mode):
            info.type = tarfile.DIRTYPE
        elif stat.S_ISLNK(st.st_mode):
            info.type = tarfile.SYMTYPE
            info.linkname = os.readlink(full)
        elif stat.S_ISREG(st.st_mode):
            key = (st.st_dev, st.st_ino)
            if st.st_nlink > 1 and key in first_of_inode:
                info.type = tarfile.LNKTYPE
                info.linkname = first_of_inode[key]
            else:
                info.type = tarfile.REGTYPE
                info.size = st.st_size
                if st.st_nlink > 1:
                    first_of_inode[key] = rel
        else:
            continue  # devices, fifos, sockets: not image content
        entry = Entry(normalise(info, mtime), source=full if info.type == tarfile.REGTYPE else None)
        entries.append(entry)
    return entries


def scan_tar(path, mtime):
    """The members of a tar as Entries, sorted by path."""
    tf = tarfile.open(path, "r:*")
    entries = []
    for member in tf.getmembers():
        name = member.name.lstrip("./") if member.name not in (".", "./") else ""
        name = name.rstrip("/")
        if not name or emptied(name):
            continue
        if not (member.isdir() or member.isreg() or member.issym() or member.islnk()):
            continue
        member.name = name
        if member.islnk():
            member.linkname = member.linkname.lstrip("./")
        entries.append(Entry(normalise(member, mtime), src_tar=tf))
    entries.sort(key=lambda e: e.info.name)
    return entries


def split_entries(entries, parts):
    """Cut entries (sorted) into `parts` lists of roughly equal data size."""
    total = sum(e.info.size for e in entries if e.info.isreg()) or 1
    layer_of_path = {}
    layers = [[] for _ in range(parts)]
    done = 0
    for e in entries:
        if e.info.islnk() and e.info.linkname in layer_of_path:
            index = layer_of_path[e.info.linkname]
        else:
            index = min(parts - 1, done * parts // total)
        if e.info.isreg():
            done += e.info.size
        layer_of_path[e.info.name] = index
        layers[index].append(e)
    # Every layer gets the parent directories of what it holds, so it extracts on its own.
    dirs = {e.info.name: e for e in entries if e.info.isdir()}
    result = []
    for layer in layers:
        names = {e.info.name for e in layer}
        extra = []
        for e in layer:
            parent = os.path.dirname(e.info.name)
            while parent and parent not in names:
                names.add(parent)
                if parent in dirs:
                    extra.append(dirs[parent])
                parent = os.path.dirname(parent)
        result.append(sorted(layer + extra, key=lambda x: x.info.name))
    return result


def write_layer(entries, out):
    """Writes entries as a tar to the open binary file out; returns its sha256 hex digest."""
    hasher = HashingWriter(out)
    with tarfile.open(fileobj=hasher, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for e in entries:
            if e.info.isreg():
                if e.source is not None:
                    with open(e.source, "rb") as f:
                        tf.addfile(e.info, f)
                else:
                    tf.addfile(e.info, e.src_tar.extractfile(e.info))
            else:
                tf.addfile(e.info)
    return hasher.sha.hexdigest()


class HashingWriter(io.RawIOBase):
    """A write-only file that hashes what passes through to the file below."""

    def __init__(self, out):
        super().__init__()
        self.out = out
        self.sha = hashlib.sha256()
        self.pos = 0

    def writable(self):
        return True

    def tell(self):
        return self.pos

    def seekable(self):
        return False

    def write(self, data):
        self.sha.update(data)
        self.out.write(data)
        self.pos += len(data)
        return len(data)


def add_bytes(tf, name, data, mtime):
    info = normalise(tarfile.TarInfo(name), mtime)
    info.size = len(data)
    info.mode = 0o644
    tf.addfile(info, io.BytesIO(data))


def add_dir(tf, name, mtime):
    info = normalise(tarfile.TarInfo(name), mtime)
    info.type = tarfile.DIRTYPE
    info.mode = 0o755
    tf.addfile(info)


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), sort_keys=True).encode()


def build(args):
    mtime = args.mtime
    created = datetime.datetime.fromtimestamp(mtime, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    sources = [scan_dir(s, mtime) if os.path.isdir(s) else scan_tar(s, mtime) for s in args.src]
    if args.split > 1:
        if len(sources) != 1:
            sys.exit("make_docker_archive.py: --split takes exactly one SRC")
        sources = split_entries(sources[0], args.split)

    out_dir = os.path.dirname(os.path.abspath(args.output))
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".make-archive.") as tmp:
        diff_ids, layer_files = [], []
        for i, entries in enumerate(sources):
            path = os.path.join(tmp, f"layer{i}.tar")
            with open(path, "wb") as f:
                diff_ids.append(write_layer(entries, f))
            layer_files.append(path)

        history = [{"created": created, "created_by": f"make_docker_archive.py: layer {i + 1} of "
                    f"{len(sources)} ({os.path.basename(os.path.normpath(args.src[min(i, len(args.src) - 1)]))})"}
                   for i in range(len(sources))]
        # Keys in the order of the OCI image-spec's Go structs, as containers/image marshals a
        # config when it converts a docker manifest to OCI: skopeo's copies to OCI then keep
        # these bytes, so the image id, instead of re-ordering them into a new one.
        container_config = {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                            "Cmd": args.cmd or ["/bin/sh"]}
        config = {"created": created, "architecture": args.arch, "os": "linux",
                  "config": container_config,
                  "rootfs": {"type": "layers", "diff_ids": [f"sha256:{d}" for d in diff_ids]},
                  "history": history}
        config_bytes = json.dumps(config, separators=(",", ":")).encode()
        config_hex = hashlib.sha256(config_bytes).hexdigest()

        # Legacy (v1) layer ids: a chain hash, so that equal stacks get equal ids.
        v1_ids, parent = [], ""
        for d in diff_ids:
            v1 = hashlib.sha256(f"{parent} {d}".encode()).hexdigest()
            v1_ids.append(v1)
            parent = v1

        manifest = [{"Config": f"{config_hex}.json", "RepoTags": args.tag,
                     "Layers": [f"{v}/layer.tar" for v in v1_ids]}]
        repositories = {}
        for ref in args.tag:
            name, _, tag = ref.rpartition(":")
            if not name or "/" in tag:
                name, tag = ref, "latest"
            repositories.setdefault(name, {})[tag] = v1_ids[-1]

        members = []
        for i, v1 in enumerate(v1_ids):
            legacy = {"id": v1, "created": created, "os": "linux", "architecture": args.arch}
            if i > 0:
                legacy["parent"] = v1_ids[i - 1]
            if i == len(v1_ids) - 1:
                legacy["config"] = container_config
            members.append((f"{v1}/", None))
            members.append((f"{v1}/VERSION", b"1.0"))
            members.append((f"{v1}/json", dumps(legacy)))
            members.append((f"{v1}/layer.tar", layer_files[i]))
        members.append((f"{config_hex}.json", config_bytes))
        members.append(("manifest.json", dumps(manifest)))
        if repositories:
            members.append(("repositories", dumps(repositories)))

        tmp_out = os.path.join(tmp, "out.tar")
        with tarfile.open(tmp_out, "w", format=tarfile.PAX_FORMAT) as tf:
            for name, data in sorted(members, key=lambda m: m[0]):
                if data is None:
                    add_dir(tf, name.rstrip("/"), mtime)
                elif isinstance(data, bytes):
                    add_bytes(tf, name, data, mtime)
                else:
                    info = normalise(tarfile.TarInfo(name), mtime)
                    info.size = os.path.getsize(data)
                    info.mode = 0o644
                    with open(data, "rb") as f:
                        tf.addfile(info, f)
        os.replace(tmp_out, args.output)
    print(f"sha256:{config_hex}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", required=True, help="the archive to write")
    parser.add_argument("-t", "--tag", action="append", default=[],
                        help="a repository:tag for RepoTags (repeatable; none = untagged)")
    parser.add_argument("--split", type=int, default=1, help="cut the one SRC into N layers")
    parser.add_argument("--cmd", action="append", help="the config's Cmd, one argument each")
    parser.add_argument("--arch", default=ARCH.get(platform.machine(), platform.machine()))
    parser.add_argument("--mtime", type=int, default=int(os.environ.get("SOURCE_DATE_EPOCH", "0")))
    parser.add_argument("src", nargs="+", help="a root file system directory or tar, one per layer")
    args = parser.parse_args()
    if args.split < 1:
        parser.error("--split must be at least 1")
    build(args)


if __name__ == "__main__":
    main()
