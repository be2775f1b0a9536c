-- Core: ids reserved ahead of their insert (`Database.allocate_ids`, used by the questions plugin), one
-- row per table. SQLite only needs it (PostgreSQL reserves from the identity column's own sequence);
-- created on both engines so the schema is the same.
CREATE TABLE id_sequences (
    name TEXT PRIMARY KEY,
    last INTEGER NOT NULL
);
