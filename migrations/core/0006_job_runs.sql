-- Core (issue 16, several processes on one database): every scheduled thing runs exactly once.
-- due_actions: a claim names its process (`claimed_by`: host, pid and a random part) and carries a
-- short lease (`lease_until`) that the claiming process renews while the handler runs; another process
-- takes the row over only once the lease has run out (the process died). Rows claimed by the previous
-- release (no lease yet) are free to take at once: their process is gone, it was the only one.
ALTER TABLE due_actions ADD COLUMN claimed_by TEXT;
ALTER TABLE due_actions ADD COLUMN lease_until TEXT;
UPDATE due_actions SET lease_until = claimed_at WHERE status = 'running';

-- job_runs: one row per recurring job and fire time. The process that inserts it runs the job (the
-- others see the row and skip); a row left unfinished by a dead process is taken over after its lease;
-- the latest row per job tells a process starting after an outage which fire time was missed.
CREATE TABLE job_runs (
    job_id TEXT NOT NULL,
    fire_at TEXT NOT NULL,
    claimed_by TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    lease_until TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 1,
    done_at TEXT,
    error TEXT,
    PRIMARY KEY (job_id, fire_at)
);
CREATE INDEX job_runs_open ON job_runs (done_at, lease_until);

-- leases: a named lease for a one-time task that several processes may start at once (the Discord
-- command sync): the holder and until when it holds it.
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    lease_until TEXT NOT NULL
);
