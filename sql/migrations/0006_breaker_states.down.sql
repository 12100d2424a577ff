-- Development only: undoes 0006_breaker_states.up.sql.
DROP TABLE IF EXISTS outbox.breaker_states;
