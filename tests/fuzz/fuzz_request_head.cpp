// Fuzz target: CheckRequestHead, the limits every request meets before routing.
// Input: the request target on the first line, then "Name: value" header lines. Names are
// lower-cased and repeated headers joined with ", ", as cpprestsdk and http_server.cpp do.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "http/request_limits.h"
#include "http/router.h"
#include "wissen/core/text.h"

namespace {

using wissen::server::Rejection;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding like web::uri::decode; nullopt where cpprestsdk throws (the server then
// answers 400 before the limits are checked).
std::optional<std::string> Decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = HexValue(text[i + 1]);
    const int low = HexValue(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

bool AllDigits(const std::string& text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t line_end = input.find('\n');
  const std::string_view target = input.substr(0, line_end);
  std::map<std::string, std::string> headers;
  std::string_view rest =
      line_end == std::string_view::npos ? std::string_view() : input.substr(line_end + 1);
  while (!rest.empty()) {
    const size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    const std::string name = wissen::LowerAscii(line.substr(0, colon));
    const std::string value(wissen::TrimAscii(line.substr(colon + 1)));
    auto [it, inserted] = headers.emplace(name, value);
    if (!inserted) it->second += ", " + value;
  }

  const wissen::server::RequestLimits limits;  // the defaults production uses
  const std::optional<Rejection> rejected = CheckRequestHead({target, &headers}, limits);
  const std::optional<Rejection> again = CheckRequestHead({target, &headers}, limits);
  WISSEN_FUZZ_CHECK(rejected.has_value() == again.has_value());

  if (target.size() > limits.max_target_bytes) {
    WISSEN_FUZZ_CHECK(rejected && rejected->status == 414);
  }
  if (rejected) {
    const int status = rejected->status;
    WISSEN_FUZZ_CHECK(status == 400 || status == 411 || status == 413 || status == 414 ||
                      status == 431);
    WISSEN_FUZZ_CHECK(!rejected->code.empty() && !rejected->message.empty());
    WISSEN_FUZZ_CHECK(status == again->status && rejected->code == again->code);
    return 0;
  }

  // Accepted: every limit holds.
  WISSEN_FUZZ_CHECK(target.size() <= limits.max_target_bytes);
  size_t header_bytes = 0;
  for (const auto& [name, value] : headers) header_bytes += name.size() + value.size();
  WISSEN_FUZZ_CHECK(header_bytes <= limits.max_header_bytes);
  WISSEN_FUZZ_CHECK(!headers.contains("transfer-encoding"));
  if (auto length = headers.find("content-length"); length != headers.end()) {
    WISSEN_FUZZ_CHECK(AllDigits(length->second) && length->second.size() <= 18);
    WISSEN_FUZZ_CHECK(std::stoll(length->second) <= limits.max_body_bytes);
  }
  // The router sees the decoded path: it must not get more segments than the limit allows.
  const std::string_view path = target.substr(0, target.find('?'));
  if (auto decoded = Decode(path)) {
    WISSEN_FUZZ_CHECK(wissen::server::PathSegments(*decoded).size() <= limits.max_path_segments);
  }
  return 0;
}
