-- Schema version 3: login accounts and refresh tokens (udaconnect-auth).
-- Passwords are Argon2id PHC strings; refresh tokens are stored only as SHA-256 hashes.
-- Erasing a person removes their accounts and, through them, their refresh tokens.

CREATE TABLE account (
    username      text        NOT NULL,
    password_hash text        NOT NULL,
    role          text        NOT NULL,
    person_id     bigint,
    created_at    timestamptz NOT NULL,
    CONSTRAINT account_pkey PRIMARY KEY (username),
    CONSTRAINT account_role_check CHECK (role IN ('admin', 'attendee', 'device')),
    CONSTRAINT account_person_id_fkey FOREIGN KEY (person_id) REFERENCES person (id)
        ON DELETE CASCADE
);

CREATE INDEX account_person ON account (person_id);

CREATE TABLE refresh_token (
    token_hash text        NOT NULL,
    family_id  text        NOT NULL,
    username   text        NOT NULL,
    issued_at  timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    -- Set when the token is exchanged for a new one; presenting it again is reuse.
    used_at    timestamptz,
    revoked    boolean     NOT NULL DEFAULT false,
    CONSTRAINT refresh_token_pkey PRIMARY KEY (token_hash),
    CONSTRAINT refresh_token_username_fkey FOREIGN KEY (username) REFERENCES account (username)
        ON DELETE CASCADE
);

CREATE INDEX refresh_token_family ON refresh_token (family_id);
CREATE INDEX refresh_token_username ON refresh_token (username);
