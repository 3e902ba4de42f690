// URLs for the web source: parsing, resolving links against a base, and the canonical form
// used as a web document's path. Private to the crawler. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace wissen::crawler {

// An absolute http(s) URL in canonical form: scheme and host lower-case, default port
// dropped (port 0), path never empty, percent-encoding normalized, no fragment, no userinfo.
struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // lower-case; IPv6 literals keep their brackets
  int port = 0;        // 0 = the scheme's default
  std::string path;    // starts with '/'
  std::string query;   // without '?'; empty = none

  // "scheme://host[:port]", the unit robots.txt and politeness apply to.
  std::string Origin() const;
  // path plus "?query", what robots.txt rules match against.
  std::string PathAndQuery() const;
  std::string ToString() const;
};

// Parses an absolute URL and canonicalizes it. nullopt for anything that is not http(s), has
// no host, a bad port, or control characters in the authority.
std::optional<Url> ParseUrl(std::string_view text);

// Resolves a link (absolute, "//host/x", "/x", "x", "?q", "#f") against `base` (RFC 3986
// section 5.2) and canonicalizes the result. nullopt for other schemes (mailto:, javascript:)
// and unparsable links.
std::optional<Url> ResolveUrl(const Url& base, std::string_view reference);

// ParseUrl(text)->ToString(), or nullopt.
std::optional<std::string> NormalizeUrl(std::string_view text);

// Percent-encoding normalization of a path or query: %XX of unreserved characters decoded,
// other escapes upper-cased, bytes that may not appear raw (space, controls, non-ASCII,
// "<>\"{}|\\^`") encoded. A '%' not followed by two hex digits becomes "%25".
std::string NormalizePercentEncoding(std::string_view text, bool is_query);

// Removes "." and ".." segments (RFC 3986 section 5.2.4).
std::string RemoveDotSegments(std::string_view path);

}  // namespace wissen::crawler
