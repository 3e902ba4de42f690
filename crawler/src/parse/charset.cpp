#include "charset.h"

#include <unicode/ucnv.h>
#include <unicode/ucsdet.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cstdint>
#include <memory>

#include "parser_text.h"
#include "wissen/core/text.h"

namespace wissen::crawler {
namespace {

// The detector only needs a sample; long inputs would just cost time.
constexpr size_t kDetectSampleBytes = 64 * 1024;
constexpr const char* kFallbackCharset = "windows-1252";

char ToLowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool StartsWithNoCase(std::string_view text, size_t pos, std::string_view prefix) {
  if (pos > text.size() || text.size() - pos < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (ToLowerAscii(text[pos + i]) != prefix[i]) return false;
  }
  return true;
}

bool IsHtmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

struct ConverterCloser {
  void operator()(UConverter* converter) const { ucnv_close(converter); }
};
struct DetectorCloser {
  void operator()(UCharsetDetector* detector) const { ucsdet_close(detector); }
};

// The charset named after "charset=" in a Content-Type value, or "".
std::string CharsetFromContentType(std::string_view content) {
  const std::string lower = LowerAscii(content);
  const size_t pos = lower.find("charset");
  if (pos == std::string::npos) return "";
  size_t i = pos + 7;
  while (i < lower.size() && IsHtmlSpace(lower[i])) ++i;
  if (i >= lower.size() || lower[i] != '=') return "";
  ++i;
  while (i < lower.size() && IsHtmlSpace(lower[i])) ++i;
  if (i < lower.size() && (lower[i] == '"' || lower[i] == '\'')) ++i;
  size_t end = i;
  while (end < lower.size() && !IsHtmlSpace(lower[end]) && lower[end] != ';' && lower[end] != '"' &&
         lower[end] != '\'') {
    ++end;
  }
  return lower.substr(i, end - i);
}

}  // namespace

std::string CanonicalCharset(std::string_view label) {
  std::string name = LowerAscii(TrimAscii(label));
  if (name.empty() || name.size() > 64) return "";
  if (name == "iso-8859-1" || name == "iso8859-1" || name == "latin1" || name == "latin-1" ||
      name == "l1" || name == "us-ascii" || name == "ascii" || name == "iso_8859-1" ||
      name == "cp819" || name == "ibm819" || name == "x-user-defined") {
    return kFallbackCharset;
  }
  UErrorCode status = U_ZERO_ERROR;
  const char* canonical = ucnv_getCanonicalName(name.c_str(), "IANA", &status);
  if (U_FAILURE(status) || canonical == nullptr) {
    status = U_ZERO_ERROR;
    canonical = ucnv_getCanonicalName(name.c_str(), "MIME", &status);
  }
  if (U_SUCCESS(status) && canonical != nullptr) return canonical;
  // Not an IANA/MIME alias: accept it only if ICU can open a converter by that name.
  status = U_ZERO_ERROR;
  std::unique_ptr<UConverter, ConverterCloser> converter(ucnv_open(name.c_str(), &status));
  if (U_FAILURE(status) || converter == nullptr) return "";
  const char* icu_name = ucnv_getName(converter.get(), &status);
  return U_SUCCESS(status) && icu_name != nullptr ? icu_name : "";
}

std::string BomCharset(std::string_view bytes, size_t* bom_length) {
  *bom_length = 0;
  if (bytes.starts_with("\xEF\xBB\xBF")) {
    *bom_length = 3;
    return "UTF-8";
  }
  if (bytes.starts_with("\xFF\xFE")) {
    *bom_length = 2;
    return "UTF-16LE";
  }
  if (bytes.starts_with("\xFE\xFF")) {
    *bom_length = 2;
    return "UTF-16BE";
  }
  return "";
}

std::string FindMetaCharset(std::string_view head) {
  size_t pos = 0;
  while (pos < head.size()) {
    const size_t lt = head.find('<', pos);
    if (lt == std::string_view::npos) return "";
    if (head.substr(lt).starts_with("<!--")) {
      const size_t close = head.find("-->", lt + 4);
      if (close == std::string_view::npos) return "";
      pos = close + 3;
      continue;
    }
    if (!StartsWithNoCase(head, lt, "<meta") || lt + 5 >= head.size() ||
        !(IsHtmlSpace(head[lt + 5]) || head[lt + 5] == '/')) {
      pos = lt + 1;
      continue;
    }
    // Read the attributes of this <meta ...> tag.
    size_t i = lt + 5;
    std::string charset, http_equiv, content;
    while (i < head.size() && head[i] != '>') {
      if (IsHtmlSpace(head[i]) || head[i] == '/') {
        ++i;
        continue;
      }
      const size_t name_start = i;
      while (i < head.size() && !IsHtmlSpace(head[i]) && head[i] != '=' && head[i] != '>' &&
             head[i] != '/') {
        ++i;
      }
      const std::string name = LowerAscii(head.substr(name_start, i - name_start));
      while (i < head.size() && IsHtmlSpace(head[i])) ++i;
      std::string value;
      if (i < head.size() && head[i] == '=') {
        ++i;
        while (i < head.size() && IsHtmlSpace(head[i])) ++i;
        if (i < head.size() && (head[i] == '"' || head[i] == '\'')) {
          const char quote = head[i++];
          const size_t close = head.find(quote, i);
          const size_t end = close == std::string_view::npos ? head.size() : close;
          value = head.substr(i, end - i);
          i = end + 1;
        } else {
          const size_t value_start = i;
          while (i < head.size() && !IsHtmlSpace(head[i]) && head[i] != '>') ++i;
          value = head.substr(value_start, i - value_start);
        }
      }
      if (name == "charset" && charset.empty()) charset = value;
      if (name == "http-equiv") http_equiv = LowerAscii(TrimAscii(value));
      if (name == "content") content = value;
    }
    if (!charset.empty()) return std::string(TrimAscii(charset));
    if (http_equiv == "content-type") {
      std::string from_content = CharsetFromContentType(content);
      if (!from_content.empty()) return from_content;
    }
    pos = i;
  }
  return "";
}

std::string GuessCharset(std::string_view bytes, bool markup) {
  const std::string_view sample = bytes.substr(0, kDetectSampleBytes);
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UCharsetDetector, DetectorCloser> detector(ucsdet_open(&status));
  if (U_FAILURE(status) || detector == nullptr) return kFallbackCharset;
  ucsdet_enableInputFilter(detector.get(), markup ? 1 : 0);
  ucsdet_setText(detector.get(), sample.data(), static_cast<int32_t>(sample.size()), &status);
  const UCharsetMatch* match = ucsdet_detect(detector.get(), &status);
  if (U_FAILURE(status) || match == nullptr) return kFallbackCharset;
  const int32_t confidence = ucsdet_getConfidence(match, &status);
  const char* name = ucsdet_getName(match, &status);
  // Below this ICU is guessing; windows-1252 is the most likely encoding of a non-UTF-8
  // document in a German or English company.
  constexpr int32_t kMinConfidence = 10;
  if (U_FAILURE(status) || name == nullptr || confidence < kMinConfidence) {
    return kFallbackCharset;
  }
  std::string canonical = CanonicalCharset(name);
  // The bytes are known not to be UTF-8 when this is called.
  if (canonical.empty() || canonical == "UTF-8") return kFallbackCharset;
  return canonical;
}

std::string ConvertToUtf8(std::string_view bytes, std::string_view charset) {
  std::string name(charset);
  if (LowerAscii(name) == "utf-8") return SanitizeUtf8(bytes);
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UConverter, ConverterCloser> converter(ucnv_open(name.c_str(), &status));
  if (U_FAILURE(status) || converter == nullptr) {
    status = U_ZERO_ERROR;
    converter.reset(ucnv_open(kFallbackCharset, &status));
    if (U_FAILURE(status) || converter == nullptr) return SanitizeUtf8(bytes);
  }
  // UnicodeString lengths are int32_t; callers cap inputs far below that, this is a guard.
  const std::string_view input = bytes.substr(0, INT32_MAX / 4);
  icu::UnicodeString unicode(input.data(), static_cast<int32_t>(input.size()), converter.get(),
                             status);
  if (U_FAILURE(status)) return SanitizeUtf8(bytes);
  std::string utf8;
  unicode.toUTF8String(utf8);
  return SanitizeUtf8(utf8);
}

std::string DecodeText(std::string_view bytes) {
  size_t bom_length = 0;
  const std::string bom = BomCharset(bytes, &bom_length);
  if (!bom.empty()) return ConvertToUtf8(bytes.substr(bom_length), bom);
  if (IsValidUtf8(bytes)) return std::string(bytes);
  return ConvertToUtf8(bytes, GuessCharset(bytes, /*markup=*/false));
}

}  // namespace wissen::crawler
