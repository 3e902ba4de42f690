// Helpers for single web responses: Content-Type, rel=canonical, parsing by media type,
// HTTP dates and Basic credentials. Private to the crawler. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "wissen/core/document.h"
#include "wissen/core/result.h"

namespace wissen::crawler {

// "text/html; charset=ISO-8859-1" -> "text/html" (lower-case, parameters dropped).
std::string MediaType(std::string_view content_type);
// The charset parameter of a Content-Type header ("ISO-8859-1"), "" when none.
std::string CharsetParameter(std::string_view content_type);

// The href of the first <link rel="canonical"> in the document's first 64 KiB, "" when none.
std::string FindCanonicalLink(std::string_view html);

// Parses an HTML, PDF, Office (OOXML, OpenDocument) or message/rfc822 response with the file
// parsers (no OCR, no Office comments). `media_type` decides; when it is empty or generic
// (application/octet-stream) the bytes are sniffed. Other types: kUnsupported "content type
// <type> is not indexed". Fills language and mime.
Result<ParsedDocument> ParseWebPage(std::string_view bytes, std::string_view media_type,
                                    std::string_view charset);

// An HTTP date (Last-Modified) as seconds since the epoch; 0 when it does not parse.
int64_t ParseHttpDate(const std::string& text);

std::string Base64(std::string_view bytes);

}  // namespace wissen::crawler
