#include "parser_text.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <cstdint>
#include <vector>

#include "wissen/core/text.h"

namespace wissen::crawler {
namespace {

bool IsAsciiSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool IsDroppedControl(unsigned char c) { return (c < 0x20 && !IsAsciiSpace(c)) || c == 0x7F; }

// Code point ending at byte `end` (exclusive) of `text`, or -1.
UChar32 LastCodePoint(std::string_view text, size_t end) {
  if (end == 0) return -1;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  auto i = static_cast<int32_t>(end);
  UChar32 c;
  U8_PREV(s, 0, i, c);
  return c;
}

UChar32 FirstCodePoint(std::string_view text) {
  if (text.empty()) return -1;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  int32_t i = 0;
  UChar32 c;
  U8_NEXT(s, i, static_cast<int32_t>(text.size()), c);
  return c;
}

// Collapses ASCII white space runs to one space, drops control characters, trims.
std::string NormalizeLine(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  bool space = false;
  for (unsigned char c : line) {
    if (IsAsciiSpace(c)) {
      space = !out.empty();
    } else if (!IsDroppedControl(c)) {
      if (space) out += ' ';
      space = false;
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace

std::string MakeTitle(std::string_view text) {
  std::string collapsed = CollapseWhitespace(text.substr(0, 64 * 1024));
  const auto* s = reinterpret_cast<const uint8_t*>(collapsed.data());
  const auto length = static_cast<int32_t>(collapsed.size());
  int32_t i = 0;
  for (size_t n = 0; n < kMaxTitleCodePoints && i < length; ++n) U8_FWD_1(s, i, length);
  if (i < length) {
    collapsed.resize(i);
    collapsed = std::string(TrimAscii(collapsed));
  }
  return collapsed;
}

void TextBuilder::Append(std::string_view piece) {
  if (piece.size() > *budget_) piece = Utf8Prefix(piece, *budget_);
  out_.append(piece);
  *budget_ -= piece.size();
  if (piece.empty()) *budget_ = 0;  // nothing more fits: stop early everywhere
}

void TextBuilder::AddText(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && *budget_ > 0) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (IsAsciiSpace(c)) {
      pending_space_ = true;
      ++i;
      continue;
    }
    if (IsDroppedControl(c)) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < text.size() && !IsAsciiSpace(static_cast<unsigned char>(text[end])) &&
           !IsDroppedControl(static_cast<unsigned char>(text[end]))) {
      ++end;
    }
    if (!out_.empty()) {
      if (pending_break_ == 2) {
        Append("\n\n");
      } else if (pending_break_ == 1) {
        Append("\n");
      } else if (pending_space_) {
        Append(" ");
      }
    }
    pending_break_ = 0;
    pending_space_ = false;
    Append(text.substr(i, end - i));
    i = end;
  }
}

void TextBuilder::AddLines(std::string_view text) {
  bool after_newline = false;  // a "\n" precedes the current line
  bool blank_seen = false;     // a blank line lies between the last text and this line
  size_t start = 0;
  while (*budget_ > 0) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    bool blank = true;
    for (unsigned char c : line) blank = blank && (IsAsciiSpace(c) || IsDroppedControl(c));
    if (blank) {
      blank_seen = blank_seen || after_newline;
    } else {
      if (blank_seen) {
        ParagraphBreak();
      } else if (after_newline) {
        LineBreak();
      }
      AddText(line);
      blank_seen = false;
    }
    if (end == text.size()) break;
    after_newline = true;
    start = end + 1;
  }
}

std::string TextBuilder::Take() {
  std::string text = std::move(out_);
  out_.clear();
  pending_break_ = 0;
  pending_space_ = false;
  return text;
}

std::string CleanPdfText(std::string_view text) {
  // Poppler separates pages and flows with form feeds; they are paragraph breaks here.
  std::vector<std::string> paragraphs;
  std::string paragraph;
  auto end_paragraph = [&] {
    if (!paragraph.empty()) paragraphs.push_back(std::move(paragraph));
    paragraph.clear();
  };
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find_first_of("\n\r\f", start);
    if (end == std::string_view::npos) end = text.size();
    std::string line = NormalizeLine(text.substr(start, end - start));
    if (line.empty()) {
      end_paragraph();
    } else if (paragraph.empty()) {
      paragraph = std::move(line);
    } else {
      const UChar32 last = LastCodePoint(paragraph, paragraph.size());
      const UChar32 next = FirstCodePoint(line);
      if (last == 0x00AD) {  // soft hyphen: always a word split
        paragraph.resize(paragraph.size() - 2);
        paragraph += line;
      } else if (last == '-' && u_islower(next) &&
                 u_isalpha(LastCodePoint(paragraph, paragraph.size() - 1))) {
        paragraph.pop_back();
        paragraph += line;
      } else {
        paragraph += '\n';
        paragraph += line;
      }
    }
    if (end < text.size() && text[end] == '\f') end_paragraph();
    if (end < text.size() && text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n') {
      ++end;
    }
    start = end + 1;
  }
  end_paragraph();
  std::string out;
  for (const std::string& p : paragraphs) {
    if (!out.empty()) out += "\n\n";
    out += p;
  }
  return out;
}

}  // namespace wissen::crawler
