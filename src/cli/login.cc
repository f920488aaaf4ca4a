// hako login [-u USER] [-p PASS | --password-stdin] [SERVER] and hako logout [SERVER]: the
// credentials go to ~/.config/hako/auth.json (Docker's config.json format, mode 0600, written
// atomically) once the registry accepted them, or to the credential helper that an auth file
// names for the registry (credHelpers, credsStore: docker-credential-NAME store; logout
// erases there). A token service that answers with a refresh token (asked with
// offline_token=true) gets it kept as "identitytoken" instead of the password, as Docker does.
// SERVER defaults to Docker Hub. On a terminal, what the flags do not give is asked for, as
// docker login does ("Username (stored): ", then "Password: " without echo); elsewhere both
// must be given.
#include <unistd.h>

#include "cli/commands.h"
#include "cli/prompt.h"
#include "cli/registry_session.h"
#include "registry/cred_helper.h"
#include "sys/file.h"

namespace hako::cli {
namespace {

struct LoginOptions {
  std::string server;
  std::string username;
  std::string password;
  bool password_stdin = false;
};

Status login(Context& ctx, const LoginOptions& o) {
  std::string domain = registry::normalise_server(o.server);
  registry::Credentials c{o.username, o.password};
  if (o.password_stdin) {
    if (!o.password.empty())
      return invalid_argument("login: --password and --password-stdin are mutually exclusive");
    if (o.username.empty())
      return invalid_argument("login: give the user name with -u when the password comes on stdin");
    HAKO_TRY_ASSIGN(c.password, sys::read_fd(STDIN_FILENO, 64 << 10));
    while (!c.password.empty() && (c.password.back() == '\n' || c.password.back() == '\r'))
      c.password.pop_back();
  } else if (!o.password.empty()) {
    HAKO_TRY(print(ctx.err,
                   "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n"));
  }
  if (c.username.empty() || c.password.empty()) {
    if (!can_prompt())
      return invalid_argument("login: cannot ask for the " +
                              std::string(c.username.empty() ? "user name" : "password") +
                              " without a terminal: give -u and --password-stdin (or -p)");
    if (c.username.empty()) {
      // As Docker: the stored user name is offered, Enter takes it.
      std::string stored;
      if (auto found = registry::find_credentials(domain); found && *found)
        stored = (*found)->username;
      HAKO_TRY_ASSIGN(
          c.username,
          prompt_line(ctx.out,
                      stored.empty() ? "Username: " : "Username (" + stored + "): ", true));
      if (c.username.empty()) c.username = stored;
      if (c.username.empty()) return invalid_argument("login: a user name is required");
    }
    if (c.password.empty()) {
      HAKO_TRY_ASSIGN(c.password, prompt_line(ctx.out, "Password: ", false));
      if (c.password.empty()) return invalid_argument("login: a password is required");
    }
  }
  auto session = open_registry_session(domain, c);
  if (!session) return std::move(session).error().context("login " + domain);
  // The registry must accept the credentials before they are kept.
  auto identity = session->login();
  if (!identity) return std::move(identity).error().context("login " + domain);
  if (*identity) {
    // As Docker: the token service's refresh token is kept instead of the password.
    c.password.clear();
    c.identity_token = **identity;
  }
  auto helper = registry::find_configured_helper(domain);
  if (!helper) return std::move(helper).error().context("login " + domain);
  if (*helper) {
    HAKO_TRY_CTX(registry::helper_store(**helper, registry::credentials_key(domain), c),
                 "login " + domain + ": save the credentials (credential helper " + **helper +
                     " named in the auth file)");
  } else {
    std::string path = registry::hako_auth_file();
    HAKO_TRY_CTX(registry::update_auth_file(path, domain, c), "login: save credentials to " + path);
  }
  return print(ctx.out, "Login Succeeded\n");
}

Status logout(Context& ctx, const std::string& server) {
  std::string domain = registry::normalise_server(server);
  auto helper = registry::find_configured_helper(domain);
  if (!helper) return std::move(helper).error().context("logout " + domain);
  bool erased = false;
  if (*helper) {
    auto e = registry::helper_erase(**helper, registry::credentials_key(domain));
    if (!e) return std::move(e).error().context("logout " + domain);
    erased = *e;
  }
  // An entry in the file too (from before the helper was configured) goes as well.
  std::string path = registry::hako_auth_file();
  auto removed = registry::update_auth_file(path, domain, std::nullopt);
  if (!removed) return std::move(removed).error().context("logout " + domain);
  if (!*removed && !erased) return print(ctx.out, "Not logged in to " + domain + "\n");
  return print(ctx.out, "Removing login credentials for " + domain + "\n");
}

}  // namespace

void add_login(CLI::App& parent, Context& ctx) {
  auto o = std::make_shared<LoginOptions>();
  CLI::App* cmd = parent.add_subcommand("login", "Log in to a registry");
  cmd->add_option("server", o->server, "SERVER (default: Docker Hub)");
  cmd->add_option("-u,--username", o->username, "Username");
  cmd->add_option("-p,--password", o->password, "Password");
  cmd->add_flag("--password-stdin", o->password_stdin, "Take the password from stdin");
  cmd->callback([&ctx, o] { ctx.status = login(ctx, *o); });
}

void add_logout(CLI::App& parent, Context& ctx) {
  auto server = std::make_shared<std::string>();
  CLI::App* cmd = parent.add_subcommand("logout", "Log out from a registry");
  cmd->add_option("server", *server, "SERVER (default: Docker Hub)");
  cmd->callback([&ctx, server] { ctx.status = logout(ctx, *server); });
}

}  // namespace hako::cli
