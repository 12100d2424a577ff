// core/keys_in_flight.hpp: the keys a lane's workers hold, and the turn to claim keys' runs.
#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "core/keys_in_flight.hpp"

using namespace outboxd;

TEST(KeysInFlight, EachWorkerSeesTheKeysTheOthersHoldOnce) {
  KeysInFlight keys;
  keys.hold(1, {"a", "b"});
  keys.hold(2, {"c"});
  EXPECT_EQ(keys.held_by_others(1), (std::vector<std::string>{"c"}));
  EXPECT_EQ(keys.held_by_others(3), (std::vector<std::string>{"a", "b", "c"}));
  keys.release(2);
  EXPECT_TRUE(keys.held_by_others(1).empty());
}

TEST(KeysInFlight, AWorkerWaitingForItsTurnGivesUpWhenTheDaemonStops) {
  KeysInFlight keys;
  std::atomic<bool> stopping{false};
  auto held = keys.claim_turn(stopping);
  ASSERT_TRUE(held.owns_lock());
  auto waiter = std::async(std::launch::async, [&] { return keys.claim_turn(stopping).owns_lock(); });
  EXPECT_EQ(waiter.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout) << "it waits its turn";
  stopping = true;
  ASSERT_EQ(waiter.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_FALSE(waiter.get()) << "a stopping daemon claims nothing new";
}
