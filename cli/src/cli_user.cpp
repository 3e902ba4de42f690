// `wissen user ...` and `wissen key ...`: accounts for the server, managed by an operator.
#include <termios.h>
#include <unistd.h>

#include <iostream>

#include "cli.h"
#include "wissen/app/credentials.h"
#include "wissen/core/text.h"
#include "wissen/store/accounts.h"

namespace wissen::cli {
namespace {

std::unique_ptr<store::Accounts> OpenAccounts(CliContext& context,
                                              std::unique_ptr<app::Runtime>& runtime) {
  auto config = LoadConfigOrReport(context);
  if (!config) return nullptr;
  runtime = OpenRuntimeOrReport(context, *config);
  if (!runtime) return nullptr;
  auto accounts = store::Accounts::Connect(runtime->connection_string());
  if (!accounts) {
    std::cerr << "wissen: " << accounts.error().message << "\n";
    context.exit_code = kExitCouldNotRun;
    return nullptr;
  }
  return std::move(*accounts);
}

bool Report(CliContext& context, const Result<void>& result) {
  if (result) return true;
  std::cerr << "wissen: " << result.error().message << "\n";
  context.exit_code =
      result.error().code == ErrorCode::kUnavailable ? kExitCouldNotRun : kExitPartial;
  return false;
}

Result<RoleSet> ParseRoles(const std::string& text) {
  std::vector<std::string> roles;
  for (auto& role : SplitNonEmpty(text, ',')) {
    if (!IsValidRoleName(role)) {
      return Fail(ErrorCode::kInvalidArgument,
                  "\"" + role + "\" is not a role name (expected 1-64 of a-z 0-9 _ . -)");
    }
    if (role != kEveryoneRole) roles.push_back(role);
  }
  return RoleSet(std::move(roles));
}

// Reads a password from stdin: the first line, without its newline. Echo is switched off
// when stdin is a terminal.
std::string ReadPassword(bool prompt) {
  termios saved{};
  const bool tty = isatty(STDIN_FILENO) != 0;
  if (tty) {
    if (prompt) std::cerr << "Password: " << std::flush;
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string password;
  std::getline(std::cin, password);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << "\n";
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  return password;
}

std::string Joined(const RoleSet& roles) {
  std::string text = std::string(kEveryoneRole);
  for (const auto& role : roles.roles()) text += "," + role;
  return text;
}

// Normalizes a user-name argument by the rule of every way in (app::NormalizeUserName).
CLI::Validator UserName() {
  return CLI::Validator(
      [](std::string& name) {
        auto normalized = app::NormalizeUserName(name);
        if (!normalized) return normalized.error().message;
        name = std::move(*normalized);
        return std::string();
      },
      "USER");
}

}  // namespace

void RegisterUserCommands(CLI::App& app, CliContext& context) {
  auto* user = app.add_subcommand("user", "manage the people who log into the chat");
  user->require_subcommand(1);
  struct UserArgs {
    std::string name;
    std::string roles;
    bool password_stdin = false;
    bool no_password = false;
  };
  auto args = std::make_shared<UserArgs>();

  auto* add = user->add_subcommand("add", "add a user (asks for the password)");
  add->add_option("name", args->name, "user name")->required()->transform(UserName());
  add->add_option("--roles", args->roles, "roles besides everyone, e.g. hr,rnd");
  add->add_flag("--password-stdin", args->password_stdin, "read the password from stdin");
  add->add_flag("--no-password", args->no_password, "no password login (API keys or SSO only)");
  add->callback([&context, args] {
    auto roles = ParseRoles(args->roles);
    if (!Report(context, roles.has_value() ? Result<void>() : Fail(roles.error()))) return;
    std::string hash;
    if (!args->no_password) {
      const std::string password = ReadPassword(!args->password_stdin);
      auto hashed = app::HashPassword(password);
      if (!Report(context, hashed.has_value() ? Result<void>() : Fail(hashed.error()))) return;
      hash = *hashed;
    }
    std::unique_ptr<app::Runtime> runtime;
    auto accounts = OpenAccounts(context, runtime);
    if (!accounts) return;
    auto id = accounts->AddUser(args->name, *roles, hash);
    if (!Report(context, id.has_value() ? Result<void>() : Fail(id.error()))) return;
    std::cout << "added user " << args->name << " with roles " << Joined(*roles) << "\n";
  });

  auto* list = user->add_subcommand("list", "list users and their roles");
  list->callback([&context] {
    std::unique_ptr<app::Runtime> runtime;
    auto accounts = OpenAccounts(context, runtime);
    if (!accounts) return;
    auto users = accounts->ListUsers();
    if (!Report(context, users.has_value() ? Result<void>() : Fail(users.error()))) return;
    for (const auto& u : *users) {
      std::cout << u.name << "\t" << Joined(u.roles) << (u.disabled ? "\tdisabled" : "")
                << (u.password_hash.empty() ? "\tno-password" : "") << "\n";
    }
  });

  auto* set_roles = user->add_subcommand("set-roles", "replace a user's roles");
  set_roles->add_option("name", args->name, "user name")->required()->transform(UserName());
  set_roles->add_option("--roles", args->roles, "roles besides everyone")->required();
  set_roles->callback([&context, args] {
    auto roles = ParseRoles(args->roles);
    if (!Report(context, roles.has_value() ? Result<void>() : Fail(roles.error()))) return;
    std::unique_ptr<app::Runtime> runtime;
    auto accounts = OpenAccounts(context, runtime);
    if (!accounts) return;
    if (Report(context, accounts->SetRoles(args->name, *roles))) {
      std::cout << args->name << " now has roles " << Joined(*roles) << "\n";
    }
  });

  auto* set_password = user->add_subcommand("set-password", "set a new password");
  set_password->add_option("name", args->name, "user name")->required()->transform(UserName());
  set_password->add_flag("--password-stdin", args->password_stdin, "read it from stdin");
  set_password->callback([&context, args] {
    auto hashed = app::HashPassword(ReadPassword(!args->password_stdin));
    if (!Report(context, hashed.has_value() ? Result<void>() : Fail(hashed.error()))) return;
    std::unique_ptr<app::Runtime> runtime;
    auto accounts = OpenAccounts(context, runtime);
    if (!accounts) return;
    if (Report(context, accounts->SetPassword(args->name, *hashed))) {
      std::cout << "password of " << args->name << " changed; their sessions ended\n";
    }
  });

  for (const bool disable : {true, false}) {
    auto* command = user->add_subcommand(
        disable ? "disable" : "enable",
        disable ? "lock a user out (sessions end at once)" : "let a disabled user in again");
    command->add_option("name", args->name, "user name")->required()->transform(UserName());
    command->callback([&context, args, disable] {
      std::unique_ptr<app::Runtime> runtime;
      auto accounts = OpenAccounts(context, runtime);
      if (!accounts) return;
      if (Report(context, accounts->SetDisabled(args->name, disable))) {
        std::cout << args->name << (disable ? " disabled" : " enabled") << "\n";
      }
    });
  }

  auto* key = app.add_subcommand("key", "manage API keys for services and OpenAI clients");
  key->require_subcommand(1);
  struct KeyArgs {
    std::string user;
    std::string name;
    int id = 0;
  };
  auto key_args = std::make_shared<KeyArgs>();
  auto* create = key->add_subcommand("create", "create a key; it is printed once, last line");
  create->add_option("user", key_args->user, "the user the key acts as")
      ->required()
      ->transform(UserName());
  create->add_option("--name", key_args->name, "what the key is for");
  create->callback([&context, key_args] {
    std::unique_ptr<app::Runtime> runtime;
    auto accounts = OpenAccounts(context, runtime);
    if (!accounts) return;
    auto created = app::CreateApiKey(*accounts, key_args->user, key_args->name);
    if (!Report(context, created.has_value() ? Result<void>() : Fail(created.error()))) return;
    std::cerr << "API key " << created->id << " for " << key_args->user
              << " (shown only now; store it safely):\n";
    std::cout << created->key << std::endl;
  });
  auto* list_keys = key->add_subcommand("list", "list keys (never the keys themselves)");
  list_keys->add_option("--user", key_args->user, "only this user's keys")->transform(UserName());
  list_keys->callback([&context, key_args] {
    std::unique_ptr<app::Runtime> runtime;
    auto accounts = OpenAccounts(context, runtime);
    if (!accounts) return;
    auto keys = accounts->ListApiKeys(
        key_args->user.empty() ? std::nullopt : std::optional<std::string>(key_args->user));
    if (!Report(context, keys.has_value() ? Result<void>() : Fail(keys.error()))) return;
    for (const auto& k : *keys) {
      std::cout << k.id << "\t" << k.user_name << "\t" << k.prefix << "…\t" << k.name
                << (k.revoked ? "\trevoked" : "") << "\n";
    }
  });
  auto* revoke = key->add_subcommand("revoke", "revoke a key by id (works at once)");
  revoke->add_option("id", key_args->id, "the key's id from `key list`")->required();
  revoke->callback([&context, key_args] {
    std::unique_ptr<app::Runtime> runtime;
    auto accounts = OpenAccounts(context, runtime);
    if (!accounts) return;
    if (Report(context, accounts->RevokeApiKey(key_args->id))) {
      std::cout << "key " << key_args->id << " revoked\n";
    }
  });
}

}  // namespace wissen::cli
