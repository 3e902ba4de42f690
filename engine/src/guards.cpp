// Instruction neutralization, injection detection, citation validation and redaction.
//
// Patterns are ICU regular expressions (std::regex is neither Unicode-aware nor fast), one
// alternation per purpose, compiled once. A RegexPattern is immutable and may be shared
// between threads; every call makes its own RegexMatcher.
#include "wissen/engine/guards.h"

#include <unicode/regex.h>
#include <unicode/unistr.h>

#include <cassert>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "wissen/core/text.h"

namespace wissen::engine {
namespace {

icu::UnicodeString FromUtf8(std::string_view text) {
  return icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
}

std::string ToUtf8(const icu::UnicodeString& text) {
  std::string out;
  text.toUTF8String(out);
  return out;
}

// Joins the alternatives into one pattern "(?:a)|(?:b)|...".
std::unique_ptr<icu::RegexPattern> Compile(std::initializer_list<std::string_view> parts,
                                           uint32_t flags) {
  std::string joined;
  for (std::string_view part : parts) {
    if (!joined.empty()) joined += '|';
    joined += "(?:";
    joined += part;
    joined += ')';
  }
  UErrorCode status = U_ZERO_ERROR;
  UParseError parse_error;
  std::unique_ptr<icu::RegexPattern> pattern(
      icu::RegexPattern::compile(FromUtf8(joined), flags, parse_error, status));
  // The patterns are constants: a failure is a bug the unit tests catch.
  assert(U_SUCCESS(status));
  if (U_FAILURE(status)) return nullptr;
  return pattern;
}

constexpr uint32_t kTextFlags = UREGEX_CASE_INSENSITIVE | UREGEX_MULTILINE;

// Instructions aimed at a model, as they appear in documents and questions alike.
const icu::RegexPattern* InstructionPattern() {
  static const std::unique_ptr<icu::RegexPattern> pattern = Compile(
      {
          // "ignore (all) previous instructions", "disregard your rules", ...
          R"(\b(?:ignore|disregard|forget|override|bypass|circumvent)\s+(?:(?:all|any|every|your|these|those)\s+(?:(?:of\s+)?(?:the|your)\s+)?(?:(?:previous|prior|above|earlier|preceding|system|original|safety|security|access|role)\s+)?|(?:the\s+)?(?:previous|prior|above|earlier|preceding|system|original|safety|security|access|role)\s+)(?:instructions?|prompts?|rules|directions|directives|guidelines|commands|context|messages|restrictions|policies|checks|permissions))",
          R"(\b(?:from\s+now\s+on,?\s+)?you\s+are\s+now\b)",
          R"(\bfrom\s+now\s+on,?\s+you\s+(?:are|will|must|shall)\b)",
          R"(\bpretend\s+(?:to\s+be|you\s+are|that\s+you)\b)",
          R"(\bact\s+as\s+(?:if\s+you|though\s+you|an?\s+(?:admin|administrator|root|unrestricted|unfiltered)))",
          R"(\bnew\s+(?:system\s+)?instructions?\s*:)",
          R"(\b(?:admin|administrator|god)\s+mode|\bsystem\s+override\b)",
          R"(\b(?:system|hidden|initial)\s+prompt\b)",
          R"(\bjailbreak|\bdo\s+anything\s+now\b)",
          // German.
          R"(\b(?:ignorier(?:e|t|en\s+sie)?|vergiss|vergessen\s+sie|missachte|missachten\s+sie|übergeh(?:e|en\s+sie)|umgeh(?:e|en\s+sie))\s+(?:(?:alle|sämtliche|jegliche|deine|ihre|die|diese)\s+)?(?:(?:vorherigen|vorigen|bisherigen|obigen|vorangegangenen|früheren|ursprünglichen|bestehenden)\s+)?(?:anweisungen|instruktionen|regeln|vorgaben|anordnungen|befehle|richtlinien|zugriffsregeln|rollenprüfungen|berechtigungen|einschränkungen)\b)",
          R"(\bdu\s+bist\s+(?:jetzt|nun|ab\s+sofort|ab\s+jetzt|von\s+nun\s+an)\b)",
          R"(\bab\s+(?:jetzt|sofort)\s+bist\s+du\b)",
          R"(\bneue\s+(?:system-?)?anweisung(?:en)?(?:\s+\S+){0,3}\s*:)",
          R"(\b(?:admin|administrator|gott)-?modus\b)",
          R"(\bsystem-?(?:prompt|anweisung(?:en)?)\b)",
          R"(\btu\s+so,?\s+als\s+(?:ob\s+)?(?:du|wärst)\b)",
          R"(\b(?:rollen|berechtigungs|zugriffs)prüfung(?:en)?\s+(?:sind|ist|wurden|wurde)\s+(?:jetzt\s+|nun\s+)?(?:deaktiviert|abgeschaltet|aufgehoben)\b)",
          // Chat-template tokens and role markers.
          R"(<\|[a-z_]{2,30}\|>)",
          R"(\[/?INST\]|<<\s*/?SYS\s*>>|</s>)",
          R"(^[ \t]*#{1,6}[ \t]*(?:system|instructions?|assistant|response|prompt)[ \t]*:?[ \t]*$)",
          R"(^[ \t]*(?:system|assistant|assistent|developer|systemnachricht)[ \t]*:)",
          R"(</?\s*(?:context|kontext|system|instructions?|anweisungen?|documents?|dokumente?)\s*>)",
      },
      kTextFlags);
  return pattern.get();
}

// Patterns that are suspicious in a question but ordinary in a document.
const icu::RegexPattern* QuestionPattern() {
  static const std::unique_ptr<icu::RegexPattern> pattern = Compile(
      {
          R"(\b(?:user\.)?roles?\s*[:=]\s*[\[{(])",
          R"(\bpretend\b|\brole-?play\s+as\b)",
          R"(\b(?:raw|unfiltered|hidden|full|entire|complete)\s+(?:context|prompt|system\s+prompt)\b)",
          R"(\byou\s+(?:saw|see|were\s+given|received|got)\s+in\s+(?:the|your)\s+(?:context|prompt)\b)",
          R"(\b(?:in|from)\s+your\s+(?:context|prompt|index|database|instructions|memory|training\s+data)\b)",
          R"(\b(?:would|normally|usually)\s+(?:normally\s+)?(?:filter|hide|withhold|redact|suppress)\b)",
          R"(\b(?:without|ignoring|bypassing)\s+(?:the\s+|any\s+)?(?:access|role|permission)\s+(?:rules|checks|restrictions)\b)",
          R"(\b(?:rollen|berechtigungs|zugriffs)prüfung(?:en)?\b.{0,40}\b(?:deaktiviert|abgeschaltet|aufgehoben|umgehen|ignorieren)\b)",
          R"(\b(?:in|aus)\s+deinem\s+(?:kontext|prompt|index|speicher)\b)",
          R"(\b(?:gesamten|vollständigen|rohen|ungefilterten)\s+(?:kontext|prompt|systemprompt)\b)",
      },
      kTextFlags);
  return pattern.get();
}

bool Finds(const icu::RegexPattern* pattern, const icu::UnicodeString& text) {
  if (pattern == nullptr) return false;
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::RegexMatcher> matcher(pattern->matcher(text, status));
  if (U_FAILURE(status)) return false;
  const bool found = matcher->find(status);
  return U_SUCCESS(status) && found;
}

// Rebuilds `text` with every match of `pattern` replaced by what `replace` returns for it;
// std::nullopt keeps the match as it was.
using Replacer = std::function<std::optional<icu::UnicodeString>(const icu::UnicodeString&)>;

icu::UnicodeString ReplaceMatches(const icu::RegexPattern* pattern, const icu::UnicodeString& text,
                                  const Replacer& replace) {
  if (pattern == nullptr) return text;
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::RegexMatcher> matcher(pattern->matcher(text, status));
  if (U_FAILURE(status)) return text;
  icu::UnicodeString out;
  int32_t last = 0;
  while (matcher->find(status) && U_SUCCESS(status)) {
    const int32_t start = matcher->start(status);
    const int32_t end = matcher->end(status);
    if (U_FAILURE(status) || end <= start) continue;
    std::optional<icu::UnicodeString> replacement =
        replace(icu::UnicodeString(text, start, end - start));
    if (!replacement) continue;
    out.append(text, last, start - last);
    out.append(*replacement);
    last = end;
  }
  out.append(text, last, text.length() - last);
  return out;
}

// ---- Redaction -------------------------------------------------------------------------

std::string DigitsAndLetters(const icu::UnicodeString& match) {
  std::string out;
  for (int32_t i = 0; i < match.length(); ++i) {
    const char16_t c = match[i];
    if (c >= '0' && c <= '9') out += static_cast<char>(c);
    if (c >= 'a' && c <= 'z') out += static_cast<char>(c - 'a' + 'A');
    if (c >= 'A' && c <= 'Z') out += static_cast<char>(c);
  }
  return out;
}

bool AllDigits(std::string_view text) {
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return !text.empty();
}

bool IbanChecksumValid(const std::string& iban) {
  if (iban.size() < 15 || iban.size() > 34) return false;
  const std::string rearranged = iban.substr(4) + iban.substr(0, 4);
  int remainder = 0;
  for (char c : rearranged) {
    if (c >= '0' && c <= '9') {
      remainder = (remainder * 10 + (c - '0')) % 97;
    } else {
      remainder = (remainder * 100 + (c - 'A' + 10)) % 97;
    }
  }
  return remainder == 1;
}

bool LooksLikeIban(const std::string& iban) {
  if (IbanChecksumValid(iban)) return true;
  const std::string_view country = std::string_view(iban).substr(0, 2);
  const std::string_view rest = std::string_view(iban).substr(2);
  return AllDigits(rest) &&
         ((country == "DE" && iban.size() == 22) || (country == "AT" && iban.size() == 20) ||
          (country == "CH" && iban.size() == 21));
}

bool LuhnValid(std::string_view digits) {
  int sum = 0;
  bool twice = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int d = *it - '0';
    if (twice) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

bool KnownCardPrefix(std::string_view d) {
  const auto prefix = [&](size_t n) { return std::stoi(std::string(d.substr(0, n))); };
  if (d[0] == '4') return true;  // Visa
  const int two = prefix(2);
  const int four = prefix(4);
  if (two >= 51 && two <= 55) return true;                  // Mastercard
  if (four >= 2221 && four <= 2720) return true;            // Mastercard 2-series
  if (two == 34 || two == 37) return true;                  // American Express
  if (two == 36 || two == 38 || two == 30) return true;     // Diners Club
  if (two == 35 || two == 65 || four == 6011) return true;  // JCB, Discover
  return prefix(3) >= 644 && prefix(3) <= 649;              // Discover
}

const icu::RegexPattern* IbanPattern() {
  static const auto pattern =
      Compile({R"(\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b)"},
              UREGEX_CASE_INSENSITIVE);
  return pattern.get();
}

const icu::RegexPattern* EmailPattern() {
  static const auto pattern =
      Compile({R"([\p{L}\p{N}._%+\-]+@[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)*\.\p{L}{2,24}\b)"}, 0);
  return pattern.get();
}

const icu::RegexPattern* CardPattern() {
  static const auto pattern =
      Compile({R"((?<![\w+\-.,])(?:[0-9][ \-]?){12,18}[0-9](?![\w\-]))"}, 0);
  return pattern.get();
}

const icu::RegexPattern* PhonePattern() {
  static const auto pattern = Compile(
      {
          // International: +49 711 123456, 0049 (0)711-123456, +1 555 123 4567.
          R"((?<![\w+\-/.,])(?:\+|00)[1-9][0-9]{0,2}(?:[ \-/]?\(0\))?(?:[ \-/]?\(?[0-9]{1,5}\)?){2,6}(?![\w\-]))",
          // German national: 0711 123456, 030/12345678, (0711) 123 45 67, 0171-1234567.
          R"((?<![\w+\-/.,])(?:\(0[0-9]{2,5}\)|0[0-9]{2,5})(?: ?[\-/] ?| )[0-9]{2,}(?:[ \-][0-9]{2,})*(?![\w\-]))",
      },
      0);
  return pattern.get();
}

int CountDigits(const icu::UnicodeString& text) {
  int n = 0;
  for (int32_t i = 0; i < text.length(); ++i) n += text[i] >= '0' && text[i] <= '9';
  return n;
}

}  // namespace

std::string NeutralizeInstructions(std::string_view passage_text) {
  const icu::UnicodeString text = FromUtf8(passage_text);
  if (!Finds(InstructionPattern(), text)) return std::string(passage_text);
  const icu::UnicodeString marker = FromUtf8(kNeutralizedMarker);
  return ToUtf8(ReplaceMatches(InstructionPattern(), text,
                               [&](const icu::UnicodeString&) { return marker; }));
}

bool LooksLikeInjection(std::string_view question) {
  // NFKC folds full-width letters and ligatures that would slip past the patterns.
  const icu::UnicodeString text = FromUtf8(NormalizeForMatch(question));
  return Finds(InstructionPattern(), text) || Finds(QuestionPattern(), text);
}

std::string RedactPersonalData(std::string_view text, RedactionCounts* counts) {
  RedactionCounts local;
  icu::UnicodeString current = FromUtf8(SanitizeUtf8(text));

  const icu::UnicodeString iban_marker = FromUtf8(kRedactedIban);
  current =
      ReplaceMatches(IbanPattern(), current,
                     [&](const icu::UnicodeString& match) -> std::optional<icu::UnicodeString> {
                       if (!LooksLikeIban(DigitsAndLetters(match))) return std::nullopt;
                       ++local.iban;
                       return iban_marker;
                     });

  const icu::UnicodeString email_marker = FromUtf8(kRedactedEmail);
  current = ReplaceMatches(EmailPattern(), current,
                           [&](const icu::UnicodeString&) -> std::optional<icu::UnicodeString> {
                             ++local.email;
                             return email_marker;
                           });

  const icu::UnicodeString card_marker = FromUtf8(kRedactedCard);
  current =
      ReplaceMatches(CardPattern(), current,
                     [&](const icu::UnicodeString& match) -> std::optional<icu::UnicodeString> {
                       const std::string digits = DigitsAndLetters(match);
                       if (digits.size() < 13 || digits.size() > 19 || !KnownCardPrefix(digits) ||
                           !LuhnValid(digits)) {
                         return std::nullopt;
                       }
                       ++local.credit_card;
                       return card_marker;
                     });

  const icu::UnicodeString phone_marker = FromUtf8(kRedactedPhone);
  current =
      ReplaceMatches(PhonePattern(), current,
                     [&](const icu::UnicodeString& match) -> std::optional<icu::UnicodeString> {
                       const int digits = CountDigits(match);
                       if (digits < 9 || digits > 15) return std::nullopt;
                       ++local.phone;
                       return phone_marker;
                     });

  if (counts != nullptr) *counts = local;
  return ToUtf8(current);
}

// ---- Citations -------------------------------------------------------------------------

namespace {

bool IsCodeChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         c == ')';
}

void AddDistinct(std::vector<int>* ids, int id) {
  for (int existing : *ids) {
    if (existing == id) return;
  }
  ids->push_back(id);
}

// Parses a marker starting at text[pos] == '['. On success returns the end (one past ']')
// and the ids; an id too long to be one is returned as -1.
std::optional<size_t> ParseMarker(std::string_view text, size_t pos, std::vector<int>* ids) {
  ids->clear();
  size_t i = pos + 1;
  const auto skip_spaces = [&] {
    while (i < text.size() && text[i] == ' ') ++i;
  };
  skip_spaces();
  while (true) {
    const size_t digits_start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (i == digits_start) return std::nullopt;
    const std::string_view digits = text.substr(digits_start, i - digits_start);
    ids->push_back(digits.size() > 6 ? -1 : std::stoi(std::string(digits)));
    skip_spaces();
    if (i >= text.size()) return std::nullopt;
    if (text[i] == ']') return i + 1;
    if (text[i] != ',' && text[i] != ';') return std::nullopt;
    ++i;
    skip_spaces();
  }
}

}  // namespace

CitationCheck ValidateCitations(std::string_view answer, int context_size) {
  CitationCheck check;
  check.text.reserve(answer.size());
  std::vector<int> ids;
  size_t copied = 0;  // answer[0, copied) is in check.text
  size_t last_marker_end = std::string_view::npos;
  size_t pos = 0;
  while ((pos = answer.find('[', pos)) != std::string_view::npos) {
    const bool after_marker = pos == last_marker_end;
    if (pos > 0 && !after_marker && IsCodeChar(answer[pos - 1])) {
      ++pos;
      continue;
    }
    // "[1](https://...)" is a Markdown link, not a citation.
    const std::optional<size_t> end = ParseMarker(answer, pos, &ids);
    if (!end || (*end < answer.size() && answer[*end] == '(')) {
      ++pos;
      continue;
    }
    std::vector<int> valid;
    bool any_invalid = false;
    for (int id : ids) {
      if (id >= 1 && id <= context_size) {
        AddDistinct(&valid, id);
        AddDistinct(&check.valid_ids, id);
      } else {
        any_invalid = true;
        if (id >= 0) AddDistinct(&check.invalid_ids, id);
      }
    }
    if (any_invalid) {
      check.text.append(answer.substr(copied, pos - copied));
      if (valid.empty()) {
        if (!check.text.empty() && check.text.back() == ' ') check.text.pop_back();
      } else {
        check.text += '[';
        for (size_t k = 0; k < valid.size(); ++k) {
          if (k > 0) check.text += ", ";
          check.text += std::to_string(valid[k]);
        }
        check.text += ']';
      }
      copied = *end;
    }
    last_marker_end = *end;
    pos = *end;
  }
  check.text.append(answer.substr(copied));
  check.has_valid_citation = !check.valid_ids.empty();
  return check;
}

}  // namespace wissen::engine
