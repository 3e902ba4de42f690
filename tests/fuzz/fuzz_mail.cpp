// Fuzz target: the e-mail parser (crawler/src/parse/mail_parser.h) and the mbox splitter
// (parsers.h). Input: a message or an mbox file. Checks what the contract promises: valid
// UTF-8 everywhere, no empty block or heading, text within kMaxDocumentTextBytes, errors only
// of the documented kinds; and that SplitMbox returns non-empty views inside the input, in
// order, without overlap, at most as many as asked for.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "parse/parser_text.h"
#include "wissen/core/text.h"
#include "wissen/crawler/parsers.h"

namespace {

using wissen::IsValidUtf8;

void CheckDocument(const wissen::Result<wissen::ParsedDocument>& doc) {
  if (!doc) {
    const wissen::ErrorCode code = doc.error().code;
    WISSEN_FUZZ_CHECK(code == wissen::ErrorCode::kParse ||
                      code == wissen::ErrorCode::kResourceExhausted);
    WISSEN_FUZZ_CHECK(IsValidUtf8(doc.error().message));
    return;
  }
  WISSEN_FUZZ_CHECK(doc->mime == "message/rfc822");
  WISSEN_FUZZ_CHECK(IsValidUtf8(doc->title));
  WISSEN_FUZZ_CHECK(IsValidUtf8(doc->author));
  for (const auto& [key, value] : doc->metadata) {
    WISSEN_FUZZ_CHECK(key == "from" || key == "to" || key == "cc" || key == "date");
    WISSEN_FUZZ_CHECK(!value.empty() && IsValidUtf8(value));
  }
  for (const std::string& warning : doc->warnings) WISSEN_FUZZ_CHECK(IsValidUtf8(warning));
  WISSEN_FUZZ_CHECK(doc->warnings.size() <= 50);
  size_t total = 0;
  for (const wissen::Block& block : doc->blocks) {
    WISSEN_FUZZ_CHECK(!wissen::TrimAscii(block.text).empty());
    WISSEN_FUZZ_CHECK(IsValidUtf8(block.text));
    for (const std::string& heading : block.heading_path) {
      WISSEN_FUZZ_CHECK(!heading.empty() && IsValidUtf8(heading));
    }
    total += block.text.size();
  }
  WISSEN_FUZZ_CHECK(total <= wissen::crawler::kMaxDocumentTextBytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  wissen::crawler::ParseOptions options;
  options.max_depth = 2;  // attached messages and one level of their attachments
  CheckDocument(wissen::crawler::ParseEmail(bytes, options));

  constexpr size_t kMaxMessages = 8;
  const std::vector<std::string_view> messages = wissen::crawler::SplitMbox(bytes, kMaxMessages);
  WISSEN_FUZZ_CHECK(messages.size() <= kMaxMessages);
  const char* previous_end = bytes.data();
  for (std::string_view message : messages) {
    WISSEN_FUZZ_CHECK(!message.empty());
    WISSEN_FUZZ_CHECK(message.data() >= previous_end);
    WISSEN_FUZZ_CHECK(message.data() + message.size() <= bytes.data() + bytes.size());
    previous_end = message.data() + message.size();
  }
  // A split file's messages go through the parser too (the first two: the rest is the same).
  for (size_t i = 0; i < messages.size() && i < 2; ++i) {
    if (messages.size() > 1 || messages[i].size() != bytes.size()) {
      CheckDocument(wissen::crawler::ParseEmail(messages[i], options));
    }
  }
  return 0;
}
