-- Users, their roles and credentials (browser sessions, API keys), conversations with their
-- answers, and feedback on answers. Passwords are argon2id strings (libsodium); session
-- tokens and API keys are stored only as SHA-256 hashes, so a database dump logs nobody in.

CREATE TABLE users (
  id             serial PRIMARY KEY,
  name           text NOT NULL UNIQUE,
  roles          text[] NOT NULL DEFAULT '{}',  -- 'everyone' is implied, not stored
  password_hash  text,                          -- NULL: no password login (keys or SSO only)
  disabled_at    timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
  token_hash    text PRIMARY KEY,  -- hex SHA-256 of the cookie value
  user_id       integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE api_keys (
  id            serial PRIMARY KEY,
  user_id       integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name          text NOT NULL DEFAULT '',
  key_hash      text NOT NULL UNIQUE,         -- hex SHA-256 of the key
  prefix        text NOT NULL,                  -- first characters, to recognise a key
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz
);

CREATE TABLE conversations (
  id          bigserial PRIMARY KEY,
  public_id   text NOT NULL UNIQUE,             -- random, what the API shows
  user_id     integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  title       text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversations_user ON conversations (user_id, updated_at DESC);

CREATE TABLE messages (
  id               bigserial PRIMARY KEY,
  conversation_id  bigint NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  role             text NOT NULL CHECK (role IN ('user', 'assistant')),
  text             text NOT NULL,
  answer_id        text UNIQUE,                 -- assistant messages: the id feedback refers to
  details          jsonb NOT NULL DEFAULT '{}'::jsonb,  -- citations, generator, flags
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);

CREATE TABLE feedback (
  id          bigserial PRIMARY KEY,
  answer_id   text NOT NULL REFERENCES messages(answer_id) ON DELETE CASCADE,
  user_id     integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  rating      text NOT NULL CHECK (rating IN ('up', 'down')),
  comment     text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (answer_id, user_id)
);
