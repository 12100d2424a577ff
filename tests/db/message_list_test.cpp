// message_list against a real PostgreSQL: pages are bounded in rows and in bytes, the first row
// always comes, and following the cursor returns every row exactly once.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "core/outbox_store.hpp"
#include "tests/support/test_database.hpp"

using outboxd::test::TestDatabase;

namespace {

// Every page from the start; each page's rows and whether the budget cut it.
std::vector<outboxd::MessagePage> all_pages(TestDatabase &db, outboxd::MessageFilter f) {
  auto c = db.connect();
  std::vector<outboxd::MessagePage> pages;
  for (;;) {
    outboxd::MessagePage page = outboxd::message_list(*c, f);
    if (page.messages.empty()) break;
    f.after_seq = page.messages.back().seq;
    pages.push_back(std::move(page));
  }
  return pages;
}

}  // namespace

TEST(MessageList, TheByteBudgetEndsAPageEarlyAndTheCursorContinuesWithoutLossOrRepeat) {
  TestDatabase db;
  // Payloads of 1000..10000 bytes, in seq order.
  db.exec("INSERT INTO outbox.messages (destination, payload) "
          "SELECT 'a', to_jsonb(repeat('x', 1000 * g)) FROM generate_series(1, 10) g");
  outboxd::MessageFilter f;
  f.limit = 100;
  f.max_bytes = 12000;
  const auto pages = all_pages(db, f);
  std::set<long long> seen;
  std::size_t rows = 0;
  for (std::size_t p = 0; p < pages.size(); ++p) {
    long long bytes = 0;
    for (const auto &m : pages[p].messages) {
      bytes += static_cast<long long>(m.json.size());
      EXPECT_TRUE(seen.insert(m.seq).second) << "seq " << m.seq << " twice";
      EXPECT_EQ(nlohmann::json::parse(m.json)["seq"], m.seq);
      ++rows;
    }
    if (pages[p].messages.size() > 1) {
      EXPECT_LE(bytes, f.max_bytes) << "page " << p;
    }
    EXPECT_EQ(pages[p].cut_short, p + 1 < pages.size()) << "page " << p << ": cut_short says whether more follow";
  }
  EXPECT_EQ(rows, 10u);
  EXPECT_GT(pages.size(), 3u) << "a budget of 12000 bytes cannot hold 55000";
}

TEST(MessageList, AMessageLargerThanTheBudgetIsAPageOfItsOwn) {
  TestDatabase db;
  db.exec("INSERT INTO outbox.messages (destination, payload) VALUES "
          "('a', '1'), ('a', to_jsonb(repeat('y', 50000))), ('a', '3')");
  outboxd::MessageFilter f;
  f.max_bytes = 10000;
  const auto pages = all_pages(db, f);
  ASSERT_EQ(pages.size(), 3u);
  for (const auto &p : pages) EXPECT_EQ(p.messages.size(), 1u);
  EXPECT_TRUE(pages[0].cut_short) << "the large one does not fit after the first";
  EXPECT_GT(pages[1].messages[0].json.size(), 50000u) << "but it comes, alone, as the first of the next page";
  EXPECT_TRUE(pages[1].cut_short);
  EXPECT_FALSE(pages[2].cut_short);
}

TEST(MessageList, RowLimitAndFiltersStillApply) {
  TestDatabase db;
  db.exec("INSERT INTO outbox.messages (destination, payload) SELECT CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END, "
          "to_jsonb(g) FROM generate_series(1, 9) g");
  outboxd::MessageFilter f;
  f.destination = "b";
  f.limit = 2;
  const auto pages = all_pages(db, f);
  ASSERT_EQ(pages.size(), 3u);
  std::vector<std::string> payloads;
  for (const auto &p : pages) {
    EXPECT_FALSE(p.cut_short) << "only the row limit ended these pages";
    for (const auto &m : p.messages) payloads.push_back(nlohmann::json::parse(m.json)["payload"].dump());
  }
  EXPECT_EQ(payloads, (std::vector<std::string>{"1", "3", "5", "7", "9"}));
}

TEST(MessageList, NewestFirstPagesBackwardsAndTheCursorFollowsTheOrder) {
  TestDatabase db;
  db.exec("INSERT INTO outbox.messages (destination, payload) SELECT 'a', to_jsonb(g) FROM generate_series(1, 7) g");
  outboxd::MessageFilter f;
  f.newest_first = true;
  f.limit = 3;
  auto c = db.connect();
  std::vector<std::string> payloads;
  for (int pages = 0; pages < 10; ++pages) {
    outboxd::MessagePage page = outboxd::message_list(*c, f);
    if (page.messages.empty()) break;
    for (const auto &m : page.messages) payloads.push_back(nlohmann::json::parse(m.json)["payload"].dump());
    f.after_seq = page.messages.back().seq;
  }
  EXPECT_EQ(payloads, (std::vector<std::string>{"7", "6", "5", "4", "3", "2", "1"}));
}

TEST(MessageList, FiltersByOrderingKeyAndIdPrefix) {
  TestDatabase db;
  db.exec("INSERT INTO outbox.messages (id, destination, payload, ordering_key) VALUES "
          "('0190aaaa-0000-7000-8000-000000000001', 'a', '1', 'k1'), "
          "('0190aaab-0000-7000-8000-000000000002', 'a', '2', 'k2'), "
          "('0190abbb-0000-7000-8000-000000000003', 'a', '3', 'k1')");
  auto c = db.connect();
  auto payloads_of = [&](outboxd::MessageFilter f) {
    std::vector<std::string> out;
    for (const auto &m : outboxd::message_list(*c, f).messages)
      out.push_back(nlohmann::json::parse(m.json)["payload"].dump());
    return out;
  };
  outboxd::MessageFilter by_key;
  by_key.ordering_key = "k1";
  EXPECT_EQ(payloads_of(by_key), (std::vector<std::string>{"1", "3"}));
  outboxd::MessageFilter by_prefix;
  by_prefix.id_low = "0190aaa0-0000-0000-0000-000000000000";
  by_prefix.id_high = "0190aaaf-ffff-ffff-ffff-ffffffffffff";
  EXPECT_EQ(payloads_of(by_prefix), (std::vector<std::string>{"1", "2"}));
  by_prefix.ordering_key = "k2";
  by_prefix.newest_first = true;
  EXPECT_EQ(payloads_of(by_prefix), (std::vector<std::string>{"2"})) << "filters combine in either order";
}

TEST(MessageList, ASummaryShowsNoPayloadAndSaysWhy) {
  TestDatabase db;
  db.exec("INSERT INTO outbox.messages (destination, payload, headers) VALUES ('a', '{\"secret\": 1}', '{\"h\": 2}')");
  outboxd::MessageFilter f;
  f.summary = true;
  auto c = db.connect();
  const outboxd::MessagePage page = outboxd::message_list(*c, f);
  ASSERT_EQ(page.messages.size(), 1u);
  const auto m = nlohmann::json::parse(page.messages[0].json);
  EXPECT_TRUE(m["payload"].is_null());
  EXPECT_TRUE(m["headers"].is_null());
  EXPECT_NE(m["omitted"]["reason"].get<std::string>().find("fields=summary"), std::string::npos) << m.dump();
  EXPECT_EQ(m["destination"], "a");
}
