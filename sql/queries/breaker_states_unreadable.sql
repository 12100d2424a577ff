-- Why outbox.breaker_states cannot be read here, or NULL when it can. No parameters.
-- `outboxd stats` asks first, so that it still shows the messages on a database migrated before
-- 0006 (no such table) and on a hot standby (PostgreSQL reads no unlogged table during recovery).
SELECT CASE WHEN to_regclass('outbox.breaker_states') IS NULL
            THEN 'the database has no outbox.breaker_states yet (outboxd migrate adds it)'
            WHEN pg_is_in_recovery()
            THEN 'a standby cannot read outbox.breaker_states (an unlogged table); ask the primary'
       END
