// The annotation `run.oci.hako.loopback: "up"`: the container's init brings the loopback
// interface of its new network namespace up, as Docker's `--network none` has it. The OCI
// spec has no field for this, and runc and crun leave lo down; hako's engine sets the
// annotation so a container that shares nothing still reaches 127.0.0.1. Child side only.
#pragma once

#include "base/result.h"
#include "oci/spec.h"

namespace hako::runtime {

inline constexpr const char* kLoopbackAnnotation = "run.oci.hako.loopback";

// Does nothing unless the annotation says "up" and the container has a network namespace of
// its own.
Status bring_loopback_up(const oci::Spec& spec);

}  // namespace hako::runtime
