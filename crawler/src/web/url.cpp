#include "url.h"

#include <cctype>
#include <vector>

namespace wissen::crawler {
namespace {

bool IsUnreserved(unsigned char c) {
  return std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendEscaped(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out += '%';
  out += kHex[c >> 4];
  out += kHex[c & 0xF];
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

int DefaultPort(std::string_view scheme) { return scheme == "https" ? 443 : 80; }

// The scheme of `text` (lower-case) when it starts with one, else "".
std::string SchemeOf(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == ':') return i == 0 ? "" : Lower(text.substr(0, i));
    const bool ok = std::isalpha(c) != 0 ||
                    (i > 0 && (std::isdigit(c) != 0 || c == '+' || c == '-' || c == '.'));
    if (!ok) return "";
  }
  return "";
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && static_cast<unsigned char>(text.front()) <= ' ') text.remove_prefix(1);
  while (!text.empty() && static_cast<unsigned char>(text.back()) <= ' ') text.remove_suffix(1);
  return text;
}

// Splits "path?query#fragment" (fragment dropped). has_query tells "x?" from "x".
void SplitPathQuery(std::string_view rest, std::string_view* path, std::string_view* query,
                    bool* has_query) {
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  size_t q = rest.find('?');
  *has_query = q != std::string_view::npos;
  *path = rest.substr(0, q);
  *query = *has_query ? rest.substr(q + 1) : std::string_view();
}

// Parses "host[:port]" after dropping userinfo.
bool ParseAuthority(std::string_view authority, std::string_view scheme, Url* url) {
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return false;
    host = authority.substr(0, close + 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return false;
      port = after.substr(1);
    }
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return false;
  for (char c : host) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= ' ' || u >= 0x7F || c == '/' || c == '\\' || c == '%' || c == '?' || c == '#') {
      return false;
    }
  }
  url->host = Lower(host);
  while (!url->host.empty() && url->host.back() == '.') url->host.pop_back();
  if (url->host.empty()) return false;
  url->port = 0;
  if (!port.empty()) {
    int value = 0;
    for (char c : port) {
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
      if (value > 65535) return false;
    }
    if (value == 0) return false;
    url->port = value == DefaultPort(scheme) ? 0 : value;
  }
  return true;
}

void Finish(Url* url, std::string_view path, std::string_view query) {
  url->path = RemoveDotSegments(NormalizePercentEncoding(path, false));
  if (url->path.empty() || url->path.front() != '/') url->path.insert(0, "/");
  url->query = NormalizePercentEncoding(query, true);
}

}  // namespace

std::string Url::Origin() const {
  std::string out = scheme + "://" + host;
  if (port != 0) out += ":" + std::to_string(port);
  return out;
}

std::string Url::PathAndQuery() const { return query.empty() ? path : path + "?" + query; }

std::string Url::ToString() const { return Origin() + PathAndQuery(); }

std::string NormalizePercentEncoding(std::string_view text, bool is_query) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '%') {
      const int hi = i + 2 < text.size() ? HexValue(text[i + 1]) : -1;
      const int lo = i + 2 < text.size() ? HexValue(text[i + 2]) : -1;
      if (hi >= 0 && lo >= 0) {
        const auto decoded = static_cast<unsigned char>(hi * 16 + lo);
        if (IsUnreserved(decoded)) {
          out += static_cast<char>(decoded);
        } else {
          AppendEscaped(out, decoded);
        }
        i += 2;
      } else {
        out += "%25";
      }
      continue;
    }
    const bool must_escape = c <= ' ' || c >= 0x7F || c == '"' || c == '<' || c == '>' ||
                             c == '\\' || c == '^' || c == '`' || c == '{' || c == '|' ||
                             c == '}' || (!is_query && c == '?');
    if (must_escape) {
      AppendEscaped(out, c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string RemoveDotSegments(std::string_view path) {
  std::vector<std::string_view> segments;
  const bool absolute = !path.empty() && path.front() == '/';
  size_t pos = absolute ? 1 : 0;
  bool trailing_slash = false;
  while (pos <= path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view segment = path.substr(pos, end - pos);
    const bool last = end == path.size();
    if (segment == ".") {
      trailing_slash = last;
    } else if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
      trailing_slash = last;
    } else {
      segments.push_back(segment);
      trailing_slash = false;
    }
    pos = end + 1;
  }
  std::string out = absolute ? "/" : "";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out += '/';
    out += segments[i];
  }
  if (trailing_slash && !out.empty() && out.back() != '/') out += '/';
  return out;
}

std::optional<Url> ParseUrl(std::string_view text) {
  text = Trim(text);
  const std::string scheme = SchemeOf(text);
  if (scheme != "http" && scheme != "https") return std::nullopt;
  std::string_view rest = text.substr(scheme.size() + 1);
  if (!rest.starts_with("//")) return std::nullopt;
  rest.remove_prefix(2);
  size_t end = rest.find_first_of("/?#");
  if (end == std::string_view::npos) end = rest.size();
  Url url;
  url.scheme = scheme;
  if (!ParseAuthority(rest.substr(0, end), scheme, &url)) return std::nullopt;
  std::string_view path, query;
  bool has_query = false;
  SplitPathQuery(rest.substr(end), &path, &query, &has_query);
  Finish(&url, path, query);
  return url;
}

std::optional<Url> ResolveUrl(const Url& base, std::string_view reference) {
  reference = Trim(reference);
  if (!SchemeOf(reference).empty()) return ParseUrl(reference);
  if (reference.starts_with("//")) return ParseUrl(base.scheme + ":" + std::string(reference));
  std::string_view path, query;
  bool has_query = false;
  SplitPathQuery(reference, &path, &query, &has_query);
  Url url = base;
  if (path.empty()) {
    // "" and "#frag" are the base itself; "?q" replaces only the query.
    if (has_query) url.query = NormalizePercentEncoding(query, true);
    return url;
  }
  std::string merged;
  if (path.front() == '/') {
    merged = std::string(path);
  } else {
    merged = base.path.substr(0, base.path.rfind('/') + 1) + std::string(path);
  }
  Finish(&url, merged, query);
  return url;
}

std::optional<std::string> NormalizeUrl(std::string_view text) {
  auto url = ParseUrl(text);
  if (!url) return std::nullopt;
  return url->ToString();
}

}  // namespace wissen::crawler
