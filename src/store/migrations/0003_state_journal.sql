-- The engine's state is stored as a checkpoint plus a journal (docs/storage.md "State: checkpoint and
-- journal"). `state` is the state after every event of the execution with id <= state_event_id; the engine
-- inputs among the events after it, up to head_event_id, replayed over it in id order, give the current
-- state. A transaction then writes its events and a few columns instead of the whole state, which a wide
-- loop (its items, its results, its in-flight commands) made hundreds of kilobytes.
ALTER TABLE execution ADD COLUMN state_event_id bigint NOT NULL DEFAULT 0;
ALTER TABLE execution ADD COLUMN head_event_id bigint NOT NULL DEFAULT 0;
-- Engine inputs appended since the checkpoint: the server writes a new checkpoint when it grows too long.
ALTER TABLE execution ADD COLUMN journal_events integer NOT NULL DEFAULT 0;

-- States saved before this migration are current: their checkpoint covers every event they have.
UPDATE execution e SET state_event_id = m.last, head_event_id = m.last
FROM (SELECT execution_id, max(id) AS last FROM event GROUP BY execution_id) m
WHERE m.execution_id = e.id;
