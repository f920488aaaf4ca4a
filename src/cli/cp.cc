// hako cp [-a] [-L] CONTAINER:SRC DEST|-  and  hako cp [-a] [-L] SRC|- CONTAINER:DEST
// Docker's argument rules (an absolute path or one starting with "." is local, else NAME:PATH
// names a container; container paths are relative to its "/"), errors as Docker's CLI prints
// them. The work is engine/copy.h; the container's root is engine/container_fs.h.
#include <unistd.h>

#include <memory>

#include "archive/reader.h"
#include "cli/commands.h"
#include "cli/engine_access.h"
#include "engine/container_events.h"
#include "engine/container_fs.h"
#include "engine/copy.h"
#include "engine/userns_remap.h"

namespace hako::cli {
namespace {

struct CpArg {
  std::string container;  // empty: local
  std::string path;
};

CpArg split_cp_arg(const std::string& arg) {
  if (arg.starts_with("/")) return {"", arg};
  size_t colon = arg.find(':');
  if (colon == std::string::npos || arg.starts_with(".")) return {"", arg};
  CpArg a{arg.substr(0, colon), arg.substr(colon + 1)};
  if (!a.path.starts_with("/")) a.path = "/" + a.path;
  return a;
}

}  // namespace

void add_cp(CLI::App& parent, Context& ctx) {
  struct Options {
    bool archive = false;
    bool follow = false;
    bool quiet = false;
    std::string src, dst;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = parent.add_subcommand(
      "cp", "Copy files/folders between a container and the local filesystem");
  cmd->add_flag("-a,--archive", o->archive, "Archive mode (copy all uid/gid information)");
  cmd->add_flag("-L,--follow-link", o->follow, "Always follow symbol link in SRC_PATH");
  cmd->add_flag("-q,--quiet", o->quiet, "Suppress progress output during copy");
  cmd->add_option("src", o->src, "CONTAINER:SRC_PATH or SRC_PATH|-")->required();
  cmd->add_option("dst", o->dst, "DEST_PATH|- or CONTAINER:DEST_PATH")->required();
  cmd->callback([&ctx, o] {
    bool reported = false;
    Status st = [&]() -> Status {
      CpArg src = split_cp_arg(o->src), dst = split_cp_arg(o->dst);
      if (!src.container.empty() && !dst.container.empty())
        return invalid_argument("copying between containers is not supported");
      if (src.container.empty() && dst.container.empty())
        return invalid_argument("must specify at least one container source");
      HAKO_TRY_ASSIGN(engine::Engine eng, open_engine(ctx));
      const std::string& name = src.container.empty() ? dst.container : src.container;
      auto c = eng.containers().resolve(name);
      if (!c) {
        (void)print(ctx.err, "Error response from daemon: " + c.error().message() + "\n");
        reported = true;
        return std::move(c).error();
      }
      HAKO_TRY_ASSIGN(engine::ContainerRoot root, engine::ContainerRoot::open(eng, *c));
      engine::CopyOptions opts{o->archive, o->follow};
      auto end = [&](const CpArg& a) {
        if (a.container.empty()) return engine::CopyEnd{-1, a.path, a.path};
        return engine::CopyEnd{root.fd(), a.path, a.container + ":" + a.path,
                               engine::remap_of_definition(c->definition)};
      };
      Status copied = [&]() -> Status {
        if (!src.container.empty() && dst.path == "-") {
          std::fflush(ctx.out);
          archive::FdWriter out(::fileno(ctx.out));
          return engine::copy_to_tar(end(src), opts, out);
        }
        if (src.path == "-") {
          archive::FdReader in(STDIN_FILENO);
          return engine::copy_from_tar(in, end(dst), opts);
        }
        return engine::copy_path(end(src), end(dst), opts);
      }();
      // dockerd's events of its archive endpoints: GET (out of the container), PUT (into it).
      if (copied)
        engine::record_container_event(eng.root(), *c,
                                       src.container.empty() ? "extract-to-dir" : "archive-path");
      return copied;
    }();
    if (!st && !reported) (void)print(ctx.err, "Error: " + st.error().message() + "\n");
    ctx.status = st ? ok() : Status(Error(st.error().code(), ""));
  });
}

}  // namespace hako::cli
