// E-mail (RFC 5322 / MIME) reading with GMime 3, behind ParseEmail and SplitMbox (parsers.h).
// Private to the crawler. Thread-safe: GMime is initialised once, every call owns its objects.
//
// Contract for ParseEmail:
// - Input: one message. A leading mbox "From " envelope line and a UTF-8 BOM are skipped.
//   Input whose first line is not a header field ("Name: value") is not a message: kParse.
//   Messages over 50 MiB: kResourceExhausted.
// - title = Subject, RFC 2047 decoded, as MakeTitle; "" without one. author = the first
//   From mailbox (else Sender) as "Name <address>" (or only the one that is present; a name
//   with a comma is quoted: "\"Weber, Carla\" <carla@example.com>").
//   metadata, in this order and only when present: "from" (as author), "to" and "cc" (such
//   mailboxes joined with ", ", at most 50, then "+N more"), "date" (ISO 8601 with offset,
//   "2024-03-04T10:15:00+01:00"; omitted when the Date header cannot be read).
//   mime = "message/rfc822"; page_count = 0; links are not collected.
// - Blocks, in this order:
//   1. One header line, "Anna Müller → Bernd Schulz, Carla Weber; Cc: Dora Klein ·
//      2024-03-04 10:15 +01:00" (display names, else addresses; at most 10 recipients per
//      field, then "+N"), so that a search for the sender or the day finds the message and
//      an answer can say who wrote when: the index keeps only the blocks, not the metadata.
//      The line is language-neutral on purpose (no "From:"/"Von:" words to sway language
//      detection). Omitted when the message has no From, To, Cc or Date.
//   2. The body. Inline text parts, in order: text/plain (and other inline text/* parts
//      except the machine-readable calendar, vCard and rfc822-headers),
//      transfer encoding and charset decoded (the declared charset; a label ICU does not
//      know is windows-1252; declared UTF-8 or US-ASCII is taken when the bytes are UTF-8;
//      without a label UTF-8 when valid, else ICU's guess), format=flowed lines joined
//      (RFC 3676, DelSp honoured); consecutive plain parts form one block. A
//      multipart/alternative contributes its text/plain part, or its HTML version when the
//      plain one is blank or missing; text/html goes through ParseHtml and keeps its heading
//      blocks. Quoted text is collapsed by CollapseQuotedText below; once a part ends in
//      reply history, the body parts after it are not read (they belong to the history).
//   3. Attachments: leaf parts with Content-Disposition "attachment", and non-text parts
//      with a file name (parts of multipart/related after the first are the HTML's inline
//      images and are skipped unless marked "attachment"; signatures, encrypted parts and
//      nameless non-text parts are skipped too; a non-text part that is the whole message
//      is an attachment). With max_depth > 0 each is parsed with
//      ParseDocument(bytes, file name, declared charset, max_depth - 1); its blocks follow
//      with heading_path [file name, its own headings...] and their page numbers. A
//      message/rfc822 part (also a transfer-encoded one, which GMime leaves unparsed: it
//      goes through ParseEmail) is read the same way as the outer message (its header line,
//      body and attachments) at max_depth - 1, under [file name, else its Subject, else
//      "attached message"]. Unsupported, failed and too-deep attachments are skipped with
//      a warning such as `attachment "x.exe": binary or unknown file type`; a nested
//      message's warnings are prefixed `attachment "name" › `.
// - Limits: after 100 MIME parts (every multipart, message and leaf part counts, nested
//   messages included) or below 32 levels of multipart nesting the remaining parts are
//   skipped with a warning. GMime builds the whole tree before any part is seen, so the
//   message it gets ends before the 10,001st line that starts with "--" and before header
//   text beyond 1 MiB (see PrepareMessageInput), with a warning; an HTML body part is cut
//   after 8 MiB (libxml2's tree takes about 40 times that), with a warning. Text stops at
//   kMaxDocumentTextBytes for the whole message (a warning says so). At most 50 warnings.
// - Output text is valid UTF-8 and no block is empty. A message without any text and
//   without From/To/Cc/Date yields a document without blocks (as ParseHtml does for an empty
//   page): the indexer stores it with its title and no chunks.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace wissen::crawler {

inline constexpr size_t kMaxMessageBytes = 50u << 20;
inline constexpr int kMaxMimeParts = 100;
// GMime reads the whole message before any part can be looked at; these bound its work.
inline constexpr size_t kMaxBoundaryLines = 10000;  // lines starting with "--"
inline constexpr size_t kMaxHeaderBytes = 1u << 20;

// The part of a file that ParseEmail gives GMime.
struct MessageInput {
  std::string_view original;  // the input without preamble, up to where it was cut
  std::string rewritten;      // `original` with charset names replaced, if any were
  bool was_rewritten = false;
  std::string warning;      // why the end was cut off; "" when it was not
  bool is_message = false;  // whether the first line is a header field

  std::string_view text() const { return was_rewritten ? std::string_view(rewritten) : original; }
};

// Skips a UTF-8 BOM and an mbox envelope line ("From a@b Mon Mar  4 ..."), then ends the
// message before the (kMaxBoundaryLines + 1)-th line that starts with "--" and before header
// text (of the message, every part and every attached message) beyond kMaxHeaderBytes. In
// header text, the charset name of an encoded word ("=?name?Q?...?=") or of an RFC 2231
// value ("name*=charset'de'...") that ICU does not know, or that is longer than 40 bytes or
// carries a language ("utf-8*de"), is replaced (by the name without language, else by
// "windows-1252"): GMime keeps every charset name it meets until the process ends.
MessageInput PrepareMessageInput(std::string_view bytes);

// What stands for quoted text that was collapsed.
inline constexpr std::string_view kCollapsedQuote = "[…]";

struct CollapsedText {
  std::string text;
  bool history_cut = false;  // the rest of the body after `text` was reply history
};

// Collapses quoted replies in body text (plain text, or the text of an HTML body):
// - A run of lines starting with ">" (blank lines inside the run included) becomes one line
//   "[…]", together with the attribution line before it (blank lines between allowed):
//   "On … wrote:", "Am … schrieb …:" (also wrapped over two lines), or any line ending in
//   "wrote:" or "schrieb:".
// - Unless `keep_history` (a forwarded message, whose history is its content), reply history
//   ends the body: from an "On … wrote:" / "Am … schrieb …:" line that has a digit (the
//   date every client writes; "On the other hand, Goethe wrote:" is text) and no quote
//   after it, a "-----Original Message-----" / "-----Ursprüngliche Nachricht-----" /
//   "-------- Original-Nachricht --------" line, or an Outlook header block (a "From:"/"Von:"
//   line followed by "Sent:"/"Gesendet:"/"Date:"/"Datum:"), everything is one "[…]" line
//   and history_cut is set.
// - A line ">From …" (">" signs right before "From ") outside a quote run is mbox escaping:
//   it is no quote, and one ">" is removed. Adjacent "[…]" lines merge into one.
// Line ends may be "\n" or "\r\n"; the result uses "\n".
CollapsedText CollapseQuotedText(std::string_view text, bool keep_history);

// Joins the soft line breaks of a format=flowed text (RFC 3676): a line ending in a space
// continues on the next line of the same quote depth; space-stuffing is removed; with
// `delsp` the trailing space is deleted. The signature separator "-- " never flows.
std::string UnflowText(std::string_view text, bool delsp);

// Whether a Subject announces a forwarded message (it starts with "Fwd:", "Fw:", "WG:",
// "TR:" or "Wtr:", any case), whose quoted history is the content rather than repetition.
bool IsForwardSubject(std::string_view subject);

// Whether a lower-case header field name is one that stored messages start with (From, Date,
// Received, Message-ID, ... or any "x-" field): how content sniffing and SplitMbox tell a
// message's header from text that happens to contain a colon.
bool IsLeadingMessageHeader(std::string_view lower_name);

}  // namespace wissen::crawler
