// Small text utilities shared by every module. All strings are UTF-8.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace wissen {

// Lower-case hex SHA-256 of the bytes.
std::string Sha256Hex(std::string_view bytes);

// Whether the bytes are well-formed UTF-8.
bool IsValidUtf8(std::string_view bytes);

// Replaces ill-formed UTF-8 sequences by U+FFFD so later stages can trust the text.
std::string SanitizeUtf8(std::string_view bytes);

// Collapses every run of Unicode white space (including no-break spaces) into one ASCII
// space and trims both ends.
std::string CollapseWhitespace(std::string_view text);

// NFKC, full case folding and whitespace collapsing: the form two strings are compared in
// when "contains the same words" is the question (eval snippets, canary checks).
std::string NormalizeForMatch(std::string_view text);

// Splits on a single character; empty pieces are dropped.
std::vector<std::string> SplitNonEmpty(std::string_view text, char separator);

// Unicode NFC ("e" + combining acute becomes "é"); invalid UTF-8 is repaired first.
std::string NormalizeNfc(std::string_view text);

// ASCII letters to lower case; other bytes (UTF-8 included) unchanged. For protocol tokens:
// header names, content types, charset labels, file extensions.
std::string LowerAscii(std::string_view text);

// Trims ASCII white space.
std::string_view TrimAscii(std::string_view text);

// The longest prefix of `text` that is at most `max_bytes` long and does not split a UTF-8
// sequence.
std::string_view Utf8Prefix(std::string_view text, size_t max_bytes);

}  // namespace wissen
