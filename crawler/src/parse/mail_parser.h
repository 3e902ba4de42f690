// E-mail (RFC 5322 / MIME) reading with GMime 3, behind ParseEmail and SplitMbox (parsers.h).
// Private to the crawler.
//
// Contract for ParseEmail:
// - title = Subject (decoded RFC 2047); author = the sender; metadata "from", "to", "cc",
//   "date" (ISO 8601).
// - Body: the text/plain part when there is one, else the text/html part through ParseHtml.
//   Quoted replies ("> " lines and the "On ... wrote:" / "Am ... schrieb ...:" line before
//   them) are collapsed to one line "[quoted text collapsed]".
// - Attachments in a supported format are parsed with ParseDocument (max_depth - 1); their
//   blocks follow the body with heading_path [attachment file name, its own headings...], so
//   a chunk cites "Subject › attachment name". Unsupported or failed attachments add a
//   warning and are skipped.
// - Limits: messages over 50 MiB, more than 100 parts, nesting deeper than max_depth:
//   kResourceExhausted for the message, or a warning for the parts skipped.
// - mime: "message/rfc822".
#pragma once
