#include "image/metadata.h"

#include <ctime>

namespace hako::image {
namespace {

// Migrations, applied in order once each (db::Database::open). Never edit a landed entry:
// append a new one.
const std::vector<std::string>& schema() {
  static const std::vector<std::string> kSchema = {
      R"sql(
CREATE TABLE images (
  id TEXT PRIMARY KEY,
  manifest TEXT NOT NULL,
  manifest_media_type TEXT NOT NULL,
  created TEXT NOT NULL,
  size INTEGER NOT NULL,
  added INTEGER NOT NULL
);
CREATE TABLE image_layers (
  image TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  diff_id TEXT NOT NULL,
  chain_id TEXT NOT NULL,
  blob TEXT NOT NULL,
  media_type TEXT NOT NULL,
  blob_size INTEGER NOT NULL,
  size INTEGER NOT NULL,
  PRIMARY KEY (image, position)
);
CREATE INDEX image_layers_chain ON image_layers(chain_id);
CREATE TABLE refs (
  name TEXT PRIMARY KEY,
  image TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE
);
CREATE INDEX refs_image ON refs(image);
)sql",
      // Containers hold their image: an image a container uses can not be deleted (the
      // foreign key refuses it even if a check were missed). The engine adds its own columns.
      R"sql(
CREATE TABLE containers (
  id TEXT PRIMARY KEY,
  name TEXT UNIQUE,
  image TEXT NOT NULL REFERENCES images(id)
);
CREATE INDEX containers_image ON containers(image);
)sql",
      // The engine's columns: a container's definition (Docker's create body plus what hako
      // resolved: engine/container.h) and its creation time. Its live state is not here but
      // in the shim's state file under --state.
      R"sql(
ALTER TABLE containers ADD COLUMN created INTEGER NOT NULL DEFAULT 0;
ALTER TABLE containers ADD COLUMN config TEXT NOT NULL DEFAULT '{}';
CREATE TABLE volumes (
  name TEXT PRIMARY KEY,
  driver TEXT NOT NULL DEFAULT 'local',
  created INTEGER NOT NULL,
  labels TEXT NOT NULL DEFAULT '{}',
  options TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE container_volumes (
  container TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
  volume TEXT NOT NULL REFERENCES volumes(name),
  PRIMARY KEY (container, volume)
);
CREATE INDEX container_volumes_volume ON container_volumes(volume);
)sql",
  };
  return kSchema;
}

Result<oci::Digest> column_digest(const db::Statement& st, int col) {
  auto d = oci::Digest::parse(st.column_text(col));
  if (!d) return std::move(d).error().context("hako.db is damaged (run hako system check)");
  return d;
}

// A reference points at one image: setting it again moves it.
constexpr std::string_view kUpsertRef =
    "INSERT INTO refs(name, image) VALUES (?, ?) "
    "ON CONFLICT(name) DO UPDATE SET image = excluded.image";

// The first column of every remaining row, as text.
Result<std::vector<std::string>> column_texts(db::Statement& st) {
  std::vector<std::string> out;
  for (;;) {
    HAKO_TRY_ASSIGN(bool row, st.step());
    if (!row) break;
    out.push_back(st.column_text(0));
  }
  return out;
}

// The first column of every remaining row, as digests.
Result<std::set<oci::Digest>> column_digests(db::Statement& st) {
  std::set<oci::Digest> out;
  for (;;) {
    HAKO_TRY_ASSIGN(bool row, st.step());
    if (!row) break;
    HAKO_TRY_ASSIGN(auto d, column_digest(st, 0));
    out.insert(std::move(d));
  }
  return out;
}

}  // namespace

Result<Metadata> Metadata::open(const std::string& db_path) {
  HAKO_TRY_ASSIGN(db::Database db, db::Database::open(db_path, schema()));
  return Metadata(std::move(db));
}

Status Metadata::add_image(const ImageRecord& image, const std::vector<std::string>& refs) {
  HAKO_TRY_ASSIGN(auto tx, db_.begin());
  HAKO_TRY_ASSIGN(auto ins, db_.prepare("INSERT OR IGNORE INTO images(id, manifest, "
                                        "manifest_media_type, created, size, added) "
                                        "VALUES (?, ?, ?, ?, ?, ?)"));
  int64_t added = image.added ? image.added : static_cast<int64_t>(::time(nullptr));
  HAKO_TRY(ins.bind(1, image.id.to_string())
               .bind(2, image.manifest.to_string())
               .bind(3, image.manifest_media_type)
               .bind(4, image.created)
               .bind(5, image.size)
               .bind(6, added)
               .run());
  if (db_.changes() > 0) {
    HAKO_TRY_ASSIGN(auto lay, db_.prepare("INSERT INTO image_layers(image, position, diff_id, "
                                          "chain_id, blob, media_type, blob_size, size) "
                                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    for (size_t i = 0; i < image.layers.size(); ++i) {
      const LayerRecord& l = image.layers[i];
      HAKO_TRY(lay.bind(1, image.id.to_string())
                   .bind(2, static_cast<int64_t>(i))
                   .bind(3, l.diff_id.to_string())
                   .bind(4, l.chain_id.to_string())
                   .bind(5, l.blob.to_string())
                   .bind(6, l.media_type)
                   .bind(7, l.blob_size)
                   .bind(8, l.size)
                   .run());
    }
  }
  HAKO_TRY_ASSIGN(auto ref, db_.prepare(kUpsertRef));
  for (const auto& r : refs) HAKO_TRY(ref.bind(1, r).bind(2, image.id.to_string()).run());
  return tx.commit();
}

Result<std::vector<LayerRecord>> Metadata::layers_of(const oci::Digest& id) {
  HAKO_TRY_ASSIGN(auto st, db_.prepare("SELECT diff_id, chain_id, blob, media_type, blob_size, "
                                       "size FROM image_layers WHERE image = ? ORDER BY position"));
  st.bind(1, id.to_string());
  std::vector<LayerRecord> out;
  for (;;) {
    HAKO_TRY_ASSIGN(bool row, st.step());
    if (!row) break;
    LayerRecord l;
    HAKO_TRY_ASSIGN(l.diff_id, column_digest(st, 0));
    HAKO_TRY_ASSIGN(l.chain_id, column_digest(st, 1));
    HAKO_TRY_ASSIGN(l.blob, column_digest(st, 2));
    l.media_type = st.column_text(3);
    l.blob_size = st.column_int(4);
    l.size = st.column_int(5);
    out.push_back(std::move(l));
  }
  return out;
}

Result<std::vector<ImageRecord>> Metadata::select_images(const std::string& where,
                                                         const std::string& arg) {
  HAKO_TRY_ASSIGN(auto st, db_.prepare("SELECT id, manifest, manifest_media_type, created, size, "
                                       "added FROM images " +
                                       where + " ORDER BY added DESC, id"));
  if (!arg.empty()) st.bind(1, arg);
  std::vector<ImageRecord> out;
  for (;;) {
    HAKO_TRY_ASSIGN(bool row, st.step());
    if (!row) break;
    ImageRecord r;
    HAKO_TRY_ASSIGN(r.id, column_digest(st, 0));
    HAKO_TRY_ASSIGN(r.manifest, column_digest(st, 1));
    r.manifest_media_type = st.column_text(2);
    r.created = st.column_text(3);
    r.size = st.column_int(4);
    r.added = st.column_int(5);
    out.push_back(std::move(r));
  }
  for (auto& r : out) {
    HAKO_TRY_ASSIGN(r.layers, layers_of(r.id));
  }
  return out;
}

Result<std::optional<ImageRecord>> Metadata::find_image(const oci::Digest& id) {
  HAKO_TRY_ASSIGN(auto rows, select_images("WHERE id = ?", id.to_string()));
  if (rows.empty()) return std::optional<ImageRecord>();
  return std::optional<ImageRecord>(std::move(rows.front()));
}

Result<std::vector<oci::Digest>> Metadata::find_ids_by_prefix(const std::string& hex_prefix) {
  for (char c : hex_prefix)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::vector<oci::Digest>();
  HAKO_TRY_ASSIGN(auto st, db_.prepare("SELECT id FROM images WHERE substr(id, 8, ?) = ?"));
  st.bind(1, static_cast<int64_t>(hex_prefix.size())).bind(2, hex_prefix);
  HAKO_TRY_ASSIGN(auto ids, column_digests(st));
  return std::vector<oci::Digest>(ids.begin(), ids.end());
}

Result<std::vector<ImageRecord>> Metadata::list_images() { return select_images("", ""); }

Result<std::optional<oci::Digest>> Metadata::find_ref(const std::string& name) {
  HAKO_TRY_ASSIGN(auto st, db_.prepare("SELECT image FROM refs WHERE name = ?"));
  st.bind(1, name);
  HAKO_TRY_ASSIGN(bool row, st.step());
  if (!row) return std::optional<oci::Digest>();
  HAKO_TRY_ASSIGN(auto d, column_digest(st, 0));
  return std::optional<oci::Digest>(std::move(d));
}

Result<std::vector<RefRecord>> Metadata::list_refs() {
  HAKO_TRY_ASSIGN(auto st, db_.prepare("SELECT name, image FROM refs ORDER BY name"));
  std::vector<RefRecord> out;
  for (;;) {
    HAKO_TRY_ASSIGN(bool row, st.step());
    if (!row) break;
    RefRecord r;
    r.name = st.column_text(0);
    HAKO_TRY_ASSIGN(r.image, column_digest(st, 1));
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<std::string>> Metadata::refs_of(const oci::Digest& image) {
  HAKO_TRY_ASSIGN(auto st, db_.prepare("SELECT name FROM refs WHERE image = ? ORDER BY name"));
  st.bind(1, image.to_string());
  return column_texts(st);
}

Status Metadata::set_ref(const std::string& name, const oci::Digest& image) {
  HAKO_TRY_ASSIGN(auto st, db_.prepare(kUpsertRef));
  auto s = st.bind(1, name).bind(2, image.to_string()).run();
  if (!s) return std::move(s).error().context("tag " + name);
  return ok();
}

Result<bool> Metadata::remove_ref(const std::string& name) {
  HAKO_TRY_ASSIGN(auto st, db_.prepare("DELETE FROM refs WHERE name = ?"));
  HAKO_TRY(st.bind(1, name).run());
  return db_.changes() > 0;
}

Result<std::vector<std::string>> Metadata::containers_using(const oci::Digest& image) {
  HAKO_TRY_ASSIGN(auto st, db_.prepare("SELECT id FROM containers WHERE image = ? ORDER BY id"));
  st.bind(1, image.to_string());
  return column_texts(st);
}

Status Metadata::remove_image(const oci::Digest& id) {
  HAKO_TRY_ASSIGN(auto tx, db_.begin());
  HAKO_TRY_ASSIGN(auto st, db_.prepare("DELETE FROM images WHERE id = ?"));
  HAKO_TRY(st.bind(1, id.to_string()).run());
  return tx.commit();
}

Status Metadata::check_integrity() {
  HAKO_TRY_ASSIGN(auto st, db_.prepare("PRAGMA integrity_check"));
  HAKO_TRY_ASSIGN(bool row, st.step());
  if (row && st.column_text(0) != "ok")
    return internal_error("hako.db is damaged: " + st.column_text(0) +
                          "; restore it from a backup or remove the store");
  return ok();
}

Result<std::set<oci::Digest>> Metadata::live_chain_ids() {
  HAKO_TRY_ASSIGN(auto st, db_.prepare("SELECT DISTINCT chain_id FROM image_layers"));
  return column_digests(st);
}

Result<std::set<oci::Digest>> Metadata::live_blobs() {
  HAKO_TRY_ASSIGN(auto st, db_.prepare("SELECT id FROM images UNION SELECT manifest FROM images "
                                       "UNION SELECT blob FROM image_layers"));
  return column_digests(st);
}

}  // namespace hako::image
