// Drives a real `wissen serve` process over real HTTP for the server tests: picks a free
// port on 127.0.0.1, starts the binary with a config, waits for its "listening" line (no
// sleeps), and stops it with SIGTERM by PID. Requests go through libcurl.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace wissen::testing {

// A port on 127.0.0.1 that was free a moment ago (bound with port 0, then released).
int FreeLocalPort();

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout only
};

// Runs the wissen binary with `args` (config first), feeding `input` to stdin.
CommandResult RunWissen(const std::filesystem::path& config, const std::vector<std::string>& args,
                        const std::string& input = "");

class ServerProcess {
 public:
  ServerProcess() = default;
  ~ServerProcess();
  // Starts `wissen -c config serve` and returns once it listens; false with the reason
  // (and the server's stderr) in *error otherwise.
  bool Start(const std::filesystem::path& config, std::string* error);
  // SIGTERM, then waits for the process; returns its exit code.
  int Stop();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::filesystem::path stderr_file_;
};

struct HttpReply {
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-case names; last value wins
  std::vector<std::string> set_cookies;
  std::string body;
};

struct HttpCall {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  // The local address to connect from (e.g. "127.0.0.2"); empty = the system's choice.
  std::string local_address;
  // Called with the body as it arrives; returning false ends the transfer early.
  std::function<bool(const std::string& body_so_far)> on_data;
};

HttpReply Http(const HttpCall& call);

}  // namespace wissen::testing
