// hako-spec-tool: build_spec from files, for the black-box check in spec_run.sh (and for
// comparing hako's config.json with dockerd's by hand).
//   hako-spec-tool CREATE.json IMAGE_CONFIG.json ROOTFS CONTAINER_DIR ID [INIT_PATH]
// IMAGE_CONFIG.json is the image config's "config" object. Named and anonymous volumes become
// directories under CONTAINER_DIR/volumes. Prints config.json on stdout.
#include <cstdio>
#include <iostream>

#include "engine/spec_builder.h"
#include "json/reader.h"
#include "sys/file.h"

int main(int argc, char** argv) {
  using namespace hako;
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s CREATE.json IMAGE_CONFIG.json ROOTFS CONTAINER_DIR ID [INIT]\n",
                 argv[0]);
    return 2;
  }
  auto fail = [](const Error& e) {
    std::fprintf(stderr, "hako-spec-tool: %s\n", e.message().c_str());
    return 1;
  };
  auto create_text = sys::read_file(argv[1]);
  if (!create_text) return fail(create_text.error());
  auto image_text = sys::read_file(argv[2]);
  if (!image_text) return fail(image_text.error());
  auto create = json::parse(*create_text, argv[1]);
  if (!create) return fail(create.error());
  auto image = json::parse(*image_text, argv[2]);
  if (!image) return fail(image.error());
  std::string container_dir = argv[4];
  engine::SpecInputs in{*create, *image};
  in.rootfs = argv[3];
  in.container_dir = container_dir;
  in.id = argv[5];
  in.name = in.id.substr(0, 12);
  if (argc > 6) in.init_path = argv[6];
  in.volume_source = [&](const std::string& name, const std::string&) -> Result<std::string> {
    std::string dir = container_dir + "/volumes/" + name;
    HAKO_TRY(sys::make_dirs(dir));
    return dir;
  };
  auto spec = engine::build_spec(in);
  if (!spec) return fail(spec.error());
  std::cout << spec->dump(2) << "\n";
  return 0;
}
