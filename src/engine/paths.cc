#include "engine/paths.h"

namespace hako::engine {

ContainerPaths::ContainerPaths(const std::string& root, const std::string& state,
                               const std::string& id)
    : dir(root + "/containers/" + id), run_dir(state + "/containers/" + id) {}

std::string runtime_root(const std::string& state) { return state + "/runtime"; }
std::string volumes_dir(const std::string& root) { return root + "/volumes"; }

}  // namespace hako::engine
