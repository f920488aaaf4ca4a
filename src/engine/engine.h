// Engine: the verbs behind `hako run/create/start/stop/kill/rm/wait` over one store (--root)
// and one state directory (--state). Creating writes the container's row, directories and
// OCI spec; starting mounts its rootfs and hands the container to a new hako-shim, which owns
// it (and the mount) from then on; the other verbs talk to that shim over its socket, or act
// on the processes directly when the shim is gone.
//
// Ownership: an Engine owns its ImageStore (and so the database connection). One thread.
#pragma once

#include <optional>
#include <string>

#include "base/result.h"
#include "base/unique_fd.h"
#include "engine/containers.h"
#include "engine/live_state.h"
#include "engine/paths.h"
#include "image/store.h"
#include "json/reader.h"
#include "snapshot/overlay.h"

namespace hako::engine {

struct Executables {
  std::string hako;  // for the shim's --rm clean-up
  std::string shim;
  std::string init;  // "" when not found: --init fails
};

// Beside the running hako (the install dir, or the build tree's src/cmd/<name>/<name>),
// else $HAKO_SHIM / $HAKO_INIT, else /usr/libexec/hako/.
Executables find_executables();

struct Created {
  ContainerRecord record;
  snapshot::MountGuard rootfs;  // still mounted when create() was asked to keep it
};

// What a start that failed reports: Docker's exit code for it (125, or 126/127 when the
// command could not be executed) and the message.
struct StartFailure {
  int code = 125;
};

class Engine {
 public:
  static Result<Engine> open(std::string root, std::string state, Executables exe);

  image::ImageStore& images() { return images_; }
  ContainerStore containers() { return ContainerStore(images_.metadata().database()); }
  const std::string& root() const { return root_; }
  const std::string& state() const { return state_; }
  ContainerPaths paths(const std::string& id) const { return ContainerPaths(root_, state_, id); }

  // body: Docker's create body ("Image" names the image, already in the store).
  Result<Created> create(const json::Value& body, const std::string& name, bool keep_mounted);

  // Starts the container under a new shim. first: the first request on the returned
  // connection (kAttach's payload), or nullopt to detach. On failure *failure (if given)
  // gets the exit code Docker would use.
  Result<UniqueFd> start(const ContainerRecord& c, std::optional<json::Value> first,
                         snapshot::MountGuard rootfs = {}, StartFailure* failure = nullptr);

  LiveState state_of(const std::string& id) const;
  Result<UniqueFd> connect(const std::string& id) const;

  // timeout < 0: the container's own (StopTimeout, else 10 s).
  Status stop(const ContainerRecord& c, int timeout);
  Status kill(const ContainerRecord& c, int signal);
  // The exit code once the container is not running.
  Result<int> wait(const ContainerRecord& c);
  Status remove(const ContainerRecord& c, bool force, bool volumes);
  // The overlay of the image's layers and the container's upper dir at its rootfs/.
  Result<snapshot::MountGuard> mount_rootfs(const ContainerRecord& c);

 private:
  Engine(std::string root, std::string state, Executables exe, image::ImageStore images)
      : root_(std::move(root)),
        state_(std::move(state)),
        exe_(std::move(exe)),
        images_(std::move(images)) {}
  Status cleanup_without_shim(const ContainerRecord& c, int exit_code);

  std::string root_, state_;
  Executables exe_;
  image::ImageStore images_;
};

}  // namespace hako::engine
