-- Failed logins per (user name, client address), so that the lockout survives a restart and
-- is shared by every server replica. Rows older than the window no longer count and are
-- pruned on the next failure of the same pair or by `wissen` housekeeping.

CREATE TABLE login_failures (
  user_name    text NOT NULL,         -- as normalized at login; may name no existing user
  client       text NOT NULL,         -- client address (X-Forwarded-For from a trusted proxy)
  failures     integer NOT NULL,
  last_failed  timestamptz NOT NULL,
  PRIMARY KEY (user_name, client)
);
CREATE INDEX login_failures_client ON login_failures (client, last_failed);
CREATE INDEX login_failures_last ON login_failures (last_failed);
