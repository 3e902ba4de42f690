#include "robots.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "url.h"

namespace wissen::crawler {
namespace {

// Longest Crawl-delay honoured: a robots.txt asking for more would stall a nightly crawl.
constexpr int kMaxCrawlDelayMs = 60'000;

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

// '*'-only glob over the whole of `text` (two-pointer backtracking, linear in practice).
bool WildcardMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace

bool RobotsPatternMatches(std::string_view pattern, std::string_view path) {
  if (!pattern.empty() && pattern.back() == '$') {
    return WildcardMatch(pattern.substr(0, pattern.size() - 1), path);
  }
  return WildcardMatch(std::string(pattern) + "*", path);
}

RobotsRules RobotsRules::DisallowAll() {
  RobotsRules rules;
  rules.rules_.push_back({"/", false});
  return rules;
}

RobotsRules RobotsRules::Parse(std::string_view text, std::string_view product_token) {
  const std::string token = Lower(product_token);
  RobotsRules mine, star;
  bool found_mine = false;
  // A group starts with one or more user-agent lines; a rule line ends the agent list.
  bool in_agents = false, group_mine = false, group_star = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string key = Lower(Trim(line.substr(0, colon)));
    const std::string_view value = Trim(line.substr(colon + 1));
    if (key == "user-agent") {
      if (!in_agents) group_mine = group_star = false;
      in_agents = true;
      const std::string agent = Lower(value);
      if (agent == "*") {
        group_star = true;
      } else if (!agent.empty() && agent == token) {
        group_mine = found_mine = true;
      }
      continue;
    }
    if (key == "sitemap") {
      if (!value.empty()) mine.sitemaps_.emplace_back(value);
      continue;
    }
    in_agents = false;
    if (!group_mine && !group_star) continue;
    if (key == "allow" || key == "disallow") {
      // An empty Disallow allows everything, which no rule expresses best.
      if (value.empty()) continue;
      Rule rule{NormalizePercentEncoding(value, /*is_query=*/true), key == "allow"};
      if (group_mine) mine.rules_.push_back(rule);
      if (group_star) star.rules_.push_back(rule);
    } else if (key == "crawl-delay") {
      char* parse_end = nullptr;
      const std::string number(value);
      const double seconds = std::strtod(number.c_str(), &parse_end);
      if (parse_end != number.c_str() && std::isfinite(seconds) && seconds > 0) {
        const int ms = static_cast<int>(std::min(seconds * 1000.0, double{kMaxCrawlDelayMs}));
        if (group_mine) mine.crawl_delay_ms_ = ms;
        if (group_star) star.crawl_delay_ms_ = ms;
      }
    }
  }
  if (!found_mine) {
    mine.rules_ = std::move(star.rules_);
    mine.crawl_delay_ms_ = star.crawl_delay_ms_;
  }
  return mine;
}

bool RobotsRules::Allowed(std::string_view path_and_query) const {
  if (path_and_query == "/robots.txt") return true;
  size_t best_length = 0;
  bool allowed = true;
  bool matched = false;
  for (const Rule& rule : rules_) {
    if (!RobotsPatternMatches(rule.pattern, path_and_query)) continue;
    const size_t length = rule.pattern.size();
    if (!matched || length > best_length || (length == best_length && rule.allow)) {
      allowed = rule.allow;
      best_length = length;
      matched = true;
    }
  }
  return allowed;
}

}  // namespace wissen::crawler
