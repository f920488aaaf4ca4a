#include "image/import.h"

#include <time.h>
#include <unistd.h>

#include <cstring>
#include <memory>

#include "base/unique_fd.h"
#include "image/change.h"
#include "image/spool.h"
#include "oci/platform.h"
#include "oci/reference.h"
#include "snapshot/layer_reader.h"
#include "sys/file.h"

namespace hako::image {
namespace {

constexpr size_t kChunk = 1 << 20;

struct IngestedLayer {
  oci::Digest diff_id;
  uint64_t size = 0;
};

enum class InputKind { kTar, kGzip, kZstd, kXz, kBzip2 };

InputKind sniff(std::string_view head) {
  auto has = [&](std::string_view magic) { return head.substr(0, magic.size()) == magic; };
  if (has("\x1f\x8b")) return InputKind::kGzip;
  if (has("\x28\xb5\x2f\xfd")) return InputKind::kZstd;
  if (has(std::string_view("\xfd"
                           "7zXZ\0",
                           6)))
    return InputKind::kXz;
  if (has("BZh")) return InputKind::kBzip2;
  return InputKind::kTar;
}

// Reads into buf until it holds at least `want` bytes or the input ends.
Status read_head(archive::Reader& in, std::string& buf, size_t want) {
  auto chunk = std::make_unique<char[]>(kChunk);
  while (buf.size() < want) {
    HAKO_TRY_ASSIGN(size_t n, in.read(chunk.get(), kChunk));
    if (n == 0) break;
    buf.append(chunk.get(), n);
  }
  return ok();
}

// Copies the rest of `in` to `sink` after `head`, refusing more than `limit` bytes in all.
template <typename Sink>
Status copy_bounded(archive::Reader& in, std::string_view head, uint64_t limit, Sink&& sink) {
  auto too_big = [&] {
    return invalid_argument("import: the input is larger than " + std::to_string(limit) + " bytes");
  };
  if (head.size() > limit) return too_big();
  HAKO_TRY(sink(head));
  uint64_t total = head.size();
  auto chunk = std::make_unique<char[]>(kChunk);
  for (;;) {
    HAKO_TRY_ASSIGN(size_t n, in.read(chunk.get(), kChunk));
    if (n == 0) return ok();
    total += n;
    if (total > limit) return too_big();
    HAKO_TRY(sink(std::string_view(chunk.get(), n)));
  }
}

Result<IngestedLayer> ingest_layer(ImageStore& store, archive::Reader& in, uint64_t limit) {
  std::string head;
  HAKO_TRY(read_head(in, head, 6));
  if (head.empty()) return invalid_argument("import: the input is empty; give a tar archive");
  InputKind kind = sniff(head);
  if (kind == InputKind::kXz || kind == InputKind::kBzip2)
    return not_implemented(std::string("import: ") + (kind == InputKind::kXz ? "xz" : "bzip2") +
                           "-compressed input is not supported; decompress it first or use "
                           "gzip or zstd");
  HAKO_TRY_ASSIGN(content::Writer w, store.blobs().begin_ingest_unknown(limit));
  if (kind == InputKind::kTar) {
    HAKO_TRY(copy_bounded(in, head, limit, [&](std::string_view d) { return w.write(d); }));
  } else {
    HAKO_TRY_ASSIGN(UniqueFd spool, open_spool(store.root()));
    HAKO_TRY(copy_bounded(in, head, limit, [&](std::string_view d) {
      return sys::write_all(spool.get(), d, "write the import spool file");
    }));
    if (::lseek(spool.get(), 0, SEEK_SET) != 0) return sys_error("rewind the import spool file");
    snapshot::LayerReader reader(spool.get());
    auto chunk = std::make_unique<char[]>(kChunk);
    for (;;) {
      auto n = reader.read(chunk.get(), kChunk);
      if (!n) return std::move(n).error().context("import: decompress the input");
      if (*n == 0) break;
      HAKO_TRY(w.write(std::string_view(chunk.get(), *n)));
    }
  }
  HAKO_TRY_CTX(w.commit(), "import: store the layer");
  return IngestedLayer{w.expected(), w.written()};
}

oci::Platform import_platform(const oci::Platform& want) {
  oci::Platform p = want;
  if (p.os.empty()) p.os = "linux";
  if (p.architecture.empty()) {
    oci::Platform host = oci::host_platform();
    p.architecture = host.architecture;
    p.variant = host.variant;
  }
  return oci::normalize_platform(p);
}

}  // namespace

std::string now_rfc3339_nano() {
  struct timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  ::gmtime_r(&ts.tv_sec, &tm);
  char buf[64];
  size_t n = ::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out(buf, n);
  if (ts.tv_nsec != 0) {
    char frac[16];
    ::snprintf(frac, sizeof frac, ".%09ld", ts.tv_nsec);
    std::string f = frac;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "Z";
}

Result<ImageRecord> import_rootfs(ImageStore& store, archive::Reader& input,
                                  const ImportOptions& opts) {
  std::vector<std::string> refs;
  if (opts.reference) {
    HAKO_TRY_ASSIGN(oci::Reference ref, oci::parse_reference(*opts.reference));
    if (ref.digest)
      return invalid_argument("import: reference " + *opts.reference +
                              " contains a digest; give name[:tag]");
    refs.push_back(ref.to_string());
  }
  oci::RunDefaults run;
  for (const auto& change : opts.changes) HAKO_TRY(apply_change(run, change));
  oci::Platform platform = import_platform(opts.platform);

  HAKO_TRY_ASSIGN(IngestedLayer layer, ingest_layer(store, input, opts.max_bytes));

  oci::ImageConfig config;
  config.created = opts.created.empty() ? now_rfc3339_nano() : opts.created;
  config.os = platform.os;
  config.architecture = platform.architecture;
  config.variant = platform.variant;
  config.config = std::move(run);
  config.rootfs.diff_ids = {layer.diff_id};
  oci::History history;
  history.created = config.created;
  history.comment = opts.message.empty() ? "Imported from " + opts.source : opts.message;
  config.history.push_back(std::move(history));
  std::string config_json = oci::to_json(config);
  HAKO_TRY_ASSIGN(oci::Digest config_digest, store.blobs().ingest_bytes(config_json));

  oci::Manifest manifest;
  manifest.media_type = std::string(oci::kMediaTypeDockerManifest);
  manifest.config.media_type = std::string(oci::kMediaTypeDockerConfig);
  manifest.config.digest = config_digest;
  manifest.config.size = static_cast<int64_t>(config_json.size());
  oci::Descriptor l;
  l.media_type = std::string(oci::kMediaTypeDockerLayer);
  l.digest = layer.diff_id;
  l.size = static_cast<int64_t>(layer.size);
  manifest.layers.push_back(std::move(l));
  HAKO_TRY_ASSIGN(oci::Digest manifest_digest, store.blobs().ingest_bytes(oci::to_json(manifest)));
  return store.add_image(manifest_digest, refs);
}

}  // namespace hako::image
