// Command-line parsing: commands, --config, flags per command, and clear errors.
#include <gtest/gtest.h>

#include "daemon/cli_args.hpp"

using outboxd::cli::parse_args;

TEST(CliArgs, DefaultsToRun) {
  auto a = parse_args({});
  EXPECT_EQ(a.command, "run");
  EXPECT_EQ(a.config_path, "");
}

TEST(CliArgs, TakesConfigInBothSpellings) {
  EXPECT_EQ(parse_args({"migrate", "--config", "/x.yaml"}).config_path, "/x.yaml");
  EXPECT_EQ(parse_args({"--config=/y.yaml"}).config_path, "/y.yaml");
}

TEST(CliArgs, ReadsEnqueueFlags) {
  auto a = parse_args({"enqueue", "--destination", "d", "--payload", "{}", "--priority=3"});
  EXPECT_EQ(a.options.at("destination"), "d");
  EXPECT_EQ(a.options.at("payload"), "{}");
  EXPECT_EQ(a.options.at("priority"), "3");
}

TEST(CliArgs, RejectsUnknownCommandAndFlagsByName) {
  try {
    parse_args({"frobnicate"});
    FAIL();
  } catch (const std::invalid_argument &e) {
    EXPECT_NE(std::string(e.what()).find("frobnicate"), std::string::npos);
  }
  EXPECT_THROW(parse_args({"stats", "--destination", "x"}), std::invalid_argument);
  EXPECT_THROW(parse_args({"enqueue", "--payload"}), std::invalid_argument);
}

// `--destination a --destination b` once enqueued to b without a word: a flag given twice is refused.
TEST(CliArgs, AFlagGivenTwiceIsRefusedByName) {
  for (const auto &argv : std::vector<std::vector<std::string>>{
           {"enqueue", "--destination", "a", "--payload", "1", "--destination", "b"},
           {"enqueue", "--destination=a", "--destination=b"},
           {"stats", "--config", "x.yaml", "--config=y.yaml"}}) {
    try {
      parse_args(argv);
      ADD_FAILURE() << argv.back();
    } catch (const std::invalid_argument &e) {
      EXPECT_NE(std::string(e.what()).find("given twice"), std::string::npos) << e.what();
    }
  }
}

TEST(CliArgs, HelpAndVersionWin) {
  EXPECT_EQ(parse_args({"stats", "--help"}).command, "help");
  EXPECT_EQ(parse_args({"help"}).command, "help");
  EXPECT_EQ(parse_args({"help", "pause"}).command, "help");
  EXPECT_EQ(parse_args({"-V"}).command, "version");
}

TEST(CliArgs, PauseAndResumeTakeExactlyOneDestinationName) {
  const auto pause = parse_args({"pause", "orders", "--config", "/x.yaml"});
  EXPECT_EQ(pause.command, "pause");
  EXPECT_EQ(pause.operand, "orders");
  EXPECT_EQ(pause.config_path, "/x.yaml");
  EXPECT_EQ(parse_args({"resume", "--config=/x.yaml", "orders"}).operand, "orders") << "before or after the flags";
  for (const auto &argv : std::vector<std::vector<std::string>>{
           {"pause"}, {"resume", "--config", "/x.yaml"}, {"pause", "a", "b"}, {"stats", "orders"},
           {"pause", "--destination", "orders"}}) {
    try {
      parse_args(argv);
      ADD_FAILURE() << argv.size();
    } catch (const std::invalid_argument &e) {
      const std::string what = e.what();
      const bool named = what.find("needs a destination's name") != std::string::npos ||
                         what.find("unexpected argument") != std::string::npos ||
                         what.find("does not take --destination") != std::string::npos;
      EXPECT_TRUE(named) << what;
    }
  }
}
