// What of a file ParseEmail hands to GMime (see mail_parser.h).
#include <string>
#include <string_view>
#include <utility>

#include "charset.h"
#include "mail_parser.h"
#include "wissen/core/text.h"

namespace wissen::crawler {
namespace {

constexpr size_t kMaxCharsetNameBytes = 40;
constexpr size_t kMaxLanguageTagBytes = 20;
// What an unacceptable charset name is replaced with: the likeliest 8-bit charset here, as
// for a body part whose charset ICU does not know (GMime would print "?" for every 8-bit
// byte under an unknown name).
constexpr std::string_view kUnknownCharset = "windows-1252";

// Drops what may precede the header: a UTF-8 BOM and an mbox envelope line ("From a@b ...").
std::string_view SkipPreamble(std::string_view bytes) {
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  if (bytes.starts_with("From ")) {
    const size_t end = bytes.find('\n');
    bytes.remove_prefix(end == std::string_view::npos ? bytes.size() : end + 1);
  }
  return bytes;
}

// Whether the first line is a header field: a name of printable ASCII, then a colon.
bool StartsWithHeaderField(std::string_view bytes) {
  const size_t colon = bytes.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 998) return false;
  for (char c : bytes.substr(0, colon)) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

bool IsAsciiAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// GMime keeps every charset name it converts from in a process-wide table that is never
// pruned (g_mime_charset_iconv_name), and copies the name onto the stack first: names from
// hostile files must come from a finite set and be short. ICU's names are such a set.
bool IsAcceptableCharsetName(std::string_view name) {
  if (name.empty() || name.size() > kMaxCharsetNameBytes) return false;
  for (char c : name) {
    if (!IsAsciiAlnum(c) && c != '-' && c != '_' && c != '.' && c != ':' && c != '+') {
      return false;
    }
  }
  return !CanonicalCharset(name).empty();
}

// Copies the input, replacing ranges, only once a first range is replaced.
class Rewriter {
 public:
  explicit Rewriter(std::string_view input) : input_(input) {}

  void Replace(size_t begin, size_t end, std::string_view with) {
    out_.append(input_.substr(copied_, begin - copied_));
    out_ += with;
    copied_ = end;
    used_ = true;
  }

  // The input up to `end` with the replacements made; false when there were none.
  bool Finish(size_t end, std::string* out) {
    if (!used_) return false;
    out_.append(input_.substr(copied_, end - copied_));
    *out = std::move(out_);
    return true;
  }

 private:
  std::string_view input_;
  std::string out_;
  size_t copied_ = 0;
  bool used_ = false;
};

// The charset of an RFC 2047 encoded word, "=?name?Q?text?=" (also "name*lang"), and of an
// RFC 2231 parameter value, "filename*=name'lang'text", when it is not acceptable: replaced
// by its language-free name when that is acceptable, else by kUnknownCharset.
void ReplaceCharsetNames(std::string_view line, size_t line_start, Rewriter* rewriter) {
  const auto replace = [&](size_t begin, size_t end) {
    const std::string_view name = line.substr(begin, end - begin);
    if (IsAcceptableCharsetName(name)) return;
    const std::string_view language_free = name.substr(0, name.find('*'));
    rewriter->Replace(line_start + begin, line_start + end,
                      IsAcceptableCharsetName(language_free) ? language_free : kUnknownCharset);
  };
  for (size_t pos = line.find("=?"); pos != std::string_view::npos;
       pos = line.find("=?", pos + 2)) {
    const size_t begin = pos + 2;
    const size_t end = line.find('?', begin);
    if (end == std::string_view::npos) break;
    const bool encoded_word = end + 2 < line.size() && line[end + 2] == '?' &&
                              (line[end + 1] == 'Q' || line[end + 1] == 'q' ||
                               line[end + 1] == 'B' || line[end + 1] == 'b');
    if (encoded_word) replace(begin, end);
  }
  for (size_t pos = line.find("*="); pos != std::string_view::npos;
       pos = line.find("*=", pos + 2)) {
    if (pos == 0 || !IsAsciiAlnum(line[pos - 1])) continue;
    size_t begin = pos + 2;
    if (begin < line.size() && line[begin] == '"') ++begin;
    // The name ends at the quote; a value without one has no name. Stopping at "*" and "="
    // keeps the scans of all "*=" in a line linear.
    const size_t end = line.find_first_of("'; \t\"*=", begin);
    if (end == std::string_view::npos || line[end] != '\'' || end == begin) continue;
    const std::string_view language = line.substr(end + 1, kMaxLanguageTagBytes + 1);
    if (language.find('\'') == std::string_view::npos) continue;
    replace(begin, end);
  }
}

}  // namespace

// GMime builds a part for every line that may open one ("--...") and costs about 75 times
// the bytes of header fields in memory, all before we see any part. Header text is counted
// as GMime reads it: from the start, after every "--" line, and after a header block that
// names a message/* type or is empty (a digest's part), up to the next blank line. Body text
// after a "--" line that is no boundary counts too; that only errs on the safe side.
MessageInput PrepareMessageInput(std::string_view bytes) {
  bytes = SkipPreamble(bytes);
  MessageInput input;
  input.is_message = StartsWithHeaderField(bytes);
  input.original = bytes;
  if (!input.is_message) return input;
  Rewriter rewriter(bytes);
  size_t boundary_lines = 0;
  size_t header_bytes = 0;
  bool in_header = true;
  bool header_empty = true;  // no line in the current header block yet
  bool names_message = false;
  size_t pos = 0;
  while (pos < bytes.size()) {
    size_t end = bytes.find('\n', pos);
    end = end == std::string_view::npos ? bytes.size() : end + 1;
    const std::string_view line = bytes.substr(pos, end - pos);
    if (line.starts_with("--")) {
      if (++boundary_lines > kMaxBoundaryLines) {
        input.warning = "more than " + std::to_string(kMaxBoundaryLines) +
                        " MIME boundary lines; the rest of the message was skipped";
        break;
      }
      in_header = true;
      header_empty = true;
      names_message = false;
    } else if (in_header && TrimAscii(line).empty()) {
      in_header = header_empty || names_message;
      header_empty = true;
      names_message = false;
    } else if (in_header) {
      header_bytes += line.size();
      if (header_bytes > kMaxHeaderBytes) {
        input.warning = "header fields longer than " + std::to_string(kMaxHeaderBytes >> 20) +
                        " MiB; the rest of the message was skipped";
        break;
      }
      header_empty = false;
      names_message = names_message || LowerAscii(line).find("message/") != std::string::npos;
      ReplaceCharsetNames(line, pos, &rewriter);
    }
    pos = end;
  }
  input.original = bytes.substr(0, pos);
  input.was_rewritten = rewriter.Finish(pos, &input.rewritten);
  return input;
}

}  // namespace wissen::crawler
