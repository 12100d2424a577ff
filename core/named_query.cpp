// The process-wide pooler mode behind exec_statement (core/named_query.hpp).
#include "core/named_query.hpp"

#include <atomic>

namespace outboxd {
namespace {
std::atomic<Pooler> g_pooler{Pooler::None};
}  // namespace

void set_pooler(Pooler pooler) { g_pooler.store(pooler); }

Pooler current_pooler() { return g_pooler.load(std::memory_order_relaxed); }

}  // namespace outboxd
