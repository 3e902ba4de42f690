// Character set detection and conversion to UTF-8 for crawled text and HTML, built on ICU.
// Private to the crawler. Thread-safe: no shared state.
#pragma once

#include <string>
#include <string_view>

namespace wissen::crawler {

// The ICU name for a charset label as found in HTTP headers and <meta> ("latin1", "utf8",
// " ISO-8859-1 "), or "" when ICU does not know it. Like browsers, ISO-8859-1 and US-ASCII
// map to windows-1252, whose extra characters (curly quotes, euro sign) Windows-made pages use
// while declaring Latin-1.
std::string CanonicalCharset(std::string_view label);

// The charset a byte order mark announces ("UTF-8", "UTF-16LE", "UTF-16BE"), or "" when the
// bytes do not start with one. *bom_length receives the mark's length.
std::string BomCharset(std::string_view bytes, size_t* bom_length);

// The charset declared by the first <meta charset> or <meta http-equiv="Content-Type"> in
// `head` (the caller passes the first few KiB), skipping comments; "" when there is none.
std::string FindMetaCharset(std::string_view head);

// ICU's best guess for bytes that are not valid UTF-8; windows-1252 when ICU has no confident
// answer. `markup` makes the detector ignore HTML tags.
std::string GuessCharset(std::string_view bytes, bool markup);

// Converts `bytes` (without BOM) from `charset` to UTF-8. Never fails: ill-formed input
// becomes U+FFFD, and an unknown charset is treated as windows-1252.
std::string ConvertToUtf8(std::string_view bytes, std::string_view charset);

// Decodes a text file: BOM, else UTF-8 when valid, else ICU's guess. Returns valid UTF-8.
std::string DecodeText(std::string_view bytes);

}  // namespace wissen::crawler
