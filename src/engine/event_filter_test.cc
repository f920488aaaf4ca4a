#include "engine/event_filter.h"

#include <gtest/gtest.h>

#include "shim/event_log.h"

namespace hako::engine {
namespace {

json::Value container(const std::string& action, const std::string& id, const std::string& name,
                      const std::string& image = "busybox",
                      std::map<std::string, std::string> labels = {}) {
  labels["name"] = name;
  labels["image"] = image;
  return shim::make_event("container", action, id, labels, 1);
}

bool match(const std::vector<std::string>& args, const json::Value& ev) {
  auto f = EventFilter::parse(args);
  EXPECT_TRUE(f.has_value()) << (f ? "" : f.error().message());
  return f && f->matches(ev);
}

TEST(EventFilter, RejectsBadFilters) {
  EXPECT_FALSE(EventFilter::parse({"container"}).has_value());
  auto f = EventFilter::parse({"colour=red"});
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(f.error().message(), "invalid filter 'colour'");
}

TEST(EventFilter, ContainerByIdPrefixOrName) {
  json::Value ev = container("start", "abcdef123", "web");
  EXPECT_TRUE(match({}, ev));
  EXPECT_TRUE(match({"container=abc"}, ev));
  EXPECT_TRUE(match({"container=web"}, ev));
  EXPECT_FALSE(match({"container=db"}, ev));
  EXPECT_TRUE(match({"container=db", "container=web"}, ev));  // same key: OR
  json::Value img = shim::make_event("image", "tag", "sha256:abc", {{"name", "web:1"}}, 1);
  EXPECT_FALSE(match({"container=web"}, img));
}

TEST(EventFilter, DifferentKeysAnd) {
  json::Value ev = container("die", "abc", "web");
  EXPECT_TRUE(match({"container=web", "event=die"}, ev));
  EXPECT_FALSE(match({"container=web", "event=start"}, ev));
  EXPECT_TRUE(match({"event=start", "event=die", "type=container"}, ev));
  EXPECT_FALSE(match({"type=image"}, ev));
  EXPECT_TRUE(match({"type=image", "type=container"}, ev));
  EXPECT_TRUE(match({"scope=local"}, ev));
  EXPECT_FALSE(match({"scope=swarm"}, ev));
}

TEST(EventFilter, EventIsExactExceptDetailedActions) {
  EXPECT_FALSE(match({"event=sta"}, container("start", "a", "w")));
  json::Value exec = container("exec_start: sh -c true", "a", "w");
  EXPECT_TRUE(match({"event=exec_start"}, exec));
  EXPECT_TRUE(match({"event=exec_start: sh -c true"}, exec));
  EXPECT_TRUE(match({"event=health_status"}, container("health_status: healthy", "a", "w")));
}

TEST(EventFilter, ImageWithOrWithoutTag) {
  json::Value ev = container("create", "a", "w", "docker.io/library/busybox:1.36");
  EXPECT_TRUE(match({"image=busybox"}, ev));
  EXPECT_TRUE(match({"image=docker.io/library/busybox:1.36"}, ev));
  EXPECT_FALSE(match({"image=alpine"}, ev));
  json::Value reg = container("create", "a", "w", "localhost:5000/app:2");
  EXPECT_TRUE(match({"image=localhost:5000/app"}, reg));
  json::Value img = shim::make_event("image", "tag", "sha256:abc", {{"name", "web:1"}}, 1);
  EXPECT_TRUE(match({"image=web"}, img));
  EXPECT_TRUE(match({"image=sha256:abc"}, img));
}

TEST(EventFilter, LabelsMustAllMatch) {
  json::Value ev = container("start", "a", "w", "busybox", {{"tier", "db"}, {"env", "prod"}});
  EXPECT_TRUE(match({"label=tier"}, ev));
  EXPECT_TRUE(match({"label=tier=db"}, ev));
  EXPECT_TRUE(match({"label=tier=db", "label=env=prod"}, ev));
  EXPECT_FALSE(match({"label=tier=db", "label=env=dev"}, ev));
  EXPECT_FALSE(match({"label=other"}, ev));
}

TEST(EventFilter, VolumeEvents) {
  json::Value v = shim::make_event("volume", "create", "data", {{"driver", "local"}}, 1);
  EXPECT_TRUE(match({"volume=data", "type=volume"}, v));
  EXPECT_FALSE(match({"volume=other"}, v));
  EXPECT_FALSE(match({"container=data"}, v));
}

}  // namespace
}  // namespace hako::engine
