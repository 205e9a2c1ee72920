-- Issue 21: publishers' public keys, per account, and packages that require
-- every version to be signed by one of their owners' keys.
CREATE TABLE publisher_keys (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    key_id      TEXT NOT NULL UNIQUE,   -- SHA256:... fingerprint
    public_key  TEXT NOT NULL,          -- one OpenSSH line
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);
CREATE INDEX publisher_keys_user ON publisher_keys(user_id);
ALTER TABLE packages ADD COLUMN require_signature INTEGER NOT NULL DEFAULT 0;
