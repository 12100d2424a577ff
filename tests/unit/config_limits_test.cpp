// Unit tests for the loader's bounds: alias bombs, nesting, file sizes, second documents, and
// `!file` secrets that are not small regular files. Each refusal is a ConfigError naming file:line.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/config.hpp"
#include "tests/support/daemon_process.hpp"
#include "tests/support/hostile_yaml.hpp"
#include "tests/unit/config_test_support.hpp"
#include "tests/support/text.hpp"

namespace outboxd {
namespace {

using namespace config_test;
using test::TempDir;
using namespace std::string_literals;

const std::string kHead = "database:\n  url: \"dbname=app\"\ndestinations:\n  d:\n    plugin: log\n    config:\n";


TEST(ConfigLimits, AnAliasBombIsRefusedNamingWhereTheLimitWasReached) {
  const std::string e = error_of(kHead + test::alias_bomb_yaml("      "));
  EXPECT_TRUE(contains(e, "outboxd.yaml:")) << e;
  EXPECT_TRUE(contains(e, "destinations.d.config.l")) << e;
  EXPECT_TRUE(contains(e, "more than 100000 values once its aliases (*name) are followed")) << e;
}

TEST(ConfigLimits, AliasesMayBeUsedWithinTheLimits) {
  const Config c = parse(kHead + "      base: &h {Accept: json}\n      a: *h\n      b: [*h, *h]\n");
  const auto j = nlohmann::json::parse(c.destinations.at("d").config_json);
  EXPECT_EQ(j.at("b").at(1).at("Accept"), "json");
}

TEST(ConfigLimits, AliasesOfALongStringAreRefusedByTheTextBudget) {
  // 200 uses of a 100 KB string: few nodes, 20 MB of text.
  std::string y = kHead + "      s: &s \"" + std::string(100000, 'x') + "\"\n      l: [";
  for (int i = 0; i < 200; ++i) y += (i ? ", " : "") + std::string("*s");
  const std::string e = error_of(y + "]\n");
  EXPECT_TRUE(contains(e, "outboxd.yaml:")) << e;
  EXPECT_TRUE(contains(e, "destinations.d.config.l[")) << e;
  EXPECT_TRUE(contains(e, "keys and values add up to more than 16777216 bytes")) << e;
}

TEST(ConfigLimits, AliasesOfALongStringOutsideConfigAreRefusedToo) {
  // Before: only a destination's config: counted bytes; these copies went to the loader unbounded.
  std::string y = "database:\n  url: &s \"dbname=app " + std::string(100000, 'x') + "\"\napi:\n  tokens: [";
  for (int i = 0; i < 200; ++i) y += (i ? ", " : "") + std::string("{name: *s, token: *s, scopes: [*s]}");
  const std::string e = error_of(y + "]\n");
  EXPECT_TRUE(contains(e, "outboxd.yaml:4: api.tokens[")) << e;
  EXPECT_TRUE(contains(e, "keys and values add up to more than 16777216 bytes once its aliases")) << e;
  // Keys count too: a long key aliased as keys of many mappings.
  std::string k = "k: &k " + std::string(100000, 'y') + "\nl: [";
  for (int i = 0; i < 200; ++i) k += (i ? ", " : "") + std::string("{*k : 1}");
  EXPECT_TRUE(contains(error_of(k + "]\n"), "more than 16777216 bytes")) << k.substr(0, 40);
}

TEST(ConfigLimits, AliasesOfAFileSecretCountTheSecretsBytes) {
  int reads = 0;
  SecretFileReader big = [&reads](const std::string &, std::string &contents, std::string &) {
    ++reads;
    contents.assign(1 << 20, 's');
    return true;
  };
  std::string y = kHead + "      key: &k !file /etc/big.pem\n      copies: [";
  for (int i = 0; i < 40; ++i) y += (i ? ", " : "") + std::string("*k");
  try {
    parse_config(y + "]\n", "outboxd.yaml", fake_env(), big);
    ADD_FAILURE() << "expected a ConfigError";
  } catch (const ConfigError &e) {
    EXPECT_TRUE(contains(e.what(), "destinations.d.config.copies[")) << e.what();
    EXPECT_TRUE(contains(e.what(), "16777216 bytes")) << e.what();
  }
  EXPECT_LT(reads, 20);  // stopped at the budget, not after reading every copy
}

std::string nested_lists(int depth) { return std::string(depth, '[') + "1" + std::string(depth, ']'); }

TEST(ConfigLimits, TextThatIsNotUtf8IsRefusedNamingTheLine) {
  // Tags are found by byte offset in the text, which yaml-cpp's marks only match for UTF-8.
  EXPECT_EQ(error_of("database:\n  url: \"dbname=app\"\nworkers: 2\0\n"s),
            "outboxd.yaml:3: not UTF-8 text (a NUL byte, or a UTF-16 or UTF-32 byte order mark); save the file as UTF-8");
  EXPECT_TRUE(contains(error_of("\xFF\xFE" "d\0a\0"s), "outboxd.yaml:1: not UTF-8 text"));
  EXPECT_EQ(parse("\xEF\xBB\xBF" "database:\n  url: \"dbname=app\"\n").database_url, "dbname=app");  // UTF-8 BOM
}

TEST(ConfigLimits, NestingDeeperThanTheLimitIsRefusedWithItsLine) {
  const std::string e = error_of(kHead + "      ok: 1\n      deep: " + nested_lists(70) + "\n");
  EXPECT_TRUE(contains(e, "outboxd.yaml:8: destinations.d.config.deep[0][0]")) << e;
  EXPECT_TRUE(contains(e, "nested more than 64 levels deep")) << e;
  // Inside the limit: top level, destinations, d, config, deep make 5 levels before the lists.
  EXPECT_NO_THROW(parse(kHead + "      deep: " + nested_lists(59) + "\n"));
}

TEST(ConfigLimits, VeryDeepNestingIsASyntaxErrorNotACrash) {
  // yaml-cpp's own parser stops at 2000 levels; far beyond, it must still be an error, not a stack overflow.
  const std::string e = error_of(kHead + "      deep: " + nested_lists(100000) + "\n");
  EXPECT_TRUE(contains(e, "outboxd.yaml")) << e;
}

TEST(ConfigLimits, TextLargerThanTheFileLimitIsRefused) {
  const std::string padding = "# " + std::string(kMaxConfigFileBytes, '.') + "\n";
  EXPECT_EQ(error_of("database:\n  url: \"dbname=app\"\n" + padding),
            "outboxd.yaml: larger than the limit of 1048576 bytes");
}

TEST(ConfigLimits, ASecondDocumentIsRefusedNamingItsLine) {
  EXPECT_EQ(error_of("database:\n  url: \"dbname=app\"\n---\nworkers: 4\n"),
            "outboxd.yaml:3: a second YAML document ('---') starts here; outboxd reads one document per "
            "file, so remove the '---' or move what follows into its own file");
  // Even an empty one: whatever follows the marker would be ignored.
  EXPECT_TRUE(contains(error_of("database:\n  url: \"dbname=app\"\n---\n"), "outboxd.yaml:3: a second YAML"));
}

TEST(ConfigLimits, OneDocumentWithMarkersIsAccepted) {
  EXPECT_EQ(parse("---\ndatabase:\n  url: \"dbname=app\"\nworkers: 3\n...\n").workers, 3);
  EXPECT_EQ(parse("# comment\n---\ndatabase:\n  url: \"dbname=app\"\n").database_url, "dbname=app");
}

class SecretFiles : public ::testing::Test {
 protected:
  TempDir dir;

  std::string secret_error(const std::string &path) {
    return error_of(kHead + "      password: !file " + path + "\n");
  }
};

TEST_F(SecretFiles, AFifoIsRefusedWithoutWaitingForAWriter) {
  const std::string fifo = dir.file("secret.fifo");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const std::string e = secret_error(fifo);  // before the fix this never returned
  EXPECT_TRUE(contains(e, "outboxd.yaml:7: destinations.d.config.password: cannot read secret file " + fifo +
                              ": is a FIFO, not a regular file"))
      << e;
}

TEST_F(SecretFiles, ADeviceIsRefusedWithoutReadingIt) {
  const std::string e = secret_error("/dev/zero");  // before the fix: read until std::bad_alloc
  EXPECT_TRUE(contains(e, "outboxd.yaml:7: destinations.d.config.password: cannot read secret file /dev/zero: "
                          "is a character device, not a regular file"))
      << e;
}

TEST_F(SecretFiles, ADirectoryIsRefused) {
  EXPECT_TRUE(contains(secret_error(dir.path()), "is a directory, not a regular file"));
}

TEST_F(SecretFiles, AFileAboveTheLimitIsRefusedAndOneAtTheLimitIsRead) {
  const std::string big = dir.file("big.pem");
  std::ofstream(big) << std::string(kMaxSecretFileBytes + 1, 'k');
  EXPECT_TRUE(contains(secret_error(big), "cannot read secret file " + big + ": larger than the limit of 1048576 "
                                                                             "bytes (it must be a regular file"));
  std::ofstream(big, std::ios::trunc) << std::string(kMaxSecretFileBytes, 'k');
  const Config c = parse(kHead + "      password: !file " + big + "\n");
  EXPECT_EQ(nlohmann::json::parse(c.destinations.at("d").config_json).at("password").get<std::string>().size(),
            kMaxSecretFileBytes);
}

TEST_F(SecretFiles, TheInjectedReaderIsTheOnlyOneUsed) {
  std::vector<std::string> asked;
  SecretFileReader fake = [&asked](const std::string &path, std::string &contents, std::string &) {
    asked.push_back(path);
    contents = "from-the-reader\n";
    return true;
  };
  const Config c = parse_config(kHead + "      password: !file /etc/shadow\n", "outboxd.yaml", fake_env(), fake);
  EXPECT_EQ(asked, std::vector<std::string>{"/etc/shadow"});
  EXPECT_EQ(nlohmann::json::parse(c.destinations.at("d").config_json).at("password"), "from-the-reader");
}

class ConfigFile : public SecretFiles {
 protected:
  std::string load_error(const std::string &path) {
    try {
      load_config(path, fake_env());
    } catch (const ConfigError &e) {
      return e.what();
    }
    ADD_FAILURE() << "expected a ConfigError for " << path;
    return "";
  }
};

TEST_F(ConfigFile, AFifoOrDeviceIsRefused) {
  const std::string fifo = dir.file("outboxd.yaml");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(load_error(fifo), "cannot read config file " + fifo +
                                  ": is a FIFO, not a regular file (pass --config <path> to a regular file, "
                                  "or set OUTBOXD_CONFIG)");
  EXPECT_TRUE(contains(load_error("/dev/zero"), "/dev/zero: is a character device, not a regular file"));
}

TEST_F(ConfigFile, AFileAboveTheLimitIsRefused) {
  const std::string path = dir.file("outboxd.yaml");
  std::ofstream(path) << "database:\n  url: \"dbname=app\"\n# " << std::string(kMaxConfigFileBytes, '.') << "\n";
  EXPECT_TRUE(contains(load_error(path), path + ": larger than the limit of 1048576 bytes"));
}

}  // namespace
}  // namespace outboxd
