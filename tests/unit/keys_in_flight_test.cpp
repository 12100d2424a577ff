// core/keys_in_flight.hpp: the keys a lane's workers hold, and the turn to claim keys' runs.
#include <gtest/gtest.h>

#include <atomic>
#include <algorithm>
#include <future>

#include "core/keys_in_flight.hpp"

using namespace outboxd;

TEST(KeysInFlight, EachWorkerSeesTheKeysTheOthersHoldOnce) {
  KeysInFlight keys;
  keys.hold(1, {"a", "b"});
  keys.hold(2, {"c"});
  const auto now = KeysInFlight::Clock::now();
  EXPECT_EQ(keys.left_out_for(1, now), (std::vector<std::string>{"c"}));
  EXPECT_EQ(keys.left_out_for(3, now), (std::vector<std::string>{"a", "b", "c"}));
  keys.release(2);
  EXPECT_TRUE(keys.left_out_for(1, now).empty());
}

TEST(KeysInFlight, AKeyIsLeftOutForItsRetryButNoLongerThanAFewSeconds) {
  // Its message may be cancelled or sent by another daemon meanwhile; nothing here would hear of it.
  KeysInFlight keys;
  const auto now = KeysInFlight::Clock::now();
  keys.wait_for_retry("k", now + std::chrono::hours(1));
  EXPECT_EQ(keys.left_out_for(1, now), (std::vector<std::string>{"k"}));
  EXPECT_TRUE(keys.left_out_for(1, now + KeysInFlight::kMaxWait + std::chrono::seconds(1)).empty());
}

TEST(KeysInFlight, APlainClaimNeedsTheTurnOnlyWhileAWorkerClaimsRuns) {
  KeysInFlight keys;
  EXPECT_FALSE(keys.anyone_windowing());
  keys.set_windowing(1, true);
  keys.set_windowing(2, false);
  EXPECT_TRUE(keys.anyone_windowing());
  keys.set_windowing(1, false);
  EXPECT_FALSE(keys.anyone_windowing());
}

TEST(KeysInFlight, AKeyWaitingForARetryIsLeftOutUntilItIsDue) {
  KeysInFlight keys;
  const auto now = KeysInFlight::Clock::now();
  keys.wait_for_retry("k", now + std::chrono::seconds(5));
  EXPECT_EQ(keys.left_out_for(1, now), (std::vector<std::string>{"k"}));
  EXPECT_EQ(keys.left_out_for(2, now + std::chrono::seconds(4)), (std::vector<std::string>{"k"}));
  EXPECT_TRUE(keys.left_out_for(1, now + std::chrono::seconds(5)).empty());
  EXPECT_TRUE(keys.left_out_for(1, now).empty()) << "forgotten once due";
}

TEST(KeysInFlight, KeysWaitingForARetryAreBoundedForgettingTheSoonestDue) {
  KeysInFlight keys;
  const auto now = KeysInFlight::Clock::now();
  for (size_t i = 0; i <= KeysInFlight::kMaxWaitingKeys; ++i)
    keys.wait_for_retry("k" + std::to_string(i), now + std::chrono::seconds(10 + static_cast<long>(i)));
  const auto left_out = keys.left_out_for(1, now);
  EXPECT_EQ(left_out.size(), KeysInFlight::kMaxWaitingKeys);
  EXPECT_EQ(std::count(left_out.begin(), left_out.end(), "k0"), 0) << "the soonest due went";
}

TEST(KeysInFlight, AWorkerWaitingForItsTurnGivesUpWhenTheDaemonStops) {
  KeysInFlight keys;
  std::atomic<bool> stopping{false};
  auto held = keys.claim_turn(stopping);
  ASSERT_TRUE(held);
  auto waiter = std::async(std::launch::async, [&] { return static_cast<bool>(keys.claim_turn(stopping)); });
  EXPECT_EQ(waiter.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout) << "it waits its turn";
  stopping = true;
  ASSERT_EQ(waiter.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_FALSE(waiter.get()) << "a stopping daemon claims nothing new";
}

TEST(KeysInFlight, ATurnGivenBackIsTakenByTheWorkerWaitingForIt) {
  KeysInFlight keys;
  std::atomic<bool> stopping{false};
  auto held = keys.claim_turn(stopping);
  auto waiter = std::async(std::launch::async, [&] { return static_cast<bool>(keys.claim_turn(stopping)); });
  EXPECT_EQ(waiter.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);
  held.release();
  ASSERT_EQ(waiter.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_TRUE(waiter.get());
}
