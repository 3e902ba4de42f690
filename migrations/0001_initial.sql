-- Wissen's catalog: sources, documents with their ACLs, chunks, crawl runs and the
-- identity of the index built from them. PostgreSQL is the source of truth; FAISS and Xapian
-- files under <data.dir>/index are derived from these tables and can be rebuilt from them.

CREATE TABLE sources (
  id          serial PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  kind        text NOT NULL CHECK (kind IN ('fs', 'web')),
  root        text NOT NULL,               -- directory (fs) or first seed URL (web)
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE documents (
  id             bigserial PRIMARY KEY,
  source_id      integer NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  uri            text NOT NULL,            -- file:///abs/path or http(s)://...
  path           text NOT NULL,            -- relative to the source root, or the URL
  title          text NOT NULL DEFAULT '',
  language       text NOT NULL DEFAULT '',
  mime           text NOT NULL DEFAULT '',
  content_hash   text NOT NULL,            -- hex SHA-256 of the raw bytes
  size_bytes     bigint NOT NULL DEFAULT 0,
  modified_at    timestamptz,
  acl            text[] NOT NULL,          -- roles that may read it; empty = nobody
  acl_rule       text NOT NULL DEFAULT '', -- the rule that decided the ACL
  page_count     integer NOT NULL DEFAULT 0,
  first_seen_at  timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  deleted_at     timestamptz,              -- set when the source no longer has it
  UNIQUE (source_id, path)
);
CREATE INDEX documents_acl_gin ON documents USING gin (acl);
CREATE INDEX documents_live ON documents (source_id) WHERE deleted_at IS NULL;

CREATE TABLE chunks (
  id            bigserial PRIMARY KEY,     -- also the vector and lexical id
  document_id   bigint NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  ordinal       integer NOT NULL,
  text          text NOT NULL,
  heading_path  text NOT NULL DEFAULT '',
  page          integer NOT NULL DEFAULT 0,
  char_start    integer NOT NULL DEFAULT 0,
  char_end      integer NOT NULL DEFAULT 0,
  embedding     bytea NOT NULL,            -- float32 little-endian, index_state.dimension long
  UNIQUE (document_id, ordinal)
);

-- Every change that the lexical index has to follow (new content, new ACL, deletion).
-- The index builder applies entries after the sequence number recorded in the index.
CREATE TABLE document_changes (
  seq          bigserial PRIMARY KEY,
  document_id  bigint NOT NULL,
  changed_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE crawl_runs (
  id           bigserial PRIMARY KEY,
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  status       text NOT NULL DEFAULT 'running'
               CHECK (status IN ('running', 'ok', 'partial', 'failed')),
  sources      text[] NOT NULL DEFAULT '{}',
  stats        jsonb NOT NULL DEFAULT '{}'::jsonb,  -- per source: new, changed, unchanged, ...
  error        text
);

-- Which embedder the stored embeddings and the vector index were made with, and the live
-- generation of the index files. Exactly one row.
CREATE TABLE index_state (
  id                 boolean PRIMARY KEY DEFAULT true CHECK (id),
  embedder_name      text NOT NULL,
  embedder_version   text NOT NULL,
  dimension          integer NOT NULL,
  generation         bigint NOT NULL DEFAULT 0,
  generation_at      timestamptz,
  chunk_count        bigint NOT NULL DEFAULT 0
);
