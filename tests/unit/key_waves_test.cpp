// core/key_waves.hpp: the waves a batch holding keys' runs is sent in, and rows leaving a batch
// with their keys' later rows.
#include <gtest/gtest.h>

#include "core/key_waves.hpp"

using namespace outboxd;

namespace {

Claimed row(long long seq, std::optional<std::string> key = std::nullopt) {
  Claimed c;
  c.seq = seq;
  c.id = "m" + std::to_string(seq);
  c.ordering_key = std::move(key);
  return c;
}

std::vector<long long> seqs(const std::vector<Claimed> &batch) {
  std::vector<long long> out;
  for (const auto &c : batch) out.push_back(c.seq);
  return out;
}

}  // namespace

TEST(KeyWaves, RowsWithoutAKeyAndEachKeysFirstRowGoInTheFirstWave) {
  const std::vector<Claimed> batch{row(1), row(2, "a"), row(3, "b"), row(4)};
  EXPECT_EQ(key_waves(batch), (std::vector<int>{0, 0, 0, 0}));
}

TEST(KeyWaves, AKeysRowsGoOneAWaveInSeqOrderWhereverTheyStandInTheBatch) {
  // Claim order is (priority, seq): a key's later row may stand before its earlier one.
  const std::vector<Claimed> batch{row(9, "a"), row(2, "a"), row(3, "b"), row(5, "a"), row(4, "b"), row(1)};
  EXPECT_EQ(key_waves(batch), (std::vector<int>{2, 0, 0, 1, 1, 0}));
}

TEST(KeyWaves, AnEmptyBatchHasNoWaves) { EXPECT_TRUE(key_waves({}).empty()); }

TEST(KeyWaves, ARowLeavesWithItsKeysLaterRowsOnly) {
  std::vector<Claimed> batch{row(1, "a"), row(2, "a"), row(3, "b"), row(4, "a"), row(5), row(6, "b")};
  const size_t gone = leave_with_their_keys_later_rows(batch, [](const Claimed &c) { return c.seq == 2; });
  EXPECT_EQ(gone, 2u);
  EXPECT_EQ(seqs(batch), (std::vector<long long>{1, 3, 5, 6}));
}

TEST(KeyWaves, ALaterRowStandingFirstInTheBatchLeavesWithTheEarlierOne) {
  std::vector<Claimed> batch{row(7, "a"), row(3, "a"), row(4)};
  leave_with_their_keys_later_rows(batch, [](const Claimed &c) { return c.seq == 3; });
  EXPECT_EQ(seqs(batch), (std::vector<long long>{4}));
}

TEST(KeyWaves, RowsWithoutAKeyLeaveAlone) {
  std::vector<Claimed> batch{row(1), row(2), row(3, "a")};
  leave_with_their_keys_later_rows(batch, [](const Claimed &c) { return c.seq == 1; });
  EXPECT_EQ(seqs(batch), (std::vector<long long>{2, 3}));
}

TEST(KeyWaves, ThePredicateIsAskedOnceARowInBatchOrder) {
  // keep_what_the_rate_allows counts tokens in it: rows past the count leave.
  std::vector<Claimed> batch{row(1, "a"), row(2), row(3, "a"), row(4)};
  int tokens = 2;
  std::vector<long long> asked;
  leave_with_their_keys_later_rows(batch, [&](const Claimed &c) {
    asked.push_back(c.seq);
    return tokens-- <= 0;
  });
  EXPECT_EQ(asked, (std::vector<long long>{1, 2, 3, 4}));
  EXPECT_EQ(seqs(batch), (std::vector<long long>{1, 2}));
}
