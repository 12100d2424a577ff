// on_outcome statements always get five typed parameters, whichever they use.
#include <gtest/gtest.h>

#include "core/on_outcome.hpp"

using outboxd::on_outcome_sql;

TEST(OnOutcome, PrefixesAParameterCteToAPlainStatement) {
  EXPECT_EQ(on_outcome_sql("  UPDATE t SET s = $2 WHERE id = $1"),
            "WITH outboxd_params AS (SELECT $1::uuid, $2::text, $3::integer, $4::text, $5::jsonb) "
            "UPDATE t SET s = $2 WHERE id = $1");
}

TEST(OnOutcome, JoinsAStatementThatHasItsOwnWith) {
  EXPECT_EQ(on_outcome_sql("with x AS (SELECT 1) UPDATE t SET s = $2"),
            "WITH outboxd_params AS (SELECT $1::uuid, $2::text, $3::integer, $4::text, $5::jsonb), "
            "x AS (SELECT 1) UPDATE t SET s = $2");
}

TEST(OnOutcome, DoesNotMistakeAWordStartingWithWithForWith) {
  EXPECT_EQ(on_outcome_sql("WITHOUT_TABLE").find("WITH outboxd_params AS ("), 0u);
  EXPECT_NE(on_outcome_sql("WITHOUT_TABLE").find(") WITHOUT_TABLE"), std::string::npos);
}
