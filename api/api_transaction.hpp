// How an API handler uses the database: a pooled connection for one request, and one transaction
// on it with the API's settings. Written once so every handler gets the same two rules: a failed
// request writes nothing (whatever the body throws rolls the transaction back), and a connection
// that broke meanwhile is closed instead of handed to the next request.
#pragma once

#include <type_traits>
#include <utility>

#include <pqxx/pqxx>

#include "api/db_pool.hpp"
#include "core/db.hpp"
#include "core/session_role.hpp"

namespace outboxd::api {

// Runs body(lease) on a connection from the pool and returns what it returns.
template <typename Body>
decltype(auto) with_pooled_connection(DbPool &pool, Body &&body) {
  DbPool::Lease conn = pool.acquire();
  try {
    return body(conn);
  } catch (const pqxx::broken_connection &) {
    conn.discard();
    throw;
  }
}

// Runs body(tx) in one transaction of type Tx (pqxx::work, or pqxx::read_transaction for reads)
// on `conn` and commits when it returns.
template <typename Tx = pqxx::work, typename Body>
auto in_api_transaction(pqxx::connection &conn, Body &&body) {
  Tx tx(conn);
  apply_transaction_settings(tx, SessionRole::Api);
  if constexpr (std::is_void_v<decltype(body(tx))>) {
    body(tx);
    tx.commit();
  } else {
    auto result = body(tx);
    tx.commit();
    return result;
  }
}

// The two together: one transaction on a pooled connection.
template <typename Tx = pqxx::work, typename Body>
auto in_pooled_transaction(DbPool &pool, Body &&body) {
  return with_pooled_connection(pool, [&](DbPool::Lease &conn) { return in_api_transaction<Tx>(*conn, body); });
}

}  // namespace outboxd::api
