-- NoETL schema, version 1. Migrations are append-only: change the schema with a new numbered file.
-- Runs unchanged on PostgreSQL >= 13 and PGlite. No foreign keys on the hot tables (event, command):
-- they would add an index probe to every insert of the step path, and the server writes all of them
-- in the same transaction as the execution row anyway.

-- The catalog: every registered version of every playbook, immutable once written.
CREATE TABLE playbook (
  path          text        NOT NULL,
  version       integer     NOT NULL CHECK (version > 0),
  yaml          text        NOT NULL,
  parsed        jsonb       NOT NULL,
  registered_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (path, version)
);

-- One row per run of a playbook; `state` is the engine's state, small and rewritten per event.
CREATE TABLE execution (
  id                  text        PRIMARY KEY,
  playbook_path       text        NOT NULL,
  playbook_version    integer     NOT NULL,
  status              text        NOT NULL DEFAULT 'running'
                      CHECK (status IN ('running', 'completed', 'failed', 'cancelled')),
  workload            jsonb       NOT NULL DEFAULT '{}',
  state               jsonb,
  result              jsonb,
  error               jsonb,
  parent_execution_id text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  ended_at            timestamptz
);
-- Listing newest first, optionally filtered, paginated by (created_at, id).
CREATE INDEX execution_created_idx ON execution (created_at DESC, id DESC);
CREATE INDEX execution_status_created_idx ON execution (status, created_at DESC, id DESC);
CREATE INDEX execution_playbook_created_idx ON execution (playbook_path, created_at DESC, id DESC);
CREATE INDEX execution_parent_idx ON execution (parent_execution_id) WHERE parent_execution_id IS NOT NULL;

-- The append-only log. A NULL idempotency_key means "always insert" (NULLs never conflict).
CREATE TABLE event (
  id              bigserial   PRIMARY KEY,
  execution_id    text        NOT NULL,
  step            text,
  step_run_id     text,
  command_id      text,
  name            text        NOT NULL,
  payload         jsonb       NOT NULL DEFAULT '{}',
  attempt         integer,
  worker_id       text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  idempotency_key text        UNIQUE
);
CREATE INDEX event_execution_idx ON event (execution_id, id);

-- The queue. Only live work is here: a finished or cancelled command is deleted (its events keep the
-- history), so the claim index stays as small as the backlog.
CREATE TABLE command (
  command_id       text        PRIMARY KEY,
  execution_id     text        NOT NULL,
  step             text        NOT NULL,
  step_run_id      text        NOT NULL,
  purpose          text        NOT NULL CHECK (purpose IN ('call', 'sink')),
  kind             text        NOT NULL,
  tool             jsonb       NOT NULL,
  args             jsonb       NOT NULL DEFAULT '{}',
  attempt          integer     NOT NULL DEFAULT 1,
  call_index       integer     NOT NULL DEFAULT 0,
  loop_index       integer,
  status           text        NOT NULL DEFAULT 'queued'
                   CHECK (status IN ('queued', 'leased', 'succeeded', 'failed', 'cancelled')),
  run_at           timestamptz NOT NULL DEFAULT now(),
  priority         integer     NOT NULL DEFAULT 0,
  lease_owner      text,
  lease_token      uuid,
  lease_expires_at timestamptz,
  claims           integer     NOT NULL DEFAULT 0,
  max_claims       integer     NOT NULL DEFAULT 3 CHECK (max_claims > 0),
  created_at       timestamptz NOT NULL DEFAULT now()
);
-- The claim reads this index in order: lower priority numbers first, then the earliest run_at.
CREATE INDEX command_claimable_idx ON command (priority, run_at) WHERE status = 'queued';
-- The reaper scans expired leases only.
CREATE INDEX command_lease_expiry_idx ON command (lease_expires_at) WHERE status = 'leased';
-- Cancelling an execution's commands.
CREATE INDEX command_execution_idx ON command (execution_id);

-- Secrets, encrypted by the caller before they reach the database.
CREATE TABLE credential (
  name       text        PRIMARY KEY,
  type       text        NOT NULL,
  data       bytea       NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
