// Quoted replies and format=flowed in e-mail bodies (see mail_parser.h). Replies repeat the
// mails they answer, which are usually indexed on their own: without collapsing, every
// answer in a thread would match the first mail's words and crowd it out of the results.
// Everything here is a single pass over the lines (no std::regex: a long hostile line must
// cost time proportional to its length).
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "mail_parser.h"
#include "wissen/core/text.h"

namespace wissen::crawler {
namespace {

// Attribution and separator lines are short; longer lines are text, whatever they end with.
constexpr size_t kMaxMarkerLineBytes = 500;

bool IsBlank(std::string_view line) { return TrimAscii(line).empty(); }

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && LowerAscii(text.substr(0, prefix.size())) == prefix;
}

bool EndsWithNoCase(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         LowerAscii(text.substr(text.size() - suffix.size())) == suffix;
}

bool IsQuoteLine(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  return i < line.size() && line[i] == '>';
}

// mboxo/mboxrd write a body line "From ..." as ">From ..."; quoting adds "> ".
bool IsEscapedFrom(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && line[i] == '>') ++i;
  return i > 0 && line.substr(i).starts_with("From ");
}

// "On Mon, 4 Mar 2024 at 10:15, Anna <anna@example.com> wrote:" or "Am 04.03.2024 um 10:15
// schrieb Anna <anna@example.com>:". Clients always put the date in, so a digit is required:
// "On the other hand, Goethe wrote:" is text.
bool IsDatedAttribution(std::string_view line) {
  line = TrimAscii(line);
  if (line.size() > kMaxMarkerLineBytes) return false;
  if (line.find_first_of("0123456789") == std::string_view::npos) return false;
  if (line.starts_with("On ") && EndsWithNoCase(line, "wrote:")) return true;
  return line.starts_with("Am ") && line.ends_with(':') &&
         line.find(" schrieb") != std::string_view::npos;
}

// Any attribution, for the line right before a quote: "Anna Müller wrote:" as well.
bool IsAttribution(std::string_view line) {
  line = TrimAscii(line);
  if (line.size() > kMaxMarkerLineBytes) return false;
  return IsDatedAttribution(line) || EndsWithNoCase(line, " wrote:") ||
         EndsWithNoCase(line, " schrieb:");
}

// Gmail wraps a long attribution: "On Mon, Mar 4, 2024 at 10:15 AM Anna Müller <" and
// "anna@example.com> wrote:".
bool IsWrappedAttribution(std::string_view first, std::string_view second) {
  first = TrimAscii(first);
  second = TrimAscii(second);
  if (!(first.starts_with("On ") || first.starts_with("Am ")) ||
      first.size() + second.size() > kMaxMarkerLineBytes) {
    return false;
  }
  return IsDatedAttribution(std::string(first) + " " + std::string(second));
}

// "-----Original Message-----", "-----Ursprüngliche Nachricht-----",
// "-------- Original-Nachricht --------" (Thunderbird).
bool IsHistorySeparator(std::string_view line) {
  line = TrimAscii(line);
  if (line.size() > kMaxMarkerLineBytes || !line.starts_with("--")) return false;
  const size_t begin = line.find_first_not_of("-_ ");
  const size_t end = line.find_last_not_of("-_ ");
  if (begin == std::string_view::npos) return false;
  const std::string middle = LowerAscii(line.substr(begin, end - begin + 1));
  return middle == "original message" || middle == "ursprüngliche nachricht" ||
         middle == "original-nachricht" || middle == "originalnachricht";
}

// "From: Anna", also "*From:* Anna" (Outlook's bold labels in the plain-text version).
bool IsFieldLine(std::string_view line, std::initializer_list<std::string_view> names) {
  line = TrimAscii(line);
  while (line.starts_with('*')) line.remove_prefix(1);
  for (std::string_view name : names) {
    if (StartsWithNoCase(line, name) && line.substr(name.size()).starts_with(':')) return true;
  }
  return false;
}

// Works on byte offsets and writes its output as it goes, remembering only the last two
// lines written: a body of millions of short lines must not cost a vector entry per line.
class QuoteCollapser {
 public:
  QuoteCollapser(std::string_view text, bool keep_history)
      : text_(text), keep_history_(keep_history) {}

  CollapsedText Run() {
    CollapsedText result;
    size_t pos = 0;
    while (pos != kEnd) {
      const Line line = LineAt(pos);
      if (IsBlank(line.text)) {
        EmitBlank();
        pos = line.next;
      } else if (IsQuoteLine(line.text) && !IsEscapedFrom(line.text)) {
        DropAttribution();
        pos = SkipQuoteRun(pos);
        AddMarker();
      } else if (!keep_history_ && StartsHistory(line)) {
        AddMarker();
        result.history_cut = true;
        break;
      } else {
        EmitText(IsEscapedFrom(line.text) ? line.text.substr(1) : line.text);
        pos = line.next;
      }
    }
    result.text = std::move(out_);
    return result;
  }

 private:
  static constexpr size_t kEnd = std::string_view::npos;

  struct Line {
    std::string_view text;  // without the line end
    size_t next;            // offset of the following line; kEnd after the last one
  };

  Line LineAt(size_t pos) const {
    const size_t end = text_.find('\n', pos);
    std::string_view line = text_.substr(pos, end == kEnd ? kEnd : end - pos);
    if (line.ends_with('\r')) line.remove_suffix(1);
    return {line, end == kEnd ? kEnd : end + 1};
  }

  // The first non-blank line at or after `pos`, or kEnd.
  size_t NextText(size_t pos) const {
    while (pos != kEnd) {
      const Line line = LineAt(pos);
      if (!IsBlank(line.text)) return pos;
      pos = line.next;
    }
    return kEnd;
  }

  bool QuoteFollows(size_t pos) const {
    const size_t next = NextText(pos);
    return next != kEnd && IsQuoteLine(LineAt(next).text);
  }

  // Past the quote lines from `pos` on, and the blank lines between them.
  size_t SkipQuoteRun(size_t pos) const {
    while (pos != kEnd) {
      const Line line = LineAt(pos);
      if (IsQuoteLine(line.text)) {
        pos = line.next;
      } else if (IsBlank(line.text) && QuoteFollows(pos)) {
        pos = NextText(pos);
      } else {
        break;
      }
    }
    return pos;
  }

  bool StartsHistory(const Line& line) const {
    if (IsHistorySeparator(line.text)) return true;
    if (IsDatedAttribution(line.text) && !QuoteFollows(line.next)) return true;
    if (line.next != kEnd) {
      const Line second = LineAt(line.next);
      if (!IsBlank(second.text) && IsWrappedAttribution(line.text, second.text) &&
          !QuoteFollows(second.next)) {
        return true;
      }
    }
    if (!IsFieldLine(line.text, {"from", "von"})) return false;
    const size_t next = NextText(line.next);
    return next != kEnd && IsFieldLine(LineAt(next).text, {"sent", "gesendet", "date", "datum"});
  }

  // ---- output: lines each ended by "\n", at most one blank line in a row ----

  std::string_view OutLine(size_t start) const {
    return std::string_view(out_).substr(start, out_.find('\n', start) - start);
  }

  void EmitText(std::string_view line) {
    third_text_ = previous_text_;
    previous_text_ = last_text_;
    last_text_ = out_.size();
    out_ += line;
    out_ += '\n';
  }

  void EmitBlank() {
    if (!out_.empty() && !out_.ends_with("\n\n")) out_ += '\n';
  }

  void DropAttribution() {
    if (last_text_ == kEnd) return;
    const std::string_view last = OutLine(last_text_);
    if (previous_text_ != kEnd) {
      const std::string_view previous = OutLine(previous_text_);
      const bool adjacent = previous_text_ + previous.size() + 1 == last_text_;
      if (adjacent && IsWrappedAttribution(previous, last)) {
        out_.resize(previous_text_);
        last_text_ = third_text_;
        previous_text_ = third_text_ = kEnd;
        return;
      }
    }
    if (IsAttribution(last)) {
      out_.resize(last_text_);
      last_text_ = previous_text_;
      previous_text_ = third_text_;
      third_text_ = kEnd;
    }
  }

  void AddMarker() {
    if (last_text_ != kEnd && OutLine(last_text_) == kCollapsedQuote) {
      out_.resize(last_text_ + kCollapsedQuote.size() + 1);  // and the blank lines after it
      return;
    }
    EmitText(kCollapsedQuote);
  }

  std::string_view text_;
  bool keep_history_;
  std::string out_;
  size_t last_text_ = kEnd;      // where the last non-blank output line starts
  size_t previous_text_ = kEnd;  // the one before it; kEnd when unknown
  size_t third_text_ = kEnd;     // and the one before that
};

}  // namespace

CollapsedText CollapseQuotedText(std::string_view text, bool keep_history) {
  return QuoteCollapser(text, keep_history).Run();
}

std::string UnflowText(std::string_view text, bool delsp) {
  std::string out;
  out.reserve(text.size());
  bool first = true;
  bool continues = false;  // the previous line was flowed
  size_t previous_depth = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.ends_with('\r')) line.remove_suffix(1);
    size_t depth = 0;
    while (depth < line.size() && line[depth] == '>') ++depth;
    std::string_view content = line.substr(depth);
    if (content.starts_with(' ')) content.remove_prefix(1);  // space-stuffing
    if (!(continues && depth == previous_depth)) {
      if (!first) out += '\n';
      out.append(depth, '>');
      if (depth > 0) out += ' ';
    }
    first = false;
    const bool flowed = content.ends_with(' ') && content != "-- ";
    if (flowed && delsp) content.remove_suffix(1);
    out += content;
    continues = flowed;
    previous_depth = depth;
  }
  return out;
}

bool IsForwardSubject(std::string_view subject) {
  subject = TrimAscii(subject);
  if (subject.starts_with('[')) subject.remove_prefix(1);  // "[Fwd: ...]"
  for (std::string_view prefix : {"fwd:", "fw:", "wg:", "tr:", "wtr:"}) {
    if (StartsWithNoCase(subject, prefix)) return true;
  }
  return false;
}

}  // namespace wissen::crawler
