// The pause and resume handlers (api/destination_pause.hpp).
#include "api/destination_pause.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "api/api_transaction.hpp"
#include "core/outbox_store.hpp"

namespace outboxd::api {

ApiResponse set_destination_paused(DbPool &pool, const Runtime &runtime, const std::string &destination,
                                   bool paused) {
  ApiResponse res;
  const auto &names = runtime.destinations->names();
  if (std::find(names.begin(), names.end(), destination) == names.end()) {
    std::string configured;
    for (const auto &n : names) configured += (configured.empty() ? "" : ", ") + n;
    res.status = 404;
    res.body = {{"error", "unknown_destination"},
                {"detail", "destination: \"" + destination.substr(0, 200) + "\" is not configured in this daemon " +
                               "(configured: " + (configured.empty() ? "none" : configured) + ")"}};
    return res;
  }
  const bool changed = in_pooled_transaction(pool, [&](pqxx::work &tx) {
    return paused ? destination_pause(tx, destination) : destination_resume(tx, destination);
  });
  // A pause stops every daemon on the database: the log says when one began or ended, and where.
  if (changed)
    spdlog::info("destination {} {} through the HTTP API; every daemon on the database follows", destination,
                 paused ? "paused" : "resumed");
  res.body = {{"destination", destination}, {"paused", paused}, {"changed", changed}};
  return res;
}

}  // namespace outboxd::api
