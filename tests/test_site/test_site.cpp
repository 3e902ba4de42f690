#include "test_site.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <functional>

namespace wissen::test_site {
namespace {

constexpr size_t kMaxHeaderBytes = 64 * 1024;

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 404:
      return "Not Found";
    case 410:
      return "Gone";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

// Waits for `events` on fd or for the stop pipe; false when stopping or on error.
bool WaitFor(int fd, int stop_fd, short events) {
  pollfd fds[2] = {{fd, events, 0}, {stop_fd, POLLIN, 0}};
  while (true) {
    int n = poll(fds, 2, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || fds[1].revents != 0) return false;
    return true;
  }
}

bool SendAll(int fd, int stop_fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t sent = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent > 0) {
      bytes.remove_prefix(static_cast<size_t>(sent));
    } else if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      if (!WaitFor(fd, stop_fd, POLLOUT)) return false;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

TestSite::~TestSite() { Stop(); }

bool TestSite::Start(std::string* error) {
  auto fail = [&](const char* what) {
    if (error != nullptr) *error = std::string(what) + ": " + std::strerror(errno);
    return false;
  };
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return fail("pipe");
  stop_read_fd_ = pipe_fds[0];
  stop_write_fd_ = pipe_fds[1];
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  if (listen_fd_ < 0) return fail("socket");
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    return fail("bind");
  }
  if (listen(listen_fd_, 128) != 0) return fail("listen");
  socklen_t length = sizeof address;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  accept_thread_ = std::thread([this] { AcceptLoop(); });
  return true;
}

void TestSite::Stop() {
  if (stop_write_fd_ >= 0) {
    const char byte = 1;
    (void)!write(stop_write_fd_, &byte, 1);
  }
  if (accept_thread_.joinable()) accept_thread_.join();
  std::vector<std::thread> connections;
  {
    std::lock_guard lock(mutex_);
    connections.swap(connections_);
  }
  for (auto& thread : connections) thread.join();
  for (int* fd : {&listen_fd_, &stop_read_fd_, &stop_write_fd_}) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
}

std::string TestSite::Url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

void TestSite::Set(const std::string& target, Page page) {
  std::lock_guard lock(mutex_);
  pages_[target] = std::move(page);
  failures_.erase(target);
}

void TestSite::SetHtml(const std::string& target, const std::string& title, const std::string& text,
                       const std::vector<std::string>& links) {
  std::string body = "<!DOCTYPE html><html><head><title>" + title + "</title></head><body><h1>" +
                     title + "</h1><p>" + text + "</p><ul>";
  for (const auto& link : links) body += "<li><a href=\"" + link + "\">" + link + "</a></li>";
  body += "</ul></body></html>";
  Page page;
  page.body = std::move(body);
  Set(target, std::move(page));
}

void TestSite::Remove(const std::string& target) {
  std::lock_guard lock(mutex_);
  pages_.erase(target);
}

std::vector<LogEntry> TestSite::Log() const {
  std::lock_guard lock(mutex_);
  return log_;
}

void TestSite::ClearLog() {
  std::lock_guard lock(mutex_);
  log_.clear();
}

size_t TestSite::Requests(const std::string& target) const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const auto& entry : log_) n += entry.target == target ? 1 : 0;
  return n;
}

void TestSite::AcceptLoop() {
  while (WaitFor(listen_fd_, stop_read_fd_, POLLIN)) {
    int fd = accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    std::lock_guard lock(mutex_);
    connections_.emplace_back([this, fd] { Serve(fd); });
  }
}

LogEntry TestSite::Answer(const std::string& target,
                          const std::map<std::string, std::string>& headers, std::string* response,
                          bool* hang) {
  std::lock_guard lock(mutex_);
  LogEntry entry;
  entry.target = target;
  entry.headers = headers;
  auto it = pages_.find(target);
  Page page;
  if (it == pages_.end()) {
    page.status = 404;
    page.body = "<html><body>not found</body></html>";
    page.auto_etag = false;
  } else {
    page = it->second;
  }
  if (page.hang) {
    *hang = true;
    return entry;
  }
  if (page.fail_first > 0 && failures_[target] < page.fail_first) {
    ++failures_[target];
    page = Page{};
    page.status = 503;
    page.body = "busy";
    page.auto_etag = false;
  }
  std::string etag = page.etag;
  if (etag.empty() && page.auto_etag && page.status == 200) {
    etag = "\"" + std::to_string(std::hash<std::string>{}(page.body)) + "\"";
  }
  int status = page.status;
  if (status == 200) {
    auto inm = headers.find("if-none-match");
    auto ims = headers.find("if-modified-since");
    if ((inm != headers.end() && !etag.empty() && inm->second == etag) ||
        (inm == headers.end() && ims != headers.end() && !page.last_modified.empty() &&
         ims->second == page.last_modified)) {
      status = 304;
    }
  }
  const std::string& body = status == 304 ? std::string() : page.body;
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + Reason(status) + "\r\n";
  if (status != 304) out += "Content-Type: " + page.content_type + "\r\n";
  if (!etag.empty()) out += "ETag: " + etag + "\r\n";
  if (!page.last_modified.empty()) out += "Last-Modified: " + page.last_modified + "\r\n";
  if (!page.location.empty()) out += "Location: " + page.location + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  out += body;
  *response = std::move(out);
  entry.status = status;
  entry.body_bytes = body.size();
  return entry;
}

void TestSite::Serve(int fd) {
  std::string buffer;
  while (true) {
    size_t header_end;
    while ((header_end = buffer.find("\r\n\r\n")) == std::string::npos) {
      if (buffer.size() > kMaxHeaderBytes || !WaitFor(fd, stop_read_fd_, POLLIN)) {
        close(fd);
        return;
      }
      char chunk[8192];
      ssize_t got = recv(fd, chunk, sizeof chunk, 0);
      if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        close(fd);
        return;
      }
      if (got > 0) buffer.append(chunk, static_cast<size_t>(got));
    }
    const std::string head = buffer.substr(0, header_end);
    buffer.erase(0, header_end + 4);  // GET requests carry no body
    const size_t line_end = head.find("\r\n");
    const std::string request_line = head.substr(0, line_end);
    const size_t sp1 = request_line.find(' ');
    const size_t sp2 = request_line.find(' ', sp1 + 1);
    const std::string target =
        sp1 == std::string::npos ? "/" : request_line.substr(sp1 + 1, sp2 - sp1 - 1);
    std::map<std::string, std::string> headers;
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t end = head.find("\r\n", pos);
      if (end == std::string::npos) end = head.size();
      const std::string line = head.substr(pos, end - pos);
      if (size_t colon = line.find(':'); colon != std::string::npos) {
        size_t value = line.find_first_not_of(' ', colon + 1);
        headers[Lower(line.substr(0, colon))] =
            value == std::string::npos ? "" : line.substr(value);
      }
      pos = end + 2;
    }
    std::string response;
    bool hang = false;
    LogEntry entry = Answer(target, headers, &response, &hang);
    {
      std::lock_guard lock(mutex_);
      log_.push_back(entry);
    }
    if (hang) {
      // Hold the connection until the client gives up or the site stops.
      while (WaitFor(fd, stop_read_fd_, POLLIN)) {
        char chunk[256];
        ssize_t got = recv(fd, chunk, sizeof chunk, 0);
        if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) break;
      }
      close(fd);
      return;
    }
    if (!SendAll(fd, stop_read_fd_, response)) {
      close(fd);
      return;
    }
    auto connection = headers.find("connection");
    if (connection != headers.end() && Lower(connection->second) == "close") {
      close(fd);
      return;
    }
  }
}

std::string Gzip(std::string_view bytes) {
  z_stream stream{};
  deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&stream, bytes.size()) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

}  // namespace wissen::test_site
