#include "engine/container_events.h"

#include <signal.h>

#include "shim/event_log.h"
#include "sys/process.h"

namespace hako::engine {
namespace {

const json::Value& member(const json::Value& v, const char* key) {
  static const json::Value kNull;
  if (!v.is_object()) return kNull;
  auto it = v.find(key);
  return it == v.end() ? kNull : *it;
}

}  // namespace

std::map<std::string, std::string> event_attributes(const ContainerRecord& c) {
  std::map<std::string, std::string> attrs;
  const json::Value& labels = member(member(c.definition, "Config"), "Labels");
  if (labels.is_object())
    for (auto it = labels.begin(); it != labels.end(); ++it)
      if (it.value().is_string()) attrs[it.key()] = it.value().get<std::string>();
  // Docker sets these after the labels: a label named "name" does not hide the name.
  const json::Value& image = member(c.definition, "ImageName");
  attrs["image"] = image.is_string() ? image.get<std::string>() : c.image;
  attrs["name"] = c.name;
  return attrs;
}

void record_event(const std::string& root, std::string_view type, std::string_view action,
                  std::string_view id, const std::map<std::string, std::string>& attributes) {
  (void)shim::append_event(root,
                           shim::make_event(type, action, id, attributes, shim::event_now_ns()));
}

void record_image_event(const std::string& root, image::ImageStore& store, std::string_view action,
                        const std::string& id, const std::string& name) {
  std::map<std::string, std::string> attrs;
  // Gone already for a "delete": then only the name, as dockerd.
  if (auto rec = store.resolve(id)) {
    if (auto loaded = store.load(*rec); loaded && loaded->config.config)
      attrs = loaded->config.config->labels;
  }
  attrs["name"] = name;
  record_event(root, "image", action, id, attrs);
}

void record_container_event(const std::string& root, const ContainerRecord& c,
                            std::string_view action,
                            const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> attrs = event_attributes(c);
  for (const auto& [k, v] : extra) attrs[k] = v;
  (void)shim::append_event(root, shim::container_event(action, c.id, attrs));
}

void record_stop_signal(const std::string& root, const ContainerRecord& c, int timeout) {
  int sig = SIGTERM;
  const json::Value& configured = member(member(c.definition, "Config"), "StopSignal");
  if (configured.is_string()) {
    auto parsed = sys::parse_signal(configured.get<std::string>());
    if (parsed) sig = *parsed;
  }
  if (timeout == 0) sig = SIGKILL;
  record_container_event(root, c, "kill", {{"signal", std::to_string(sig)}});
}

}  // namespace hako::engine
