-- A child execution started by a `playbook` tool call remembers the parent's command, so that the child's
-- end can be fed back to the parent as that command's call.done.
ALTER TABLE execution ADD COLUMN parent_command_id text;
