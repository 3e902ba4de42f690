// PDF text extraction through poppler-cpp. Poppler runs in-process, so everything it does is
// wrapped here: its stderr chatter is silenced, its exceptions stop at this file, and its
// int-sized lengths are checked before the call.
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page.h>

#include <climits>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include "parser_text.h"
#include "wissen/core/text.h"
#include "wissen/crawler/parsers.h"

namespace wissen::crawler {
namespace {

// Poppler reports every oddity of a broken file on stderr, which would flood the structured
// log; the outcome reaches the caller as an Error instead.
void DropPopplerMessage(const std::string& /*message*/, void* /*closure*/) {}

void SilencePoppler() {
  static std::once_flag once;
  std::call_once(once, [] { poppler::set_debug_error_function(DropPopplerMessage, nullptr); });
}

std::string ToUtf8(const poppler::ustring& text) {
  const poppler::byte_array bytes = text.to_utf8();
  return SanitizeUtf8(std::string_view(bytes.data(), bytes.size()));
}

// Office exports name the source file in the Title entry; that prefix is not the title.
std::string StripProducerPrefix(std::string title) {
  for (std::string_view prefix :
       {"Microsoft Word - ", "Microsoft PowerPoint - ", "Microsoft Excel - "}) {
    if (title.starts_with(prefix)) return title.substr(prefix.size());
  }
  return title;
}

std::string FirstLine(std::string_view text) {
  const size_t end = text.find('\n');
  return MakeTitle(text.substr(0, end));
}

Result<ParsedDocument> ParsePdfUnchecked(std::string_view bytes) {
  SilencePoppler();
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    return Fail(ErrorCode::kResourceExhausted, "PDF larger than 2 GiB");
  }
  // load_from_raw_data reads `bytes` in place; they outlive `doc`.
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  if (doc == nullptr) return Fail(ErrorCode::kParse, "not a readable PDF");
  if (doc->is_locked()) return Fail(ErrorCode::kUnsupported, "encrypted PDF");
  const int pages = doc->pages();
  if (pages <= 0) return Fail(ErrorCode::kParse, "PDF has no pages");

  ParsedDocument parsed;
  parsed.mime = "application/pdf";
  parsed.page_count = pages;
  size_t budget = kMaxDocumentTextBytes;
  std::string first_page_text;
  for (int i = 0; i < pages && budget > 0; ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    if (page == nullptr) continue;  // a broken page should not cost the others
    std::string text = CleanPdfText(
        ToUtf8(page->text(poppler::rectf(), poppler::page::non_raw_non_physical_layout)));
    if (text.empty()) continue;
    if (text.size() > budget) text = std::string(Utf8Prefix(text, budget));
    budget -= text.size();
    if (i == 0) first_page_text = text;
    parsed.blocks.push_back(Block{.heading_path = {}, .page = i + 1, .text = std::move(text)});
  }
  parsed.title = MakeTitle(StripProducerPrefix(ToUtf8(doc->info_key("Title"))));
  if (parsed.title.empty()) parsed.title = FirstLine(first_page_text);
  return parsed;
}

}  // namespace

Result<ParsedDocument> ParsePdf(std::string_view bytes) {
  try {
    return ParsePdfUnchecked(bytes);
  } catch (const std::bad_alloc&) {
    return Fail(ErrorCode::kResourceExhausted, "out of memory while parsing PDF");
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kParse, std::string("PDF parser failed: ") + e.what());
  } catch (...) {
    return Fail(ErrorCode::kParse, "PDF parser failed");
  }
}

}  // namespace wissen::crawler
