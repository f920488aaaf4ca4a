// Reading an answer from the terminal, as `docker login` asks for a user name and password:
// the prompt goes to `out`, the answer is one line of stdin. With echo off (a password) the
// terminal's echo is turned off for the read and restored after it, on ^C too.
#pragma once

#include <cstdio>
#include <string>

#include "base/result.h"

namespace hako::cli {

// Whether stdin is a terminal one can prompt on.
bool can_prompt();

// Prints `prompt`, reads one line (without its newline, at most 4 KiB); an error when stdin
// ends before a line.
Result<std::string> prompt_line(std::FILE* out, const std::string& prompt, bool echo);

}  // namespace hako::cli
