-- A child execution started by a `playbook` tool call remembers the parent's command, so that the child's
-- end can be fed back to the parent as that command's call.done.
ALTER TABLE execution ADD COLUMN parent_command_id text;

-- An execution registered for a given id (POST /api/v2/playbooks/register with execution_id) waits as
-- `pending` until its workflow.start arrives.
ALTER TABLE execution DROP CONSTRAINT execution_status_check;
ALTER TABLE execution ADD CONSTRAINT execution_status_check
  CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled'));
