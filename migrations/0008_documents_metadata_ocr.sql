-- Office files and e-mails carry an author and metadata (sender, recipients, dates) that the
-- document view shows; OCR results are kept by the hash of the rendered page, so a scanned
-- page is recognised once, however often the file around it changes or is re-crawled.

ALTER TABLE documents ADD COLUMN author text NOT NULL DEFAULT '';
-- A JSON array of [key, value] pairs in display order (see ParsedDocument::metadata).
ALTER TABLE documents ADD COLUMN metadata jsonb NOT NULL DEFAULT '[]';

-- A page's text stays only while a live document has it: content_hashes names the files
-- (documents.content_hash) the page was seen in, and a crawl prunes the rows none of whose
-- files is live any more, so a deleted scan's text does not outlive its document.
CREATE TABLE ocr_pages (
  page_hash       text PRIMARY KEY,  -- hex SHA-256 of the rendered page and the OCR languages
  text            text NOT NULL,
  content_hashes  text[] NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ocr_pages_content_hashes ON ocr_pages USING gin (content_hashes);
CREATE INDEX documents_content_hash ON documents (content_hash) WHERE deleted_at IS NULL;
