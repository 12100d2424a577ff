-- Sets the "a daemon sleeps and wants a NOTIFY" flag read by outbox.request_wake().
-- $1 bigint 1 = idle (notify me), 0 = polling (no notification needed).
-- Non-transactional (a sequence), so it takes effect at once for every transaction.
SELECT setval('outbox.wake_wanted', $1::bigint, true)
