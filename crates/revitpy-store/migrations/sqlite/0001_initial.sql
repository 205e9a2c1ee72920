-- Accounts: a token belongs to a user; package owners are users.
CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL
);

CREATE TABLE tokens (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    label         TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,   -- sha256 of the token; the token itself is never stored
    token_prefix  TEXT NOT NULL,          -- first characters, to recognise a token in lists
    scope         TEXT NOT NULL CHECK (scope IN ('yank', 'publish', 'admin')),
    package       TEXT,                   -- normalized name the token is limited to, if any
    created_at    TEXT NOT NULL,
    last_used_at  TEXT,
    revoked_at    TEXT
);

CREATE TABLE packages (
    id                 INTEGER PRIMARY KEY,
    name               TEXT NOT NULL,          -- spelling of the first upload
    normalized_name    TEXT NOT NULL UNIQUE,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    download_count     INTEGER NOT NULL DEFAULT 0,
    latest_version_id  INTEGER REFERENCES versions(id)
);

CREATE TABLE package_owners (
    package_id  INTEGER NOT NULL REFERENCES packages(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    added_at    TEXT NOT NULL,
    PRIMARY KEY (package_id, user_id)
);

CREATE TABLE versions (
    id                    INTEGER PRIMARY KEY,
    package_id            INTEGER NOT NULL REFERENCES packages(id),
    version               TEXT NOT NULL,      -- as written in the manifest
    canonical_version     TEXT NOT NULL,      -- PEP 440 identity: 1.0 and 1.0.0 are one version
    is_prerelease         INTEGER NOT NULL,
    summary               TEXT NOT NULL,
    description           TEXT NOT NULL,
    author                TEXT NOT NULL,
    author_email          TEXT NOT NULL,
    license               TEXT NOT NULL,
    homepage_url          TEXT,
    repository_url        TEXT,
    documentation_url     TEXT,
    keywords              TEXT NOT NULL,      -- JSON array
    categories            TEXT NOT NULL,      -- JSON array
    package_type          TEXT NOT NULL,
    performance_impact    TEXT NOT NULL,
    requires_admin        INTEGER NOT NULL,
    min_revit             INTEGER,
    max_revit             INTEGER,
    tested_revit          TEXT NOT NULL,      -- JSON array of years
    known_issues          TEXT NOT NULL,      -- JSON array
    dependencies          TEXT NOT NULL,      -- JSON array of {name, version}
    manifest              TEXT NOT NULL,      -- rpyx-manifest.json as published
    filename              TEXT NOT NULL,
    file_size             INTEGER NOT NULL,
    file_sha256           TEXT NOT NULL,
    security_scan_status  TEXT NOT NULL DEFAULT 'pending',
    security_scan         TEXT,
    digital_signature     TEXT,
    yanked                INTEGER NOT NULL DEFAULT 0,
    yanked_reason         TEXT,
    download_count        INTEGER NOT NULL DEFAULT 0,
    published_by          INTEGER REFERENCES users(id),
    created_at            TEXT NOT NULL,
    UNIQUE (package_id, canonical_version)
);
CREATE INDEX versions_sha256 ON versions(file_sha256);

-- The change feed: every change a client must see gets the next serial.
CREATE TABLE changes (
    serial           INTEGER PRIMARY KEY AUTOINCREMENT,
    package_id       INTEGER NOT NULL REFERENCES packages(id),
    normalized_name  TEXT NOT NULL,
    kind             TEXT NOT NULL,   -- publish | yank | unyank | owners
    version          TEXT,
    at               TEXT NOT NULL
);
CREATE INDEX changes_package ON changes(package_id);
