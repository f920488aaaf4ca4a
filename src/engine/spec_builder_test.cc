#include "engine/spec_builder.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>

#include "engine/docker_defaults.h"
#include "engine/seccomp_json.h"
#include "oci/spec.h"
#include "sys/file.h"

namespace hako::engine {
namespace {

using nlohmann::json;

class SpecBuilderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hako-spec-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    rootfs_ = dir_ + "/rootfs";
    ASSERT_TRUE(sys::make_dirs(rootfs_ + "/etc"));
    ASSERT_TRUE(sys::make_dirs(dir_ + "/ctr"));
    write(rootfs_ + "/etc/passwd",
          "root:x:0:0:root:/root:/bin/sh\nwww:x:33:33::/var/www:/bin/sh\n");
    write(rootfs_ + "/etc/group", "root:x:0:\nwww:x:33:\n");
  }
  void TearDown() override { (void)sys::remove_all(dir_); }

  static void write(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
  }

  Result<json> build(const json& create, const json& image = json::object()) {
    SpecInputs in{create, image};
    in.id = std::string(64, 'a');
    in.id.replace(0, 12, "0123456789ab");
    in.name = "c1";
    in.rootfs = rootfs_;
    in.container_dir = dir_ + "/ctr";
    in.init_path = "/usr/libexec/hako-init";
    in.remap = remap_;
    in.volume_source = [this](const std::string& name, const std::string& target) {
      volumes_.emplace_back(name, target);
      return Result<std::string>(dir_ + "/volumes/" + name);
    };
    auto spec = build_spec(in);
    if (spec) {
      // What the runtime will do with it.
      auto parsed = oci::parse_spec(spec->dump());
      EXPECT_TRUE(parsed) << parsed.error().message();
      if (parsed) {
        auto valid = oci::validate_spec(*parsed);
        EXPECT_TRUE(valid) << valid.error().message();
      }
    }
    return spec;
  }

  static const json* find_mount(const json& spec, const std::string& dst) {
    for (const auto& m : spec["mounts"])
      if (m["destination"] == dst) return &m;
    return nullptr;
  }

  std::string dir_, rootfs_;
  std::vector<std::pair<std::string, std::string>> volumes_;
  std::optional<archive::IdRemap> remap_;
};

TEST(MergeConfig, DockersRules) {
  json image = {{"Env", {"PATH=/img", "A=1"}},
                {"Cmd", {"sh"}},
                {"Entrypoint", {"/ep"}},
                {"WorkingDir", "/w"},
                {"User", "www"},
                {"Labels", {{"a", "img"}, {"b", "img"}}},
                {"Volumes", {{"/data", json::object()}}},
                {"ExposedPorts", {{"80/tcp", json::object()}}},
                {"StopSignal", "SIGQUIT"},
                {"Healthcheck", {{"Test", {"CMD", "true"}}, {"Interval", 5}}}};
  json create = {{"Env", {"A=2", "B=3"}},
                 {"Labels", {{"a", "user"}}},
                 {"Volumes", {{"/v", json::object()}}},
                 {"Healthcheck", {{"Interval", 7}}},
                 {"HostConfig", {{"Privileged", false}}}};
  auto m = merge_config(create, image);
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ((*m)["Env"], json({"A=2", "B=3", "PATH=/img"}));
  EXPECT_EQ((*m)["Cmd"], json({"sh"}));
  EXPECT_EQ((*m)["Entrypoint"], json({"/ep"}));
  EXPECT_EQ((*m)["WorkingDir"], "/w");
  EXPECT_EQ((*m)["User"], "www");
  EXPECT_EQ((*m)["Labels"], json({{"a", "user"}, {"b", "img"}}));
  EXPECT_EQ((*m)["Volumes"].size(), 2u);
  EXPECT_EQ((*m)["StopSignal"], "SIGQUIT");
  EXPECT_EQ((*m)["Healthcheck"]["Interval"], 7);
  EXPECT_EQ((*m)["Healthcheck"]["Test"], json({"CMD", "true"}));
  EXPECT_FALSE(m->contains("HostConfig"));

  // --entrypoint resets the image's Cmd; --entrypoint "" means none at all.
  auto e = merge_config({{"Entrypoint", {"/bin/echo"}}}, image);
  ASSERT_TRUE(e);
  EXPECT_TRUE((*e)["Cmd"].is_null());
  auto none = merge_config({{"Entrypoint", {""}}, {"Cmd", {"ls"}}}, image);
  ASSERT_TRUE(none);
  EXPECT_TRUE((*none)["Entrypoint"].is_null());
  EXPECT_EQ((*none)["Cmd"], json({"ls"}));
  // A Cmd alone keeps the image's Entrypoint.
  auto c = merge_config({{"Cmd", {"x"}}}, image);
  ASSERT_TRUE(c);
  EXPECT_EQ((*c)["Entrypoint"], json({"/ep"}));
  EXPECT_EQ((*c)["Cmd"], json({"x"}));
}

TEST_F(SpecBuilderTest, DockerDefaults) {
  auto spec = build({{"Cmd", {"sleep", "1"}}, {"HostConfig", json::object()}},
                    {{"Env", {"PATH=/usr/bin:/bin"}}});
  ASSERT_TRUE(spec) << spec.error().message();
  const json& s = *spec;
  EXPECT_EQ(s["process"]["args"], json({"sleep", "1"}));
  EXPECT_EQ(s["process"]["env"],
            json({"PATH=/usr/bin:/bin", "HOSTNAME=0123456789ab", "HOME=/root"}));
  EXPECT_EQ(s["process"]["cwd"], "/");
  EXPECT_EQ(s["hostname"], "0123456789ab");
  EXPECT_EQ(s["process"]["capabilities"]["bounding"], json(default_capabilities()));
  EXPECT_EQ(s["process"]["capabilities"]["effective"], json(default_capabilities()));
  EXPECT_FALSE(s["process"]["capabilities"].contains("inheritable"));
  EXPECT_EQ(s["process"]["user"]["additionalGids"], json({0}));
  EXPECT_EQ(s["linux"]["maskedPaths"], json(default_masked_paths()));
  EXPECT_EQ(s["linux"]["readonlyPaths"], json(default_readonly_paths()));
  EXPECT_EQ(s["linux"]["cgroupsPath"],
            "/hako/" + std::string("0123456789ab") + std::string(52, 'a'));
  EXPECT_EQ(s["linux"]["seccomp"]["defaultAction"], "SCMP_ACT_ERRNO");
  EXPECT_FALSE(s["linux"]["seccomp"].contains("archMap"));
  EXPECT_EQ(s["linux"]["sysctl"]["net.ipv4.ip_unprivileged_port_start"], "0");
  EXPECT_EQ(s["linux"]["resources"]["devices"], default_device_rules());
  std::vector<std::string> types;
  for (const auto& n : s["linux"]["namespaces"]) types.push_back(n["type"]);
  EXPECT_EQ(types, (std::vector<std::string>{"mount", "network", "uts", "pid", "ipc"}));
  ASSERT_NE(find_mount(s, "/dev/shm"), nullptr);
  EXPECT_EQ((*find_mount(s, "/dev/shm"))["options"].back(), "size=67108864");
  ASSERT_NE(find_mount(s, "/etc/hosts"), nullptr);
  EXPECT_EQ((*find_mount(s, "/etc/hosts"))["source"], dir_ + "/ctr/hosts");
  auto hosts = sys::read_file(dir_ + "/ctr/hosts");
  ASSERT_TRUE(hosts);
  EXPECT_EQ(hosts->rfind("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n", 0),
            0u);
  EXPECT_EQ(*sys::read_file(dir_ + "/ctr/hostname"), "0123456789ab\n");
}

TEST_F(SpecBuilderTest, UserTtyWorkdirEnv) {
  json create = {{"Cmd", {"sh"}},
                 {"Tty", true},
                 {"User", "www"},
                 {"WorkingDir", "/srv/app"},
                 {"Env", {"FOO=bar", "HOSTNAME=x"}},
                 {"Hostname", "myhost"},
                 {"HostConfig", {{"GroupAdd", {"root"}}, {"ExtraHosts", {"db:10.0.0.2"}}}}};
  auto spec = build(create);
  ASSERT_TRUE(spec) << spec.error().message();
  const json& p = (*spec)["process"];
  EXPECT_EQ(p["terminal"], true);
  EXPECT_EQ(p["user"]["uid"], 33);
  EXPECT_EQ(p["user"]["additionalGids"], json({33, 0}));
  EXPECT_FALSE(p["capabilities"].contains("effective"));
  EXPECT_EQ(p["cwd"], "/srv/app");
  struct stat st;
  ASSERT_EQ(::stat((rootfs_ + "/srv/app").c_str(), &st), 0);
  EXPECT_EQ(p["env"], json({std::string("PATH=") + kDefaultPath, "HOSTNAME=x", "TERM=xterm",
                            "FOO=bar", "HOME=/var/www"}));
  EXPECT_EQ((*spec)["hostname"], "myhost");
  EXPECT_NE(sys::read_file(dir_ + "/ctr/hosts")->find("10.0.0.2\tdb\n"), std::string::npos);
}

TEST_F(SpecBuilderTest, MountsAndVolumes) {
  ASSERT_TRUE(sys::make_dirs(dir_ + "/src"));
  json create = {
      {"Cmd", {"sh"}},
      {"Volumes", {{"/anon", json::object()}}},
      {"HostConfig",
       {{"Binds",
         {dir_ + "/src:/a/b:ro,rshared", "named:/n", dir_ + "/new:/new", dir_ + ":/store"}},
        {"Mounts",
         {{{"Type", "tmpfs"}, {"Target", "/t"}, {"TmpfsOptions", {{"SizeBytes", 1 << 20}}}},
          {{"Type", "bind"},
           {"Source", dir_ + "/src"},
           {"Target", "/a"},
           {"BindOptions", {{"NonRecursive", true}}}}}},
        {"Tmpfs", {{"/run", "rw,exec,size=1m"}}},
        {"ReadonlyRootfs", true},
        {"Init", true},
        {"ShmSize", 1 << 27}}}};
  auto spec = build(create, {{"Volumes", {{"/n", json::object()}, {"/img", json::object()}}}});
  ASSERT_TRUE(spec) << spec.error().message();
  const json& s = *spec;
  EXPECT_EQ(s["root"]["readonly"], true);
  EXPECT_EQ((*find_mount(s, "/a/b"))["options"], json({"rbind", "ro", "rshared"}));
  EXPECT_EQ((*find_mount(s, "/a"))["options"], json({"bind", "rprivate"}));
  // A bind of a directory holding the store is rslave (as dockerd for its root).
  EXPECT_EQ((*find_mount(s, "/store"))["options"], json({"rbind", "rslave"}));
  EXPECT_EQ((*find_mount(s, "/n"))["source"], dir_ + "/volumes/named");
  EXPECT_EQ((*find_mount(s, "/n"))["options"], json({"rbind"}));
  EXPECT_TRUE(sys::exists(dir_ + "/new"));  // -v creates a missing source, as dockerd
  EXPECT_EQ((*find_mount(s, "/t"))["options"],
            json({"noexec", "nosuid", "nodev", "rprivate", "size=1m"}));
  EXPECT_EQ((*find_mount(s, "/run"))["options"],
            json({"nosuid", "nodev", "rprivate", "rw", "exec", "size=1m"}));
  EXPECT_EQ((*find_mount(s, "/etc/hosts"))["options"], json({"rbind", "ro", "rprivate"}));
  EXPECT_EQ((*find_mount(s, "/sbin/hako-init"))["source"], "/usr/libexec/hako-init");
  EXPECT_EQ(s["process"]["args"], json({"/sbin/hako-init", "--", "sh"}));
  EXPECT_EQ((*find_mount(s, "/dev/shm"))["options"].back(), "size=134217728");
  // Anonymous volumes for /anon and /img; /n is covered by the named volume.
  ASSERT_EQ(volumes_.size(), 3u);
  EXPECT_EQ(volumes_[0], (std::pair<std::string, std::string>{"named", "/n"}));
  EXPECT_EQ(volumes_[1].first.size(), 64u);
  // Parents before children.
  size_t a = 0, ab = 0;
  for (size_t i = 0; i < s["mounts"].size(); ++i) {
    if (s["mounts"][i]["destination"] == "/a") a = i;
    if (s["mounts"][i]["destination"] == "/a/b") ab = i;
  }
  EXPECT_LT(a, ab);
}

TEST_F(SpecBuilderTest, ErrorsNameTheField) {
  auto msg = [&](const json& hc) {
    auto r = build({{"Cmd", {"sh"}}, {"HostConfig", hc}});
    return r ? std::string("ok") : r.error().message();
  };
  EXPECT_EQ(
      msg({{"Mounts", {{{"Type", "bind"}, {"Source", "/nonexistent-x"}, {"Target", "/x"}}}}}),
      "invalid mount config for type \"bind\": bind source path does not exist: /nonexistent-x");
  EXPECT_EQ(
      msg({{"Ulimits", {{{"Name", "nofile"}, {"Soft", 2}, {"Hard", 1}}}}}),
      "HostConfig.Ulimits[0]: ulimit soft limit must be less than or equal to hard limit: 2 > 1");
  EXPECT_EQ(msg({{"Sysctls", {{"kernel.foo", "1"}}}}),
            "HostConfig.Sysctls.kernel.foo: sysctl 'kernel.foo=1' is not whitelisted");
  EXPECT_EQ(msg({{"CapAdd", {"FOO"}}}), "HostConfig.CapAdd: unknown capability: \"CAP_FOO\"");
  EXPECT_EQ(msg({{"Binds", {"a:b:c:d"}}}),
            "HostConfig.Binds[0]: invalid volume specification: 'a:b:c:d'");
  EXPECT_EQ(msg({{"Memory", 1000}}), "HostConfig.Memory: Minimum memory limit allowed is 6MB");
  EXPECT_EQ(msg({{"SecurityOpt", {"bogus"}}}),
            "HostConfig.SecurityOpt[0]: invalid --security-opt 1: \"bogus\"");
  EXPECT_EQ(msg({{"Memory", "12x"}}), "HostConfig.Memory: expected integer");
  auto user = build({{"Cmd", {"sh"}}, {"User", "foo"}});
  ASSERT_FALSE(user);
  EXPECT_EQ(user.error().message(), "unable to find user foo: no matching entries in passwd file");
  EXPECT_FALSE(build({{"HostConfig", json::object()}}));  // no command
}

TEST_F(SpecBuilderTest, SecurityOptions) {
  auto spec = build({{"Cmd", {"sh"}},
                     {"HostConfig",
                      {{"CapAdd", {"sys_admin"}},
                       {"CapDrop", {"NET_RAW"}},
                       {"SecurityOpt", {"no-new-privileges", "label=disable", "apparmor=foo"}}}}});
  ASSERT_TRUE(spec) << spec.error().message();
  auto caps = (*spec)["process"]["capabilities"]["bounding"].get<std::vector<std::string>>();
  EXPECT_EQ(caps.back(), "CAP_SYS_ADMIN");
  EXPECT_EQ(std::count(caps.begin(), caps.end(), "CAP_NET_RAW"), 0);
  EXPECT_EQ((*spec)["process"]["noNewPrivileges"], true);
  EXPECT_EQ((*spec)["process"]["apparmorProfile"], "foo");
  // With CAP_SYS_ADMIN, Docker's profile allows mount.
  bool mount_allowed = false;
  for (const auto& sc : (*spec)["linux"]["seccomp"]["syscalls"])
    for (const auto& n : sc["names"])
      if (n == "mount" && sc["action"] == "SCMP_ACT_ALLOW") mount_allowed = true;
  EXPECT_TRUE(mount_allowed);

  auto unconfined =
      build({{"Cmd", {"sh"}}, {"HostConfig", {{"SecurityOpt", {"seccomp=unconfined"}}}}});
  ASSERT_TRUE(unconfined);
  EXPECT_FALSE((*unconfined)["linux"].contains("seccomp"));
  auto inline_profile =
      build({{"Cmd", {"sh"}},
             {"HostConfig", {{"SecurityOpt", {R"(seccomp={"defaultAction":"SCMP_ACT_LOG"})"}}}}});
  ASSERT_TRUE(inline_profile) << inline_profile.error().message();
  EXPECT_EQ((*inline_profile)["linux"]["seccomp"]["defaultAction"], "SCMP_ACT_LOG");

  auto priv = build({{"Cmd", {"sh"}}, {"HostConfig", {{"Privileged", true}}}});
  ASSERT_TRUE(priv) << priv.error().message();
  EXPECT_FALSE((*priv)["linux"].contains("seccomp"));
  EXPECT_FALSE((*priv)["linux"].contains("maskedPaths"));
  EXPECT_GT((*priv)["process"]["capabilities"]["bounding"].size(), 14u);
  EXPECT_EQ((*find_mount(*priv, "/sys"))["options"].back(), "rw");
}

TEST_F(SpecBuilderTest, ResourcesAndHostNetwork) {
  json hc = {{"Memory", 64 << 20},
             {"MemoryReservation", 32 << 20},
             {"NanoCpus", 1500000000},
             {"CpuShares", 512},
             {"CpusetCpus", "0"},
             {"PidsLimit", 100},
             {"Ulimits", {{{"Name", "nofile"}, {"Soft", 1024}, {"Hard", 2048}}}},
             {"Devices",
              {{{"PathOnHost", "/dev/null"},
                {"PathInContainer", "/dev/mynull"},
                {"CgroupPermissions", "rwm"}}}},
             {"NetworkMode", "host"}};
  auto spec = build({{"Cmd", {"sh"}}, {"HostConfig", hc}});
  ASSERT_TRUE(spec) << spec.error().message();
  const json& r = (*spec)["linux"]["resources"];
  EXPECT_EQ(r["memory"]["limit"], 64 << 20);
  EXPECT_EQ(r["cpu"]["quota"], 150000);
  EXPECT_EQ(r["cpu"]["period"], 100000);
  EXPECT_EQ(r["pids"]["limit"], 100);
  EXPECT_EQ(r["devices"].back(),
            json({{"allow", true}, {"type", "c"}, {"major", 1}, {"minor", 3}, {"access", "rwm"}}));
  EXPECT_EQ((*spec)["linux"]["devices"][0]["path"], "/dev/mynull");
  EXPECT_EQ((*spec)["process"]["rlimits"][0],
            json({{"type", "RLIMIT_NOFILE"}, {"hard", 2048}, {"soft", 1024}}));
  for (const auto& n : (*spec)["linux"]["namespaces"]) EXPECT_NE(n["type"], "network");
  EXPECT_FALSE((*spec)["linux"].contains("sysctl"));
}

TEST_F(SpecBuilderTest, RemappedUserNamespaceHasEveryRange) {
  archive::IdRemap r;
  r.uids = {{0, 100000, 1000}, {1000, 300000, 500}};
  r.gids = {{0, 200000, 65536}};
  remap_ = r;
  auto spec = build({{"Cmd", {"sh"}}});
  ASSERT_TRUE(spec) << spec.error().message();
  const json& lx = (*spec)["linux"];
  EXPECT_EQ(lx["uidMappings"], json::parse(R"([{"containerID":0,"hostID":100000,"size":1000},
                            {"containerID":1000,"hostID":300000,"size":500}])"));
  EXPECT_EQ(lx["gidMappings"], json::parse(R"([{"containerID":0,"hostID":200000,"size":65536}])"));
  bool user_ns = false;
  for (const auto& n : lx["namespaces"]) user_ns = user_ns || n["type"] == "user";
  EXPECT_TRUE(user_ns);
  EXPECT_EQ(lx["sysctl"]["net.ipv4.ping_group_range"], "0 65535");
}

TEST(SeccompJson, EmbeddedProfileIsTheShippedOne) {
  auto file = sys::read_file(std::string(HAKO_SECCOMP_PROFILES_DIR) + "/docker-default.json");
  ASSERT_TRUE(file);
  EXPECT_EQ(*file, docker_default_seccomp_profile());
}

}  // namespace
}  // namespace hako::engine
