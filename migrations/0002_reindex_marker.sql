-- `wissen reindex` re-embeds every chunk with the configured embedder. While it runs (or
-- after it was interrupted) the stored embeddings are a mix of two models; this column names
-- the embedder being moved to, so crawls refuse to publish until the reindex has finished.
ALTER TABLE index_state ADD COLUMN reindexing_to text;
