-- Schema version 3: login accounts and refresh tokens (udaconnect-auth).
-- Passwords are Argon2id PHC strings; refresh tokens are stored only as SHA-256 hashes.
-- Erasing a person removes their accounts and, through them, their refresh tokens.

CREATE TABLE account (
    username      TEXT    PRIMARY KEY,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'attendee', 'device')),
    person_id     INTEGER REFERENCES person (id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX account_person ON account (person_id);

CREATE TABLE refresh_token (
    token_hash TEXT    PRIMARY KEY,
    family_id  TEXT    NOT NULL,
    username   TEXT    NOT NULL REFERENCES account (username) ON DELETE CASCADE,
    issued_at  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    -- Set when the token is exchanged for a new one; presenting it again is reuse.
    used_at    INTEGER,
    revoked    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE INDEX refresh_token_family ON refresh_token (family_id);
CREATE INDEX refresh_token_username ON refresh_token (username);
