// A directory of compiled filters, so a container start with Docker's default profile loads
// ~10 KiB of BPF instead of running libseccomp (~15 ms of CPU in crun on every run).
//
// An entry is one file, <cache_dir>/<64-bit hash of the key>.bpf, holding the full canonical
// key, the program, flags and a checksum. The key is a deterministic serialisation of the whole
// profile plus the libseccomp version and native arch; a hit requires the stored key to equal
// the wanted one byte for byte, so a hash collision can only cost a recompile, never select
// another profile's filter. A missing, truncated, corrupt or foreign-owned entry is a miss and
// is rewritten (sys::write_file_atomic: readers see the old or the new file, never half).
//
// Ownership: the caller owns cache_dir, which must be writable by root only (an entry is a
// security policy the runtime installs); e.g. /run/hako/seccomp. Entries are never evicted:
// there is one per distinct profile, and Docker's profile yields a handful (per capability set).
// Thread and process safe: concurrent writers of one entry write identical bytes and readers
// verify what they read.
#pragma once

#include <string>

#include "base/result.h"
#include "oci/spec.h"
#include "seccomp/filter.h"

namespace hako::seccomp {

// compile(profile), or its cached result. A cache that cannot be read or written costs the
// compile time, never correctness: only compile errors are returned.
Result<Filter> compile_cached(const oci::Seccomp& profile, const std::string& cache_dir);

// The cache key: deterministic, unambiguous (length-prefixed) encoding of every field of the
// profile, the libseccomp version and the native arch. Exposed for tests and diagnostics.
std::string canonical_key(const oci::Seccomp& profile);

}  // namespace hako::seccomp
