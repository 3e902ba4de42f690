// Parses [ocr]: recognising scanned PDF pages with Tesseract.
#include <string>

#include "config_reader.h"

namespace wissen::app::internal {

namespace {

// Tesseract names languages with lower-case ISO 639-2 codes and script names
// ("deu", "eng", "chi_sim", "script/Latin"), joined by '+'.
bool IsLanguageList(const std::string& languages) {
  if (languages.empty() || languages.front() == '+' || languages.back() == '+') return false;
  for (size_t i = 0; i < languages.size(); ++i) {
    const char c = languages[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '/' || (c == '+' && languages[i - 1] != '+');
    if (!ok) return false;
  }
  return languages.find("..") == std::string::npos;
}

}  // namespace

void ReadOcr(Reader& r, const toml::table& root, const std::filesystem::path& base,
             Config* config) {
  OcrConfig& ocr = config->ocr;
  const toml::table* table = r.Table(root, "ocr");
  if (table == nullptr) return;
  const char* where = "ocr";
  r.OnlyKeys(
      *table, where,
      {"enabled", "languages", "threads", "page_timeout_s", "dpi", "max_pages", "tessdata_dir"});
  r.Bool(*table, where, "enabled", &ocr.enabled);
  r.String(*table, where, "languages", &ocr.options.languages);
  if (!IsLanguageList(ocr.options.languages)) {
    r.Problem("ocr.languages", "expected Tesseract language codes joined by '+', e.g. \"deu+eng\"");
  }
  r.Integer(*table, where, "threads", &ocr.options.threads, 0, 256);
  int page_timeout_s = ocr.options.page_timeout_ms / 1000;
  r.Integer(*table, where, "page_timeout_s", &page_timeout_s, 1, 3600);
  ocr.options.page_timeout_ms = page_timeout_s * 1000;
  r.Integer(*table, where, "dpi", &ocr.options.dpi, 70, 600);
  r.Integer(*table, where, "max_pages", &ocr.options.max_pages, 1, 1000000);
  std::string tessdata_dir;
  r.String(*table, where, "tessdata_dir", &tessdata_dir);
  if (!tessdata_dir.empty()) ocr.options.tessdata_dir = Resolve(base, tessdata_dir).string();
}

}  // namespace wissen::app::internal
