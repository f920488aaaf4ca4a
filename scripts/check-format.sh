#!/usr/bin/env bash
# Fails if any C++ source differs from what .clang-format produces.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files 'src/*.h' 'src/*.cc' 2>/dev/null || find src -name '*.h' -o -name '*.cc')
if ((${#files[@]} == 0)); then mapfile -t files < <(find src -name '*.h' -o -name '*.cc'); fi
clang-format --dry-run --Werror "${files[@]}"
echo "check-format: ${#files[@]} files formatted"
