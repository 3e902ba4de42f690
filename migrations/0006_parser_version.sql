-- Which version of its parser produced a document's chunks (the crawler's ParserVersion for
-- the document's mime type). A parser change that gives unchanged files different blocks
-- raises that version; the next crawl then parses such documents again although their bytes
-- did not change. Documents stored before this column existed count as version 1.
ALTER TABLE documents ADD COLUMN parser_version integer NOT NULL DEFAULT 1;
