-- Development only: undoes 0008_stopped_messages_index.up.sql.
DROP INDEX outbox.messages_stopped_idx;
