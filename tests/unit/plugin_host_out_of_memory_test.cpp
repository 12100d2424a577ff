// outboxd_host's config getters when the daemon runs out of memory inside one: the getter must
// still return INVALID with a line naming the key, never throw across the C ABI or crash. This
// binary's operator new can be told to fail, so the failure is exercised for real.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "core/plugin_host.hpp"

// This file's operator new and delete are a malloc/free pair; GCC, inlining the delete into gtest's
// code, takes it for a mismatch with the standard operator new.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {
std::atomic<bool> g_fail_allocations{false};
}  // namespace

void *operator new(std::size_t n) {
  if (g_fail_allocations.load(std::memory_order_relaxed)) throw std::bad_alloc();
  if (void *p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void *p) noexcept { std::free(p); }
void operator delete(void *p, std::size_t) noexcept { std::free(p); }

namespace outboxd {
namespace {

TEST(PluginHostOutOfMemory, AGetterThatCannotAllocateSaysSoNamingTheKey) {
  PluginHostContext ctx;
  read_plugin_config(ctx, R"({"port": 70000})");  // out of range: the error line is built in memory
  outboxd_host host;
  fill_plugin_host(host, ctx);
  char error[128] = "";
  int64_t value = 7;
  g_fail_allocations = true;
  const int rc = host.config_int(host.ctx, "port", 1, 65535, &value, error, sizeof error);
  g_fail_allocations = false;
  EXPECT_EQ(rc, OUTBOXD_CONFIG_INVALID);
  EXPECT_EQ(value, 7);
  EXPECT_EQ(std::string(error).rfind("port: ", 0), 0u) << error;
}

}  // namespace
}  // namespace outboxd
