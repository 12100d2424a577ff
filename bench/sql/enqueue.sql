-- pgbench script: one application transaction that enqueues one message (the enqueue-cost mode).
SELECT outbox.enqueue('bench', '{"n":1}');
