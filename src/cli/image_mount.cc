// hako image mount IMAGE / hako image unmount IMAGE: the image's layers as a read-only
// overlay under <state>/mounts/<id>/merged, as `podman image mount` does; for running an
// image with hako-runtime directly until the engine does it.
#include <sys/mount.h>

#include "cli/commands.h"
#include "snapshot/overlay.h"
#include "sys/file.h"
#include "sys/mount.h"

namespace hako::cli {
namespace {

std::string mount_point(const Context& ctx, const oci::Digest& id) {
  return ctx.state + "/mounts/" + std::string(id.hex()) + "/merged";
}

Status mount_image(Context& ctx, const std::string& name) {
  HAKO_TRY_ASSIGN(auto store, ctx.open_store());
  HAKO_TRY_ASSIGN(auto rec, store.resolve(name));
  std::string target = mount_point(ctx, rec.id);
  if (!sys::is_mount_point(target)) {
    if (rec.layers.empty()) return failed_precondition("image " + name + " has no layers");
    HAKO_TRY_ASSIGN(auto lowers, store.layers().lower_dirs(rec.layers.back().chain_id));
    HAKO_TRY(sys::make_dirs(target, 0700));
    HAKO_TRY_ASSIGN(auto guard,
                    snapshot::mount_overlay(lowers, std::nullopt, std::nullopt, target));
    guard.release();
  }
  return print(ctx.out, target + "\n");
}

Status unmount_image(Context& ctx, const std::string& name) {
  HAKO_TRY_ASSIGN(auto store, ctx.open_store());
  HAKO_TRY_ASSIGN(auto rec, store.resolve(name));
  std::string target = mount_point(ctx, rec.id);
  if (!sys::is_mount_point(target)) return failed_precondition("image " + name + " is not mounted");
  if (::umount2(target.c_str(), MNT_DETACH) != 0) return sys_error("unmount " + target);
  (void)sys::remove_all(ctx.state + "/mounts/" + std::string(rec.id.hex()));
  return print(ctx.out, rec.id.to_string() + "\n");
}

}  // namespace

void add_image_mount(CLI::App& parent, Context& ctx) {
  auto name = std::make_shared<std::string>();
  CLI::App* mount = parent.add_subcommand("mount", "Mount an image's root file system read-only");
  mount->add_option("image", *name, "IMAGE")->required();
  mount->callback([&ctx, name] { ctx.status = mount_image(ctx, *name); });
  auto uname = std::make_shared<std::string>();
  CLI::App* umount = parent.add_subcommand("unmount", "Unmount an image mounted by image mount");
  umount->alias("umount");
  umount->add_option("image", *uname, "IMAGE")->required();
  umount->callback([&ctx, uname] { ctx.status = unmount_image(ctx, *uname); });
}

}  // namespace hako::cli
