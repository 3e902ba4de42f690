// Splitting mbox files (mboxo, mboxrd, and the unescaped variants found on file shares).
//
// A message starts after a separator line "From <sender> <date>". Real archives are messier
// than the format: writers that never escape a body line starting with "From ", and files
// glued together without the blank line between messages. So a "From " line separates only
// when a message header line follows it, and, when it does not come after a blank line (or
// at the start of the file), only when it also looks like an envelope (a sender, then a date
// with digits). A body line such as "From the office we send 3 parcels." is text either way.
#include <string>
#include <string_view>
#include <vector>

#include "mail_parser.h"
#include "wissen/core/text.h"
#include "wissen/crawler/parsers.h"

namespace wissen::crawler {

bool IsLeadingMessageHeader(std::string_view name) {
  for (std::string_view known : {"from",
                                 "to",
                                 "cc",
                                 "subject",
                                 "date",
                                 "message-id",
                                 "mime-version",
                                 "received",
                                 "return-path",
                                 "delivered-to",
                                 "reply-to",
                                 "sender",
                                 "content-type",
                                 "in-reply-to",
                                 "references",
                                 "status",
                                 "x-status",
                                 "envelope-to",
                                 "user-agent",
                                 "thread-topic",
                                 "dkim-signature",
                                 "authentication-results",
                                 "arc-seal",
                                 "content-transfer-encoding",
                                 "importance"}) {
    if (name == known) return true;
  }
  return name.starts_with("x-");
}

namespace {

bool IsHeaderLine(std::string_view line) {
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 76) return false;
  for (char c : line.substr(0, colon)) {
    if (c <= ' ' || c > '~') return false;
  }
  return IsLeadingMessageHeader(LowerAscii(line.substr(0, colon)));
}

// "From anna@example.com Mon Mar  4 10:15:00 2024", "From - Mon Mar 04 ...", "From
// 1789012345@xxx Wed Mar 06 10:00:00 +0000 2024": one token, then something with digits.
bool LooksLikeEnvelope(std::string_view line) {
  std::string_view rest = line.substr(5);
  const size_t space = rest.find(' ');
  if (rest.empty() || rest[0] == ' ' || space == std::string_view::npos) return false;
  return rest.substr(space).find_first_of("0123456789") != std::string_view::npos;
}

struct Line {
  std::string_view text;  // without "\n" or "\r\n"
  size_t next;            // offset of the following line, bytes.size() after the last one
};

Line LineAt(std::string_view bytes, size_t pos) {
  size_t end = bytes.find('\n', pos);
  const size_t next = end == std::string_view::npos ? bytes.size() : end + 1;
  if (end == std::string_view::npos) end = bytes.size();
  std::string_view text = bytes.substr(pos, end - pos);
  if (text.ends_with('\r')) text.remove_suffix(1);
  return {text, next};
}

}  // namespace

std::vector<std::string_view> SplitMbox(std::string_view bytes, size_t max_messages) {
  std::vector<std::string_view> messages;
  size_t message_start = 0;
  const auto finish = [&](size_t end) {
    std::string_view message = bytes.substr(message_start, end - message_start);
    while (message.ends_with('\n') || message.ends_with('\r')) message.remove_suffix(1);
    if (!TrimAscii(message).empty()) messages.push_back(message);
  };
  bool after_blank = true;  // the start of the file counts as after a blank line
  size_t pos = 0;
  while (pos < bytes.size() && messages.size() < max_messages) {
    const Line line = LineAt(bytes, pos);
    if (line.text.starts_with("From ")) {
      const bool header_follows =
          line.next < bytes.size() && IsHeaderLine(LineAt(bytes, line.next).text);
      if (pos == 0 || (header_follows && (after_blank || LooksLikeEnvelope(line.text)))) {
        finish(pos);
        message_start = line.next;
      }
    }
    after_blank = TrimAscii(line.text).empty();
    pos = line.next;
  }
  if (messages.size() < max_messages) finish(bytes.size());
  return messages;
}

}  // namespace wissen::crawler
