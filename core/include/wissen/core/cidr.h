// IP address ranges in CIDR notation ("10.0.0.0/8", "fd00::/8", "127.0.0.1"), for the client
// allowlist and the trusted SSO proxies. IPv4-mapped IPv6 addresses ("::ffff:10.1.2.3", as a
// dual-stack socket reports IPv4 clients) match IPv4 ranges. Values; thread-compatible.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wissen {

class CidrRange {
 public:
  // nullopt for text that is not an address with an optional /prefix in range.
  static std::optional<CidrRange> Parse(std::string_view text);
  // Whether `address` (textual IPv4 or IPv6) lies in the range; false for garbage.
  bool Contains(std::string_view address) const;

 private:
  std::array<unsigned char, 16> network_{};  // IPv4 stored as IPv4-mapped IPv6
  int prefix_bits_ = 0;                      // of the 128-bit form
};

// Whether `address` lies in any of the ranges.
bool AnyContains(const std::vector<CidrRange>& ranges, std::string_view address);

// Parses every entry; the first bad one is returned as the error text.
std::optional<std::string> ParseCidrs(const std::vector<std::string>& texts,
                                      std::vector<CidrRange>* out);

}  // namespace wissen
