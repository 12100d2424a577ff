// A batch may hold several rows of one ordering key (sql/queries/message_claim_key_runs.sql). They
// must reach the receiver in seq order, each only after the one before it was settled: so a batch
// is sent in waves, the n-th wave holding the n-th row of each key (and, in the first, every row
// without a key), and a key whose row is to be retried sends nothing more in this batch.
#pragma once

#include <functional>
#include <vector>

#include "core/batch_claim.hpp"

namespace outboxd {

// The wave of each row of `batch`: 0 for a row without a key, else the number of rows of its key
// in the batch with a smaller seq. Rows of one key need not be next to each other, nor in seq order.
std::vector<int> key_waves(const std::vector<Claimed> &batch);

// Removes the rows `leave` picks and, with each, every row of its key with a larger seq: a row
// whose key's earlier row is not sent now must not be sent either. Returns how many went.
size_t leave_with_their_keys_later_rows(std::vector<Claimed> &batch, const std::function<bool(const Claimed &)> &leave);

}  // namespace outboxd
