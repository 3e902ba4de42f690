// What of a file ParseEmail hands to GMime (see mail_parser.h).
#include <string>
#include <string_view>

#include "mail_parser.h"
#include "wissen/core/text.h"

namespace wissen::crawler {
namespace {

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

}  // namespace

// GMime builds a part for every line that may open one ("--...") and costs about 75 times
// the bytes of header fields in memory, all before we see any part. Header text is counted
// as GMime reads it: from the start, after every "--" line, and after a header block that
// names a message/* type or is empty (a digest's part), up to the next blank line. Body text
// after a "--" line that is no boundary counts too; that only errs on the safe side.
MessageInput PrepareMessageInput(std::string_view bytes) {
  bytes = SkipPreamble(bytes);
  MessageInput input{bytes, "", StartsWithHeaderField(bytes)};
  if (!input.is_message) return input;
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
        input.bytes = bytes.substr(0, pos);
        input.warning = "more than " + std::to_string(kMaxBoundaryLines) +
                        " MIME boundary lines; the rest of the message was skipped";
        return input;
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
        input.bytes = bytes.substr(0, pos);
        input.warning = "header fields longer than " + std::to_string(kMaxHeaderBytes >> 20) +
                        " MiB; the rest of the message was skipped";
        return input;
      }
      header_empty = false;
      names_message = names_message || LowerAscii(line).find("message/") != std::string::npos;
    }
    pos = end;
  }
  return input;
}

}  // namespace wissen::crawler
