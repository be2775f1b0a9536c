-- Discord platform (bot/platforms/discord/).
-- discord_command_syncs: the hash of the application-command payload last synced per application and
-- scope ('global' or a guild id), so a restart with unchanged commands does not call Discord again.
-- discord_buttons: buttons whose command and arguments do not fit in Discord's 100-character custom_id,
-- kept server-side under a short key; rows older than 30 days are purged at start.
CREATE TABLE discord_command_syncs (
    application_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    payload_hash TEXT NOT NULL,
    synced_at TEXT NOT NULL,
    PRIMARY KEY (application_id, scope)
);

CREATE TABLE discord_buttons (
    key TEXT PRIMARY KEY,
    command TEXT NOT NULL,
    args TEXT NOT NULL,
    created_at TEXT NOT NULL
);
