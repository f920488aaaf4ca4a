// apply_change: one Dockerfile instruction of `hako import --change` (and, later, `commit
// --change`) applied to an image's run defaults, as Docker's builder dispatches it.
//
// Supported, as `docker import` supports them: CMD, ENTRYPOINT (JSON array = exec form, anything
// else = shell form ["/bin/sh", "-c", text]), ENV and LABEL (`k=v k2="a b"` pairs, or the legacy
// `ENV k v w` whose value is the rest of the line), EXPOSE (80, 80/tcp, 53/udp, 8000-8002),
// USER, VOLUME (JSON array or words), WORKDIR (a relative one is joined to the current one),
// STOPSIGNAL (a name or number, kept as written) and ONBUILD (stored as written). Keywords are
// case-insensitive. Arguments of ENV, LABEL, EXPOSE, USER, VOLUME, WORKDIR and STOPSIGNAL go
// through the shell-word rules of a Dockerfile: quotes are removed ('…' literal, "…" with
// \" \\ \$ escaped), a backslash outside quotes escapes the next character, and $VAR, ${VAR},
// ${VAR:-word}, ${VAR:+word} (and the - / + forms) expand from the config's Env as it is before
// the instruction. CMD and ENTRYPOINT text is never expanded (the shell does it at run time).
// Unlike a build, the calls are independent: ENTRYPOINT does not reset a CMD set earlier.
//
// Errors: `invalid --change "RUN x": RUN is not supported by import (CMD, ENTRYPOINT, ...)`,
// `invalid --change "ENV a": ENV must have two arguments`. On error `config` is unchanged.
// Pure function; thread safe.
#pragma once

#include <string_view>

#include "base/result.h"
#include "oci/image_spec.h"

namespace hako::image {

Status apply_change(oci::RunDefaults& config, std::string_view instruction);

}  // namespace hako::image
