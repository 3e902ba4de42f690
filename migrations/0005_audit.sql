-- The audit trail: one row per ask, search or document access, written by the server.
-- It shows what was used without storing what was asked: the user is a keyed pseudonym
-- (HMAC-SHA256 with the audit key, resolvable only by someone holding the key), the query is
-- a keyed hash (a plain SHA-256 of a short question could be reversed by trying likely
-- questions), and the question text itself is stored only when [audit] store_questions is
-- set, and then encrypted with a key derived from the audit key.
CREATE TABLE audit_log (
  id              bigserial PRIMARY KEY,
  at              timestamptz NOT NULL DEFAULT now(),
  user_pseudonym  text NOT NULL,                 -- hex HMAC-SHA256 of the user name
  action          text NOT NULL,                 -- ask, search, document, file, chat_completions, ...
  query_hash      text NOT NULL DEFAULT '',      -- hex keyed hash of the query; '' when none
  document_ids    bigint[] NOT NULL DEFAULT '{}', -- documents returned or read
  document_acls   text[] NOT NULL DEFAULT '{}',  -- their ACLs at that time, comma-joined roles
  generator       text NOT NULL DEFAULT '',      -- "extractive", "openai:<model>", '' for search
  status          text NOT NULL,                 -- HTTP status ("200", "404") or 'ok'/'error'
  latency_ms      real NOT NULL DEFAULT 0,
  injection_flag  boolean NOT NULL DEFAULT false, -- the question looked like a prompt injection
  question_enc    bytea                          -- nonce || secretbox ciphertext; NULL unless stored
);
-- Pruning deletes by time; `wissen audit show --user` lists one pseudonym newest first.
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_user_at ON audit_log (user_pseudonym, at);
