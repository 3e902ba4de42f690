// robots.txt (RFC 9309) for the web source: which paths Wissen may fetch from one origin.
// Private to the crawler. Immutable after parsing; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace wissen::crawler {

class RobotsRules {
 public:
  // Everything allowed (no robots.txt, or a 4xx for it).
  static RobotsRules AllowAll() { return RobotsRules(); }
  // Nothing allowed: robots.txt could not be fetched (5xx, unreachable), as RFC 9309 asks.
  static RobotsRules DisallowAll();

  // Parses robots.txt for `product_token` (case-insensitive, e.g. "wissen"): the groups naming
  // it are merged; without any, the "*" groups apply. Unknown lines and garbage are ignored.
  static RobotsRules Parse(std::string_view text, std::string_view product_token);

  // Whether `path_and_query` ("/a/b?x=1", percent-encoding normalized) may be fetched: the
  // longest matching rule wins ('*' any run, '$' end of URL), Allow wins a tie, no match
  // allows. "/robots.txt" is always allowed.
  bool Allowed(std::string_view path_and_query) const;

  // Crawl-delay of the applying group in milliseconds, 0 when none.
  int crawl_delay_ms() const { return crawl_delay_ms_; }
  // Sitemap: lines, wherever they appear (they belong to no group).
  const std::vector<std::string>& sitemaps() const { return sitemaps_; }

 private:
  struct Rule {
    std::string pattern;
    bool allow = false;
  };
  std::vector<Rule> rules_;
  int crawl_delay_ms_ = 0;
  std::vector<std::string> sitemaps_;
};

// Whether a robots.txt pattern ('*' wildcard, trailing '$' anchor) matches the start of
// `path` (all of it with '$').
bool RobotsPatternMatches(std::string_view pattern, std::string_view path);

}  // namespace wissen::crawler
