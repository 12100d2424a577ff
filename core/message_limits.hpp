// How large one message may be, written out: the one bound the HTTP API and the CLI refuse beyond,
// the claim hands plugins at most, and GET shows at most.
#pragma once

namespace outboxd {

// Payload and headers together, as PostgreSQL writes them out (payload::text, headers::text), in
// bytes: 64 MiB, as large as api.max_body_bytes may be. PostgreSQL writes numbers with every digit
// and jsonb puts a space after each ':' and ',', so the stored text can be larger than what was
// sent; rows written through SQL are not checked at all. The claim renders each payload once and
// hands a plugin nothing larger (such a message goes dead, never sent), so a worker holds at most
// batch_size times this, not whatever a row can grow to (PostgreSQL refuses only beyond 1 GB).
constexpr long long kMaxMessageTextBytes = 64LL * 1024 * 1024;

}  // namespace outboxd
