// `outboxd check-config --offline` where no database answers (a package test, a build machine), and
// the checks every check-config makes before the database: api.listen resolves to an address of
// this machine, and a database.url libpq cannot parse is refused without printing its password.
#include <filesystem>

#include "tests/e2e/harness.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/text.hpp"

using namespace outboxd::test;

namespace {

// A conninfo on a loopback port nothing listens on: libpq is refused at once.
std::string unreachable_database() {
  return "host=127.0.0.1 port=" + std::to_string(free_loopback_port()) + " user=outbox dbname=outbox";
}

const std::string kTokens = "  tokens:\n    - name: ops\n      token: 0123456789abcdef0123\n      scopes: [admin]\n";

}  // namespace

// Outside the anonymous namespace: a test derived from it would have a base of internal linkage
// (-Wsubobject-linkage in a unity batch).
class CheckConfigOffline : public ::testing::Test {
 protected:
  TempDir dir;
  std::string write(const std::string &conninfo, const std::string &extra_top = "api:\n  listen: 127.0.0.1:0\n",
                    const std::string &destinations = "  orders:\n    plugin: scripted\n") {
    const std::string path = dir.file("c.yaml");
    write_file(path, daemon_config(conninfo, destinations, extra_top));
    return path;
  }
};

TEST_F(CheckConfigOffline, SucceedsWithoutADatabaseWherePlainCheckConfigCannot) {
  const std::string path = write(unreachable_database());
  // Before: there was no --offline, and the package test's check-config failed for want of a database.
  auto [code, out] = run_outboxd({"check-config", "--offline", "--config", path});
  EXPECT_EQ(code, 0) << out;
  EXPECT_TRUE(contains(out, path + ": OK, 1 destination(s)")) << out;
  EXPECT_TRUE(contains(out, "offline: the file, api.listen and the plugins only")) << out;

  auto [online, online_out] = run_outboxd({"check-config", "--config", path});
  EXPECT_EQ(online, 1) << online_out;
  EXPECT_TRUE(contains(online_out, "cannot connect to PostgreSQL")) << online_out;
  EXPECT_TRUE(contains(online_out, "the file and its plugins are valid; --offline checks only those")) << online_out;
}

TEST_F(CheckConfigOffline, ReadsTheDropInsOfConfDBesideTheFileAndNamesThem) {
  const std::string path = write(unreachable_database());
  std::filesystem::create_directory(dir.file("conf.d"));
  write_file(dir.file("conf.d/20-mail.yaml"), "destinations:\n  mail:\n    plugin: scripted\n");
  write_file(dir.file("conf.d/10-hooks.yaml"), "destinations:\n  hooks:\n    plugin: scripted\n");
  write_file(dir.file("conf.d/30-old.yaml.dpkg-old"), "not: [yaml");  // skipped, as editors' and dpkg's files are
  auto [code, out] = run_outboxd({"check-config", "--offline", "--config", path});
  EXPECT_EQ(code, 0) << out;
  EXPECT_TRUE(contains(out, path + ": OK, 3 destination(s)\n  with " + dir.file("conf.d/10-hooks.yaml") +
                                "\n  with " + dir.file("conf.d/20-mail.yaml")))
      << out;
  EXPECT_TRUE(contains(out, "from " + dir.file("conf.d/20-mail.yaml"))) << out;

  // A destination given twice is refused, naming both places; exit 2 as for any bad config.
  write_file(dir.file("conf.d/40-again.yaml"), "destinations:\n  orders:\n    plugin: scripted\n");
  auto [again_code, again] = run_outboxd({"check-config", "--offline", "--config", path});
  EXPECT_EQ(again_code, 2) << again;
  EXPECT_TRUE(contains(again, dir.file("conf.d/40-again.yaml") + ":2: destinations.orders: destination given twice "
                                                                 "(also in " + path + ":"))
      << again;
}

TEST_F(CheckConfigOffline, StillRefusesABadConfigWithExitTwo) {
  auto [code, out] = run_outboxd(
      {"check-config", "--offline", "--config", write(unreachable_database(), "wokers: 2\n")});
  EXPECT_EQ(code, 2) << out;
  EXPECT_TRUE(contains(out, "wokers: unknown key 'wokers' (did you mean 'workers'?)")) << out;

  auto [plugin, plugin_out] = run_outboxd({"check-config", "--offline", "--config",
                                           write(unreachable_database(), "", "  orders:\n    plugin: no_such_plugin\n")});
  EXPECT_EQ(plugin, 2) << plugin_out;
  EXPECT_TRUE(contains(plugin_out, "no_such_plugin")) << plugin_out;

  auto [mail, mail_out] = run_outboxd({"check-config", "--offline", "--config",
                                       write(unreachable_database(), "api:\n  listen: 127.0.0.1:0\n  mail_destination: mial\n")});
  EXPECT_EQ(mail, 2) << mail_out;
  EXPECT_TRUE(contains(mail_out, "api.mail_destination: \"mial\" is not a configured destination")) << mail_out;
}

TEST_F(CheckConfigOffline, AnApiListenHostThatDoesNotResolveIsRefusedNamingApiListen) {
  // Before: check-config said OK, and run failed only once the HTTP server tried to resolve it.
  const std::string path = write(unreachable_database(), "api:\n  listen: no-such-host.invalid:3080\n" + kTokens);
  for (const std::vector<std::string> &args : {std::vector<std::string>{"check-config", "--offline"},
                                              std::vector<std::string>{"run"}}) {
    std::vector<std::string> full = args;
    full.insert(full.end(), {"--config", path});
    auto [code, out] = run_outboxd(full);
    EXPECT_EQ(code, 1) << args[0] << ": " << out;
    EXPECT_TRUE(contains(out, path + ": api.listen: cannot listen on \"no-such-host.invalid:3080\": the host "
                                     "\"no-such-host.invalid\" does not resolve"))
        << args[0] << ": " << out;
  }
}

TEST_F(CheckConfigOffline, AnApiListenAddressOfAnotherMachineIsRefused) {
  // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of this machine.
  auto [code, out] = run_outboxd({"check-config", "--offline", "--config",
                                  write(unreachable_database(), "api:\n  listen: 192.0.2.1:3080\n" + kTokens)});
  EXPECT_EQ(code, 1) << out;
  EXPECT_TRUE(contains(out, "api.listen: cannot listen on \"192.0.2.1:3080\": 192.0.2.1 is not an address of this "
                            "machine")) << out;
}

TEST_F(CheckConfigOffline, AMalformedDatabaseUrlNeverPrintsItsPassword) {
  // libpq's own message for this is `invalid percent-encoded token: "S3%ZZcret"`.
  const std::string path = write("postgresql://outbox:S3%ZZcret@127.0.0.1/outbox");
  for (const std::vector<std::string> &args : {std::vector<std::string>{"check-config", "--offline"},
                                              std::vector<std::string>{"check-config"},
                                              std::vector<std::string>{"run"},
                                              std::vector<std::string>{"migrate"}}) {
    std::vector<std::string> full = args;
    full.insert(full.end(), {"--config", path});
    auto [code, out] = run_outboxd(full);
    EXPECT_EQ(code, 2) << args[0] << ": " << out;
    EXPECT_TRUE(contains(out, "database.url: not a valid libpq connection string or postgresql:// URL")) << out;
    EXPECT_FALSE(contains(out, "S3")) << args[0] << ": " << out;
  }
}
