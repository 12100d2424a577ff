// One statement that may fail inside a transaction that must go on: the way around a single row
// PostgreSQL cannot write out (core/batch_claim.cpp, message_list in core/outbox_store.cpp).
#pragma once

#include <pqxx/pqxx>

namespace outboxd {

// Runs `work` (statements on `tx`) under a savepoint. When it throws a database error, `tx` is
// rolled back to the savepoint, so it stays usable, and the error is rethrown for the caller to
// judge. Plain SQL on purpose: libpqxx 6.4's subtransaction does not roll back after one of its
// statements failed, which leaves the whole transaction aborted.
template <typename Work>
void under_savepoint(pqxx::transaction_base &tx, Work &&work) {
  tx.exec0("SAVEPOINT outboxd_one_row");
  try {
    work();
  } catch (const pqxx::sql_error &) {
    tx.exec0("ROLLBACK TO SAVEPOINT outboxd_one_row");
    throw;
  }
  tx.exec0("RELEASE SAVEPOINT outboxd_one_row");
}

}  // namespace outboxd
