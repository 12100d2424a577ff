-- Development only: undoes 0007_database_roles.up.sql in this database. The roles stay: they
-- belong to the cluster, and other databases on it may use them.
DO $$
DECLARE
  name text;
BEGIN
  FOREACH name IN ARRAY ARRAY['outbox_producer', 'outbox_reader', 'outbox_daemon'] LOOP
    CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = name);
    EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA outbox FROM %I', name);
    EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA outbox FROM %I', name);
    EXECUTE format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA outbox FROM %I', name);
    EXECUTE format('REVOKE ALL ON SCHEMA outbox FROM %I', name);
  END LOOP;
END
$$;
GRANT EXECUTE ON FUNCTION outbox.enqueue(text, jsonb, jsonb, timestamptz, text, text, integer, integer),
  outbox.enqueue_in(text, jsonb, interval, jsonb), outbox.request_wake() TO PUBLIC;
ALTER FUNCTION outbox.enqueue(text, jsonb, jsonb, timestamptz, text, text, integer, integer)
  SECURITY INVOKER RESET search_path;
ALTER FUNCTION outbox.enqueue_in(text, jsonb, interval, jsonb) SECURITY INVOKER RESET search_path;
ALTER FUNCTION outbox.request_wake() SECURITY INVOKER RESET search_path;
ALTER FUNCTION outbox.notify_new_messages() SECURITY INVOKER RESET search_path;
