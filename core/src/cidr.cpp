#include "wissen/core/cidr.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace wissen {
namespace {

// The 16-byte form of an address: IPv6 as is, IPv4 as ::ffff:a.b.c.d.
std::optional<std::array<unsigned char, 16>> ToBytes(std::string_view text, bool* is_v4) {
  std::string address(text);
  if (address.size() > 2 && address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);
  }
  std::array<unsigned char, 16> bytes{};
  in_addr v4{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) {
    bytes[10] = 0xff;
    bytes[11] = 0xff;
    std::memcpy(bytes.data() + 12, &v4, 4);
    *is_v4 = true;
    return bytes;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, address.c_str(), &v6) == 1) {
    std::memcpy(bytes.data(), &v6, 16);
    static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    *is_v4 = std::memcmp(bytes.data(), kMapped, 12) == 0;
    return bytes;
  }
  return std::nullopt;
}

}  // namespace

std::optional<CidrRange> CidrRange::Parse(std::string_view text) {
  const size_t slash = text.find('/');
  bool is_v4 = false;
  auto bytes = ToBytes(text.substr(0, slash), &is_v4);
  if (!bytes) return std::nullopt;
  int bits = is_v4 ? 32 : 128;
  if (slash != std::string_view::npos) {
    std::string_view digits = text.substr(slash + 1);
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
    if (error != std::errc() || end != digits.data() + digits.size() || bits < 0 ||
        bits > (is_v4 ? 32 : 128)) {
      return std::nullopt;
    }
  }
  CidrRange range;
  range.prefix_bits_ = is_v4 ? bits + 96 : bits;
  range.network_ = *bytes;
  return range;
}

bool CidrRange::Contains(std::string_view address) const {
  bool is_v4 = false;
  auto bytes = ToBytes(address, &is_v4);
  if (!bytes) return false;
  int bits = prefix_bits_;
  for (size_t i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const unsigned char mask = bits >= 8 ? 0xff : static_cast<unsigned char>(0xff << (8 - bits));
    if (((*bytes)[i] & mask) != (network_[i] & mask)) return false;
  }
  return true;
}

bool AnyContains(const std::vector<CidrRange>& ranges, std::string_view address) {
  for (const auto& range : ranges) {
    if (range.Contains(address)) return true;
  }
  return false;
}

std::optional<std::string> ParseCidrs(const std::vector<std::string>& texts,
                                      std::vector<CidrRange>* out) {
  out->clear();
  for (const auto& text : texts) {
    auto range = CidrRange::Parse(text);
    if (!range) return text;
    out->push_back(*range);
  }
  return std::nullopt;
}

}  // namespace wissen
