#!/usr/bin/env python3
"""Fails if an #include crosses the module graph upward.

A module (src/<name>/, CMake target hako_<name>) may include only itself and the modules it
declares in DEPS of its hako_module() call, transitively. cmd/* mains may include anything.
"""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent / "src"
decl = re.compile(r"hako_module\(\s*NAME\s+(\w+)(.*?)\)", re.S)
deps = {}
for cm in root.glob("*/CMakeLists.txt"):
    text = cm.read_text()
    for m in decl.finditer(text):
        body = m.group(2)
        d = re.search(r"DEPS([^\n]*(?:\n(?!\s*(?:SOURCES|LIBS)\b)[^\n]*)*)", body)
        names = d.group(1).split() if d else []
        deps[m.group(1)] = [n for n in names if n.isidentifier()]


def closure(mod, seen=None):
    seen = set() if seen is None else seen
    for d in deps.get(mod, []):
        if d not in seen:
            seen.add(d)
            closure(d, seen)
    return seen


include = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/', re.M)
errors = []
for mod in deps:
    allowed = closure(mod) | {mod}
    for f in sorted((root / mod).glob("*")):
        if f.suffix not in (".h", ".cc"):
            continue
        for target in include.findall(f.read_text()):
            if target in deps and target not in allowed:
                errors.append(f"{f.relative_to(root.parent)}: includes {target}/, which {mod} does not depend on "
                              f"(allowed: {', '.join(sorted(allowed))})")
for e in errors:
    print(e)
if errors:
    sys.exit(1)
print(f"check_includes: {len(deps)} modules, no upward includes")
