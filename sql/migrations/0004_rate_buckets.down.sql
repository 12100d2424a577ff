-- 0004 down: removes the shared rate-limit buckets. For development only.
DROP TABLE IF EXISTS outbox.rate_buckets;
