-- Issue 21: the registry's index signing roots (see revitpy_sign::index):
-- version 1 signs itself, each later one is signed by the key before it.
-- Kept in the database so that replicas and backups carry the chain.
CREATE TABLE index_roots (
    version     INTEGER PRIMARY KEY,
    envelope    TEXT NOT NULL,          -- the signed root document (JSON)
    created_at  TEXT NOT NULL
);
