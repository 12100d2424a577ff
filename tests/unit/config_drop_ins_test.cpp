// conf.d drop-ins (core/config_files.cpp): destinations added per file, in name order; anything
// else in a drop-in, or a destination named twice, refused with the file and line.
#include <filesystem>

#include <gtest/gtest.h>

#include "core/config.hpp"
#include "tests/support/daemon_process.hpp"  // TempDir, write_file

using namespace outboxd;

namespace {

EnvLookup no_env() {
  return [](const std::string &) -> std::optional<std::string> { return std::nullopt; };
}

// The error load_config throws for the config in `dir`, or "" when it loads.
std::string drop_in_load_error(const std::string &path) {
  try {
    load_config(path, no_env());
    return "";
  } catch (const ConfigError &e) {
    return e.what();
  }
}

}  // namespace

// Outside the anonymous namespace: gtest's test classes derive from it.
class ConfigDropIns : public ::testing::Test {
 protected:
  test::TempDir dir;
  std::string main_file = dir.file("outboxd.yaml");
  void SetUp() override {
    test::write_file(main_file, "database:\n  url: \"dbname=x\"\ndestinations:\n  orders:\n    plugin: log\n");
    std::filesystem::create_directory(dir.file("conf.d"));
  }
  void drop_in(const std::string &name, const std::string &text) { test::write_file(dir.file("conf.d/" + name), text); }
};

TEST_F(ConfigDropIns, AddsEachFilesDestinationsInNameOrderAndSkipsOtherNames) {
  drop_in("20-mail.yaml", "destinations:\n  mail:\n    plugin: smtp\n    max_attempts: 3\n");
  drop_in("10-hooks.yaml", "destinations:\n  hooks:\n    plugin: webhook\n");
  drop_in(".20-mail.yaml.swp", "not yaml: [");
  drop_in("30-x.yaml.dpkg-dist", "not yaml: [");
  drop_in("README", "not yaml: [");
  drop_in("empty.yaml", "");
  EXPECT_EQ(config_drop_ins(main_file),
            (std::vector<std::string>{dir.file("conf.d/10-hooks.yaml"), dir.file("conf.d/20-mail.yaml"),
                                      dir.file("conf.d/empty.yaml")}));
  const Config c = load_config(main_file, no_env());
  ASSERT_EQ(c.destinations.size(), 3u);
  EXPECT_EQ(c.destinations.at("mail").max_attempts, 3);
  EXPECT_EQ(c.destinations.at("mail").source, dir.file("conf.d/20-mail.yaml"));
  EXPECT_EQ(c.destinations.at("mail").config_line, 2);
  EXPECT_EQ(c.destinations.at("orders").source, main_file);
  EXPECT_EQ(c.source, main_file);
}

TEST_F(ConfigDropIns, ADestinationInTwoFilesIsRefusedNamingBoth) {
  drop_in("10-a.yaml", "destinations:\n  hooks:\n    plugin: webhook\n");
  drop_in("20-b.yaml", "\ndestinations:\n  hooks:\n    plugin: log\n");
  EXPECT_EQ(drop_in_load_error(main_file), dir.file("conf.d/20-b.yaml") + ":3: destinations.hooks: destination given twice (also in " +
                                       dir.file("conf.d/10-a.yaml") + ":2)");
  std::filesystem::remove(dir.file("conf.d/20-b.yaml"));
  drop_in("20-b.yaml", "destinations:\n  orders:\n    plugin: log\n");
  EXPECT_EQ(drop_in_load_error(main_file), dir.file("conf.d/20-b.yaml") +
                                       ":2: destinations.orders: destination given twice (also in " + main_file + ":4)");
}

TEST_F(ConfigDropIns, ADropInHoldsDestinationsOnly) {
  drop_in("10-a.yaml", "workers: 8\n");
  EXPECT_EQ(drop_in_load_error(main_file), dir.file("conf.d/10-a.yaml") + ":1: workers: a conf.d file may hold only "
                                                                    "destinations:; other settings belong in " +
                                       main_file);
}

TEST_F(ConfigDropIns, ErrorsInADropInNameItsFileAndLine) {
  drop_in("10-a.yaml", "destinations:\n  hooks:\n    plugin: webhook\n    max_attempts: many\n");
  const std::string error = drop_in_load_error(main_file);
  EXPECT_EQ(error.rfind(dir.file("conf.d/10-a.yaml") + ":4: destinations.hooks.max_attempts: ", 0), 0u) << error;
  std::filesystem::remove(dir.file("conf.d/10-a.yaml"));
  drop_in("10-a.yaml", "destinations: [\n");
  EXPECT_EQ(drop_in_load_error(main_file).rfind(dir.file("conf.d/10-a.yaml") + ":", 0), 0u) << drop_in_load_error(main_file);
}

TEST_F(ConfigDropIns, ADropInThatIsNotARegularFileOrAConfDThatIsNotADirectoryIsRefused) {
  std::filesystem::create_directory(dir.file("conf.d/dir.yaml"));
  EXPECT_NE(drop_in_load_error(main_file).find("cannot read drop-in config file " + dir.file("conf.d/dir.yaml")),
            std::string::npos)
      << drop_in_load_error(main_file);
  std::filesystem::remove_all(dir.file("conf.d"));
  test::write_file(dir.file("conf.d"), "");
  EXPECT_NE(drop_in_load_error(main_file).find("conf.d is not a directory"), std::string::npos) << drop_in_load_error(main_file);
  std::filesystem::remove(dir.file("conf.d"));
  EXPECT_EQ(drop_in_load_error(main_file), "") << "no conf.d: the main file alone";
}

TEST_F(ConfigDropIns, AtMostAFewHundredDropIns) {
  for (std::size_t i = 0; i <= kMaxConfigDropIns; ++i) drop_in("d" + std::to_string(1000 + i) + ".yaml", "");
  EXPECT_NE(drop_in_load_error(main_file).find("more than " + std::to_string(kMaxConfigDropIns) + " drop-in files"),
            std::string::npos);
}
