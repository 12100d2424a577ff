-- Wakes a sleeping daemon (if one wants a NOTIFY) after rows were made due outside an INSERT,
-- e.g. an operator retry. Run it in the transaction that made them due. No parameters.
-- Takes the wake gate shared until the transaction ends (see outbox.request_wake()).
SELECT outbox.request_wake()
