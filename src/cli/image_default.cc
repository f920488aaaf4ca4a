// hako image default [REFERENCE]: busybox:latest from the host's busybox-static.
#include "cli/commands.h"
#include "image/default_image.h"

namespace hako::cli {

void add_image_default(CLI::App& parent, Context& ctx) {
  auto busybox = std::make_shared<std::string>(image::kDefaultBusybox);
  auto name = std::make_shared<std::string>("busybox:latest");
  CLI::App* cmd = parent.add_subcommand(
      "default", "Create the default image (busybox:latest) from the host's static busybox");
  cmd->add_option("--busybox", *busybox, "The static busybox binary to use")->capture_default_str();
  cmd->add_option("reference", *name, "The name to give it")->capture_default_str();
  cmd->callback([&ctx, busybox, name] {
    ctx.status = [&]() -> Status {
      HAKO_TRY_ASSIGN(auto ref, oci::parse_reference(*name));
      HAKO_TRY_ASSIGN(auto store, ctx.open_store());
      HAKO_TRY_ASSIGN(auto rec, image::create_default_image(store, *busybox, ref.to_string()));
      return print(ctx.out, rec.id.to_string() + "\n");
    }();
  });
}

}  // namespace hako::cli
