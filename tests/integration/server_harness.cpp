#include "server_harness.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "test_cluster.h"

namespace wissen::testing {

int FreeLocalPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (fd >= 0) ::close(fd);
    return 0;
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

namespace {

std::vector<char*> Argv(std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  return argv;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

CommandResult RunWissen(const std::filesystem::path& config, const std::vector<std::string>& args,
                        const std::string& input) {
  std::vector<std::string> full = {WISSEN_BINARY, "-c", config.string()};
  full.insert(full.end(), args.begin(), args.end());
  int in_pipe[2];
  int out_pipe[2];
  if (::pipe(in_pipe) != 0 || ::pipe(out_pipe) != 0) return {};
  const pid_t child = ::fork();
  if (child == 0) {
    ::dup2(in_pipe[0], STDIN_FILENO);
    ::dup2(out_pipe[1], STDOUT_FILENO);
    const int null_fd = ::open("/dev/null", O_WRONLY);
    ::dup2(null_fd, STDERR_FILENO);
    ::close(in_pipe[1]);
    ::close(out_pipe[0]);
    auto argv = Argv(full);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  if (!input.empty()) {
    [[maybe_unused]] auto written = ::write(in_pipe[1], input.data(), input.size());
  }
  ::close(in_pipe[1]);
  CommandResult result;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(out_pipe[0], buffer, sizeof(buffer))) > 0) result.out.append(buffer, n);
  ::close(out_pipe[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

ServerProcess::~ServerProcess() { Stop(); }

bool ServerProcess::Start(const std::filesystem::path& config, std::string* error) {
  stderr_file_ = MakeTempDir("serve-log-") / "stderr.log";
  int out_pipe[2];
  if (::pipe(out_pipe) != 0) return false;
  std::vector<std::string> args = {WISSEN_BINARY, "-c", config.string(), "serve"};
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(out_pipe[1], STDOUT_FILENO);
    const int err_fd = ::open(stderr_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(err_fd, STDERR_FILENO);
    ::close(out_pipe[0]);
    auto argv = Argv(args);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  // The server prints one line once it listens; EOF first means it exited.
  std::string line;
  char c;
  while (::read(out_pipe[0], &c, 1) == 1 && c != '\n') line += c;
  ::close(out_pipe[0]);
  if (line.find("listening") == std::string::npos) {
    Stop();
    *error = "wissen serve did not start: " + ReadFile(stderr_file_);
    return false;
  }
  return true;
}

int ServerProcess::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

namespace {

struct Transfer {
  const HttpCall* call;
  HttpReply* reply;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  transfer->reply->body.append(data, size * count);
  if (transfer->call->on_data && !transfer->call->on_data(transfer->reply->body)) return 0;
  return size * count;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* reply = static_cast<HttpReply*>(user);
  std::string line(data, size * count);
  const size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    if (name == "set-cookie") reply->set_cookies.push_back(value);
    reply->headers[name] = value;
  }
  return size * count;
}

}  // namespace

HttpReply Http(const HttpCall& call) {
  HttpReply reply;
  CURL* curl = curl_easy_init();
  curl_slist* headers = nullptr;
  for (const auto& header : call.headers) headers = curl_slist_append(headers, header.c_str());
  Transfer transfer{&call, &reply};
  curl_easy_setopt(curl, CURLOPT_URL, call.url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 120L);
  if (call.method == "POST" || call.method == "PUT" || !call.body.empty()) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, call.body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(call.body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  if (!call.local_address.empty()) {
    curl_easy_setopt(curl, CURLOPT_INTERFACE, call.local_address.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &reply);
  curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return reply;
}

}  // namespace wissen::testing
