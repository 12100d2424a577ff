-- 0001 down: removes the outbox schema with every message in it. For development only.
DROP SCHEMA IF EXISTS outbox CASCADE;
