// database.pooler: a transaction pooler needs poll mode, and the file says so, not a silent switch.
#include <gtest/gtest.h>

#include "core/config.hpp"
#include "tests/unit/config_test_support.hpp"

namespace outboxd {
namespace {

using namespace config_test;

const std::string kPoolerUrl = "database:\n  url: \"host=127.0.0.1 dbname=app\"\n";

TEST(ConfigPooler, DefaultsToNone) { EXPECT_EQ(parse(kPoolerUrl).pooler, Pooler::None); }

TEST(ConfigPooler, TransactionWithPollModeIsAccepted) {
  const Config c = parse(kPoolerUrl + "  pooler: transaction\nwakeup:\n  mode: poll\n");
  EXPECT_EQ(c.pooler, Pooler::Transaction);
  EXPECT_EQ(c.wakeup_mode, WakeupMode::Poll);
}

TEST(ConfigPooler, TransactionWithNotifyModeIsAnErrorNamingBothKeys) {
  const std::string why =
      "outboxd.yaml:3: database.pooler: transaction needs wakeup.mode: poll (behind a transaction pooler a "
      "LISTEN ends with its transaction, so notify mode would miss every wake-up); set wakeup.mode: poll, or "
      "database.pooler: none for a direct connection";
  EXPECT_EQ(error_of(kPoolerUrl + "  pooler: transaction\n"), why);  // notify is the default
  EXPECT_EQ(error_of(kPoolerUrl + "  pooler: transaction\nwakeup:\n  mode: notify\n"), why);
}

TEST(ConfigPooler, UnknownValueIsRefusedByName) {
  EXPECT_EQ(error_of(kPoolerUrl + "  pooler: session\n"),
            "outboxd.yaml:3: database.pooler: expected one of none, transaction, got \"session\"");
}

}  // namespace
}  // namespace outboxd
