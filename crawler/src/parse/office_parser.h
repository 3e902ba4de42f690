// Office Open XML (.docx .xlsx .pptx) and OpenDocument (.odt .ods .odp) reading, behind
// ParseOffice (parsers.h). Private to the crawler.
//
// Contract for ParseOffice:
// - The container is read with ZipReader (zip_reader.h): bomb limits apply, encrypted entries
//   and a password-protected ODF are kUnsupported ("password-protected Office document").
// - XML is read with libxml2 without entity substitution, DTD loading or network access.
// - Headings come from the document's structure: Word/Writer paragraph styles and outline
//   levels (Heading 1..9, Title is the title), slide titles, sheet names. They form
//   Block::heading_path.
// - Tables: a Block with table = true, one row per line, cells joined by " | ", empty cells
//   skipped, table_header = the first row. Spreadsheets: one table Block per sheet (heading
//   path = sheet name), formulas without a cached value skipped.
// - Title and author from docProps/core.xml or meta.xml; footnotes, speaker notes and text
//   boxes are text; comments only with ParseOptions::office_comments.
// - Macros and embedded objects are never read.
// - mime: the format's official media type, e.g.
//   "application/vnd.openxmlformats-officedocument.wordprocessingml.document".
#pragma once
