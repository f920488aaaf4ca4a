#!/usr/bin/python3
"""Convert Docker's seccomp profile format to the OCI runtime spec's linux.seccomp.

Usage: seccomp_docker_to_oci.py PROFILE [--caps CAP,CAP,...] [--config CONFIG_JSON] [--arch ARCH]

Docker's profile (moby profiles/seccomp/default.json; the repo copy will be
src/seccomp/profiles/docker-default.json) carries conditions that Docker resolves when it
writes the OCI config: per-architecture rules, rules that apply only with (or without) some
capabilities, and minimum kernel versions. runc and crun take only the resolved OCI form, so this
does what moby's setupSeccomp does:

  - architectures: the archMap entry of this machine's architecture and its sub-architectures;
  - a rule is kept when its includes.arches (if any) name this architecture and its
    excludes.arches do not; when every cap in includes.caps is in the capability set and none in
    excludes.caps is; and when the running kernel is at least includes.minKernel;
  - names, action, errnoRet and args are copied; defaultAction and defaultErrnoRet too.

The capability set is the container's bounding set: given by --caps, read from a config.json
(--config), or by default the capabilities of Docker's default container. Prints the
linux.seccomp object as JSON on stdout; with --config the whole config with it set instead.
"""

import argparse
import json
import os
import platform
import sys

# Docker's default container capabilities (moby oci/caps/defaults.go).
DOCKER_DEFAULT_CAPS = [
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
    "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
]

# uname -m -> (Go's GOARCH as Docker's includes/excludes name it, libseccomp's name)
ARCHES = {
    "x86_64": ("amd64", "SCMP_ARCH_X86_64"),
    "aarch64": ("arm64", "SCMP_ARCH_AARCH64"),
    "s390x": ("s390x", "SCMP_ARCH_S390X"),
    "ppc64le": ("ppc64le", "SCMP_ARCH_PPC64LE"),
    "riscv64": ("riscv64", "SCMP_ARCH_RISCV64"),
}


def kernel_version():
    release = platform.release().split("-")[0]
    parts = []
    for piece in release.split(".")[:2]:
        digits = "".join(c for c in piece if c.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts + [0] * (2 - len(parts)))


def parse_version(text):
    major, _, minor = text.partition(".")
    return (int(major), int(minor or 0))


def rule_applies(rule, goarch, caps, kernel):
    includes = rule.get("includes") or {}
    excludes = rule.get("excludes") or {}
    if includes.get("arches") and goarch not in includes["arches"]:
        return False
    if goarch in (excludes.get("arches") or []):
        return False
    if any(cap not in caps for cap in includes.get("caps") or []):
        return False
    if any(cap in caps for cap in excludes.get("caps") or []):
        return False
    if includes.get("minKernel") and kernel < parse_version(includes["minKernel"]):
        return False
    return True


def convert(profile, caps, machine, kernel):
    goarch, native = ARCHES[machine]
    architectures = []
    for entry in profile.get("archMap") or []:
        if entry["architecture"] == native:
            architectures = [native] + list(entry.get("subArchitectures") or [])
    if not architectures:
        architectures = [native]

    syscalls = []
    for rule in profile.get("syscalls") or []:
        if not rule_applies(rule, goarch, caps, kernel):
            continue
        names = list(rule.get("names") or [])
        if rule.get("name"):
            names.append(rule["name"])
        if not names:
            continue
        out = {"names": names, "action": rule["action"]}
        if rule.get("errnoRet") is not None:
            out["errnoRet"] = rule["errnoRet"]
        if rule.get("args"):
            out["args"] = [
                {"index": a["index"], "value": a["value"], "valueTwo": a.get("valueTwo", 0),
                 "op": a["op"]}
                for a in rule["args"]
            ]
        syscalls.append(out)

    seccomp = {"defaultAction": profile["defaultAction"], "architectures": architectures,
               "syscalls": syscalls}
    if profile.get("defaultErrnoRet") is not None:
        seccomp["defaultErrnoRet"] = profile["defaultErrnoRet"]
    return seccomp


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("profile")
    parser.add_argument("--caps", help="comma-separated capability set")
    parser.add_argument("--config", help="config.json: take its bounding set, print it with "
                        "linux.seccomp set")
    parser.add_argument("--arch", default=platform.machine(), choices=sorted(ARCHES))
    args = parser.parse_args()

    with open(args.profile, encoding="utf-8") as f:
        profile = json.load(f)
    config = None
    if args.config:
        with open(args.config, encoding="utf-8") as f:
            config = json.load(f)
    if args.caps is not None:
        caps = set(c for c in args.caps.split(",") if c)
    elif config is not None:
        caps = set(config.get("process", {}).get("capabilities", {}).get("bounding") or [])
    else:
        caps = set(DOCKER_DEFAULT_CAPS)

    seccomp = convert(profile, caps, args.arch, kernel_version())
    if config is not None:
        config.setdefault("linux", {})["seccomp"] = seccomp
        json.dump(config, sys.stdout, indent=2)
    else:
        json.dump(seccomp, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        os._exit(1)
