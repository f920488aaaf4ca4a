// ISA-L's igzip inflate, loaded when the first gzip layer is read rather than linked: Debian
// ships it only as a shared library (libisal2), and no command but pull, load and import
// reads a gzip stream. It inflates gzip about twice as fast as zlib (SSE/AVX2 Huffman
// decoding), and a layer's decompression is what a pull waits on once the download is
// overlapped. The table is filled once per process and never changes after; thread safe.
#pragma once

#include <isa-l/igzip_lib.h>

namespace hako::snapshot {

struct IsalApi {
  decltype(&::isal_inflate_init) inflate_init;
  decltype(&::isal_inflate_reset) inflate_reset;
  decltype(&::isal_inflate) inflate;
};

// The loaded table, or nullptr when libisal.so.2 is absent or incomplete (zlib is used then).
const IsalApi* load_isal();

}  // namespace hako::snapshot
