// CLI11 lets an option that fills a vector take every following word up to the next option,
// so `hako run -e A=1 busybox true` would read busybox as a second -e. Every command's vector
// options must take one value per occurrence (allow_extra_args(false)), as Docker's flags do.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace hako::cli {
namespace {

// Every command main() registers, at the top level and under container/image/system.
void add_all(CLI::App& app, Context& ctx) {
  add_images(app, ctx);
  add_history(app, ctx);
  add_tag(app, ctx);
  add_rmi(app, ctx);
  add_load(app, ctx);
  add_save(app, ctx);
  add_import(app, ctx);
  add_pull(app, ctx);
  add_push(app, ctx);
  add_login(app, ctx);
  add_logout(app, ctx);
  add_volume(app, ctx);
  add_events(app, ctx);
  add_run(app, ctx);
  add_create(app, ctx);
  add_start(app, ctx);
  add_stop(app, ctx);
  add_restart(app, ctx);
  add_kill(app, ctx);
  add_rm(app, ctx);
  add_wait(app, ctx);
  add_ps(app, ctx);
  add_inspect(app, ctx, false);
  add_exec(app, ctx);
  add_logs(app, ctx);
  add_attach(app, ctx);
  add_pause(app, ctx);
  add_unpause(app, ctx);
  add_top(app, ctx);
  add_stats(app, ctx);
  add_rename(app, ctx);
  add_update(app, ctx);
  add_port(app, ctx);
  add_cp(app, ctx);
  add_diff(app, ctx);
  add_commit(app, ctx);
  CLI::App* container = app.add_subcommand("container", "");
  add_container_prune(*container, ctx);
  CLI::App* image = app.add_subcommand("image", "");
  add_image_inspect(*image, ctx);
  add_image_prune(*image, ctx);
  add_image_default(*image, ctx);
  add_image_mount(*image, ctx);
  CLI::App* system = app.add_subcommand("system", "");
  add_system_df(*system, ctx);
  add_system_check(*system, ctx);
}

void for_each_app(CLI::App& app, const std::string& path,
                  const std::function<void(CLI::App&, const std::string&)>& fn) {
  fn(app, path);
  for (CLI::App* sub : app.get_subcommands({}))
    for_each_app(*sub, path + " " + sub->get_name(), fn);
}

struct Parsed {
  struct Done {};
  Context ctx;
  CLI::App app{"hako", "hako"};
  Parsed() {
    app.require_subcommand(1);
    add_all(app, ctx);
    // Parse only: a command's parse-complete callback runs once its values are stored and
    // before its own callback, so throwing there keeps every command from running.
    for (CLI::App* sub : app.get_subcommands({}))
      for_each_app(*sub, "", [](CLI::App& a, const std::string&) {
        a.parse_complete_callback([] { throw Parsed::Done{}; });
      });
  }
  CLI::App* sub(const std::vector<std::string>& path) {
    CLI::App* a = &app;
    for (const auto& p : path) a = a->get_subcommand(p);
    return a;
  }
};

TEST(VectorOptions, EveryVectorOptionTakesOneValuePerOccurrence) {
  Parsed p;
  std::vector<std::string> bad;
  for_each_app(p.app, "hako", [&](CLI::App& a, const std::string& path) {
    for (const CLI::Option* opt : a.get_options()) {
      if (opt->get_positional()) continue;
      if (opt->get_allow_extra_args() && opt->get_items_expected_max() > 1)
        bad.push_back(path + " " + opt->get_name());
    }
  });
  EXPECT_TRUE(bad.empty()) << "vector options without allow_extra_args(false): "
                           << ::testing::PrintToString(bad);
}

TEST(VectorOptions, PositionalsAfterVectorOptionsStayPositionals) {
  struct Case {
    std::vector<std::string> argv;  // after "hako"
    std::vector<std::string> command;
    std::string positional;  // "": the words left for the command (exec's COMMAND)
    std::vector<std::string> want;
  };
  const Case cases[] = {
      {{"volume", "create", "--label", "a=b", "NAME"}, {"volume", "create"}, "name", {"NAME"}},
      {{"volume", "create", "-o", "type=tmpfs", "--opt", "device=tmpfs", "v1"},
       {"volume", "create"},
       "name",
       {"v1"}},
      {{"exec", "-e", "A=1", "CTR", "env"}, {"exec"}, "", {"CTR", "env"}},
      {{"run", "-e", "A=1", "-v", "/a:/b", "-l", "x=y", "busybox", "true"},
       {"run"},
       "",
       {"busybox", "true"}},
      {{"commit", "-c", "CMD [\"x\"]", "CTR", "IMG"}, {"commit"}, "container", {"CTR"}},
      {{"import", "-c", "CMD [\"x\"]", "f.tar", "ref"}, {"import"}, "file", {"f.tar"}},
      {{"rm", "-f", "a", "b"}, {"rm"}, "container", {"a", "b"}},
      {{"rmi", "-f", "img"}, {"rmi"}, "image", {"img"}},
      {{"volume", "rm", "-f", "v1", "v2"}, {"volume", "rm"}, "volume", {"v1", "v2"}},
  };
  for (const auto& c : cases) {
    Parsed p;
    std::vector<std::string> args = {"hako"};
    args.insert(args.end(), c.argv.begin(), c.argv.end());
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    std::string joined = ::testing::PrintToString(c.argv);
    try {
      p.app.parse(static_cast<int>(argv.size()), argv.data());
      ADD_FAILURE() << joined << ": parsed without reaching a command";
      continue;
    } catch (const Parsed::Done&) {
    } catch (const CLI::ParseError& e) {
      ADD_FAILURE() << joined << ": " << e.what();
      continue;
    }
    CLI::App* sub = p.sub(c.command);
    if (c.positional.empty()) {
      EXPECT_EQ(sub->remaining(), c.want) << joined;
      continue;
    }
    const CLI::Option* opt = sub->get_option_no_throw(c.positional);
    ASSERT_NE(opt, nullptr) << joined << ": no positional " << c.positional;
    EXPECT_EQ(opt->results(), c.want) << joined;
  }
}

}  // namespace
}  // namespace hako::cli
