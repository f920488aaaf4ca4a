// Parallel vs sequential unpack of a generated multi-layer image (LayerStore::unpack).
//   snapshot_unpack_bench [layers=8] [files per layer=2000] [file KiB=16] [dir=/tmp]
// Each layer is a gzip'd tar of small files (a typical base-image mix); the layers are unpacked
// with parallel=1 and with parallel=<layers> (same ExtractOptions), each into a fresh store,
// alternating, best of three. Prints wall times and the ratio.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "archive/hostile_tar.h"
#include "content/sha256.h"
#include "snapshot/chain_id.h"
#include "snapshot/layer_store.h"
#include "sys/file.h"

using namespace hako;

namespace {

std::string layer(int i, int files, int kib, archive::testing::Compression c) {
  archive::testing::TarBuilder b(c);
  for (int f = 0; f < files; ++f) {
    std::string data(static_cast<size_t>(kib) << 10, '\0');
    for (size_t k = 0; k < data.size(); ++k) data[k] = static_cast<char>((k * 31 + f + i) % 251);
    std::string name = "l";
    name += std::to_string(i);
    name += "/d" + std::to_string(f % 50);
    name += "/f" + std::to_string(f);
    b.file(name, data);
  }
  return b.finish();
}

double run(const std::string& root, const content::Store& blobs,
           const std::vector<snapshot::LayerToUnpack>& layers, unsigned parallel) {
  auto store = snapshot::LayerStore::open(root);
  if (!store) std::exit(1);
  snapshot::UnpackOptions o;
  o.parallel = parallel;
  o.extract.preserve_owners = false;
  auto t0 = std::chrono::steady_clock::now();
  auto r = store->unpack(blobs, layers, o);
  auto t1 = std::chrono::steady_clock::now();
  if (!r) {
    std::fprintf(stderr, "unpack: %s\n", r.error().message().c_str());
    std::exit(1);
  }
  return std::chrono::duration<double, std::milli>(t1 - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 8;
  int files = argc > 2 ? std::atoi(argv[2]) : 2000;
  int kib = argc > 3 ? std::atoi(argv[3]) : 16;
  std::string base =
      std::string(argc > 4 ? argv[4] : "/tmp") + "/hako-unpack-bench-" + std::to_string(::getpid());
  auto blobs = content::Store::open(base + "/content");
  if (!blobs) return 1;
  std::vector<snapshot::LayerToUnpack> layers;
  std::optional<oci::Digest> parent;
  for (int i = 0; i < n; ++i) {
    std::string plain = layer(i, files, kib, archive::testing::Compression::kNone);
    std::string gz = layer(i, files, kib, archive::testing::Compression::kGzip);
    oci::Digest diff = content::Sha256::of(plain);
    auto blob = blobs->ingest_bytes(gz);
    if (!blob) return 1;
    layers.push_back({*blob, diff, snapshot::chain_id(parent, diff), parent});
    parent = layers.back().chain_id;
  }
  // Alternating, best of three each: the syncfs of one run must not be billed to the next.
  double seq = 1e99, par = 1e99;
  for (int round = 0; round < 3; ++round) {
    std::string r = std::to_string(round);
    seq = std::min(seq, run(base + "/seq" + r, *blobs, layers, 1));
    par = std::min(par, run(base + "/par" + r, *blobs, layers, static_cast<unsigned>(n)));
    (void)sys::remove_all(base + "/seq" + r);
    (void)sys::remove_all(base + "/par" + r);
  }
  std::printf(
      "%d layers x %d files x %d KiB (gzip), %u CPUs: sequential %.0f ms, parallel %.0f ms,"
      " speed-up %.2fx\n",
      n, files, kib, std::thread::hardware_concurrency(), seq, par, seq / par);
  (void)sys::remove_all(base);
  return 0;
}
