// Plain text and Markdown. Markdown keeps its inline markup (it reads fine and is searchable);
// only its structure matters here: ATX headings start sections, fenced code blocks are text
// whose '#' lines are not headings, and YAML front matter is metadata, not body text.
#include <algorithm>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "charset.h"
#include "parser_text.h"
#include "wissen/core/text.h"
#include "wissen/crawler/parsers.h"

namespace wissen::crawler {
namespace {

// Text files beyond this are cut before decoding; the text limit would drop the rest anyway.
constexpr size_t kMaxTextInputBytes = 2 * kMaxDocumentTextBytes;

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == text.size()) break;
    start = end + 1;
  }
  return lines;
}

// Leading spaces of a line, if at most three (Markdown's limit for block markers), else npos.
size_t MarkerIndent(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && line[i] == ' ') ++i;
  return i <= 3 ? i : std::string_view::npos;
}

struct Heading {
  int level = 0;  // 0: the line is not a heading
  std::string text;
};

// An ATX heading: up to three spaces, 1-6 '#', then white space or the end of the line; an
// optional closing run of '#' is dropped.
Heading ParseAtxHeading(std::string_view line) {
  const size_t indent = MarkerIndent(line);
  if (indent == std::string_view::npos) return {};
  line.remove_prefix(indent);
  size_t hashes = 0;
  while (hashes < line.size() && line[hashes] == '#') ++hashes;
  if (hashes == 0 || hashes > 6) return {};
  if (hashes < line.size() && line[hashes] != ' ' && line[hashes] != '\t') return {};
  std::string_view rest = TrimAscii(line.substr(hashes));
  size_t closing = rest.size();
  while (closing > 0 && rest[closing - 1] == '#') --closing;
  if (closing == 0 || rest[closing - 1] == ' ' || rest[closing - 1] == '\t') {
    rest = TrimAscii(rest.substr(0, closing));
  }
  return {static_cast<int>(hashes), MakeTitle(rest)};
}

// An opening or closing code fence: "```" or "~~~" (three or more) after up to three spaces.
// Returns the fence character and run length, or {0, 0}.
std::pair<char, size_t> CodeFence(std::string_view line) {
  const size_t indent = MarkerIndent(line);
  if (indent == std::string_view::npos || indent >= line.size()) return {0, 0};
  const char c = line[indent];
  if (c != '`' && c != '~') return {0, 0};
  size_t run = 0;
  while (indent + run < line.size() && line[indent + run] == c) ++run;
  if (run < 3) return {0, 0};
  return {c, run};
}

// Lines of a leading YAML front matter block ("---" ... "---"), 0 when there is none. Its
// "title:" value, if any, goes to *title.
size_t FrontMatter(const std::vector<std::string_view>& lines, std::string* title) {
  if (lines.empty() || TrimAscii(lines[0]) != "---") return 0;
  constexpr size_t kMaxFrontMatterLines = 200;
  for (size_t i = 1; i < lines.size() && i < kMaxFrontMatterLines; ++i) {
    const std::string_view line = TrimAscii(lines[i]);
    if (line == "---" || line == "...") return i + 1;
    if (line.starts_with("title:") && title->empty()) {
      std::string_view value = TrimAscii(line.substr(6));
      if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
          value.back() == value.front()) {
        value = value.substr(1, value.size() - 2);
      }
      *title = MakeTitle(value);
    }
  }
  title->clear();  // no closing marker: it was a thematic break, not front matter
  return 0;
}

class SectionWriter {
 public:
  explicit SectionWriter(std::vector<Block>* blocks) : blocks_(blocks), text_(&budget_) {}

  TextBuilder& text() { return text_; }
  bool full() const { return text_.full(); }

  // Closes the current section and opens one under `heading`; level 1 with `is_title`
  // opens a section with no path (the title is not a path element).
  void StartSection(int level, std::string heading, bool is_title) {
    Flush();
    while (!stack_.empty() && stack_.back().first >= level) stack_.pop_back();
    if (!is_title && !heading.empty()) stack_.emplace_back(level, std::move(heading));
  }

  void Flush() {
    if (text_.empty()) return;
    Block block;
    for (const auto& [level, heading] : stack_) block.heading_path.push_back(heading);
    block.text = text_.Take();
    blocks_->push_back(std::move(block));
  }

 private:
  std::vector<Block>* blocks_;
  size_t budget_ = kMaxDocumentTextBytes;
  TextBuilder text_;
  std::vector<std::pair<int, std::string>> stack_;
};

std::string FirstNonEmptyLine(const std::vector<std::string_view>& lines, size_t from) {
  for (size_t i = from; i < lines.size(); ++i) {
    std::string title = MakeTitle(lines[i]);
    if (!title.empty()) return title;
  }
  return "";
}

ParsedDocument ParseTextUnchecked(std::string_view bytes, bool markdown) {
  const std::string text = DecodeText(Utf8Prefix(bytes, kMaxTextInputBytes));
  const std::vector<std::string_view> lines = SplitLines(text);
  ParsedDocument parsed;
  parsed.mime = markdown ? "text/markdown" : "text/plain";
  SectionWriter writer(&parsed.blocks);

  if (!markdown) {
    parsed.title = FirstNonEmptyLine(lines, 0);
    writer.text().AddLines(text);
    writer.Flush();
    return parsed;
  }

  std::string front_matter_title;
  const size_t first_line = FrontMatter(lines, &front_matter_title);
  bool title_heading_seen = false;
  std::pair<char, size_t> open_fence{0, 0};
  for (size_t i = first_line; i < lines.size() && !writer.full(); ++i) {
    const std::string_view line = lines[i];
    const auto fence = CodeFence(line);
    if (open_fence.first != 0) {
      // A closing fence uses the opening character, at least as many times, and nothing else.
      if (fence.first == open_fence.first && fence.second >= open_fence.second &&
          TrimAscii(line).size() == fence.second) {
        open_fence = {0, 0};
        continue;
      }
    } else if (fence.first != 0) {
      open_fence = fence;
      continue;
    } else if (Heading heading = ParseAtxHeading(line); heading.level > 0) {
      const bool is_title = heading.level == 1 && !title_heading_seen && !heading.text.empty();
      if (is_title) {
        title_heading_seen = true;
        parsed.title = heading.text;
      }
      writer.StartSection(heading.level, std::move(heading.text), is_title);
      continue;
    }
    if (TrimAscii(line).empty()) {
      writer.text().ParagraphBreak();
    } else {
      writer.text().LineBreak();
      writer.text().AddText(line);
    }
  }
  writer.Flush();
  if (parsed.title.empty()) parsed.title = front_matter_title;
  if (parsed.title.empty()) {
    std::string first = FirstNonEmptyLine(lines, first_line);
    Heading heading = ParseAtxHeading(first);
    parsed.title = heading.level > 0 ? heading.text : first;
  }
  return parsed;
}

}  // namespace

Result<ParsedDocument> ParseText(std::string_view bytes, bool markdown) {
  try {
    return ParseTextUnchecked(bytes, markdown);
  } catch (const std::bad_alloc&) {
    return Fail(ErrorCode::kResourceExhausted, "out of memory while parsing text");
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInternal, std::string("text parser failed: ") + e.what());
  }
}

}  // namespace wissen::crawler
