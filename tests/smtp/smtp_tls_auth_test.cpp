// The smtp plugin with STARTTLS, implicit TLS and AUTH against a real aiosmtpd, with a test CA and
// certificates generated for each test.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/smtp/smtp_test_support.hpp"
#include "tests/support/daemon_process.hpp"
#include "tests/support/smtp_peer.hpp"

namespace outboxd {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;

const json mail = {{"from", "a@example.com"}, {"to", "b@example.org"}, {"subject", "tls"}, {"text", "t"}};

class SmtpTls : public ::testing::Test {
 protected:
  test::TempDir certs, spool;
  void SetUp() override { test::smtp_make_certs(certs.path()); }

  test::SmtpPeerOptions server_options(const std::string &tls, const std::string &name = "server") {
    test::SmtpPeerOptions o;
    o.tls = tls;
    o.cert = certs.file(name + ".pem");
    o.key = certs.file(name + ".key");
    return o;
  }
  json client(int port, const std::string &tls, const std::string &ca = "ca.pem") {
    return {{"host", "127.0.0.1"}, {"port", port}, {"tls", tls}, {"ca_file", certs.file(ca)},
            {"connect_timeout_ms", 3000}};
  }
};

TEST_F(SmtpTls, StartTlsWithACertificateFromTheConfiguredCa) {
  test::SmtpPeer server(spool.path(), server_options("starttls"));
  auto plugin = test::smtp_instance(client(server.port(), "starttls"));
  const auto r = test::smtp_send(*plugin, mail);
  ASSERT_EQ(r.status, OUTBOXD_OK) << r.error;
  const json got = server.messages();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0]["envelope"]["tls"].get<bool>());
}

TEST_F(SmtpTls, ImplicitTlsWithACertificateFromTheConfiguredCa) {
  test::SmtpPeer server(spool.path(), server_options("tls"));
  auto plugin = test::smtp_instance(client(server.port(), "tls"));
  const auto r = test::smtp_send(*plugin, mail);
  ASSERT_EQ(r.status, OUTBOXD_OK) << r.error;
  ASSERT_EQ(server.count(), 1u);
}

TEST_F(SmtpTls, ASelfSignedCertificateFailsVerificationAndIsReportedAsSuch) {
  test::SmtpPeer server(spool.path(), server_options("starttls", "self"));
  auto plugin = test::smtp_instance(client(server.port(), "starttls"));
  const auto r = test::smtp_send(*plugin, mail);
  EXPECT_EQ(r.status, OUTBOXD_RETRY) << "fixable by the operator: the message waits";
  EXPECT_THAT(r.error, HasSubstr("TLS certificate verification failed"));
  EXPECT_EQ(server.count(), 0u);
}

TEST_F(SmtpTls, ASelfSignedCertificateIsAcceptedWhenItIsTheCaFile) {
  test::SmtpPeer server(spool.path(), server_options("tls", "self"));
  auto plugin = test::smtp_instance(client(server.port(), "tls", "self.pem"));
  const auto r = test::smtp_send(*plugin, mail);
  EXPECT_EQ(r.status, OUTBOXD_OK) << r.error;
}

TEST_F(SmtpTls, VerificationCanBeTurnedOff) {
  test::SmtpPeer server(spool.path(), server_options("tls", "self"));
  auto plugin = test::smtp_instance({{"host", "127.0.0.1"}, {"port", server.port()}, {"tls", "tls"}, {"tls_verify", false}});
  EXPECT_EQ(test::smtp_send(*plugin, mail).status, OUTBOXD_OK);
}

TEST_F(SmtpTls, PlainTextToAServerRequiringStartTlsIsRefusedByTheServer) {
  test::SmtpPeer server(spool.path(), server_options("starttls"));
  auto plugin = test::smtp_instance(test::smtp_plain_config(server.port()));
  const auto r = test::smtp_send(*plugin, mail);
  EXPECT_THAT(r.error, HasSubstr("530"));
  EXPECT_EQ(server.count(), 0u);
}

class SmtpAuth : public ::testing::Test {
 protected:
  test::TempDir spool;
  test::SmtpPeer server{spool.path(), [] {
                          test::SmtpPeerOptions o;
                          o.auth = "mailer:correct horse";
                          return o;
                        }()};

  json client(const std::string &password, const std::string &mechanism) {
    json c = test::smtp_plain_config(server.port(), {{"username", "mailer"}, {"password", password}});
    if (!mechanism.empty()) c["auth_mechanism"] = mechanism;
    return c;
  }
};

TEST_F(SmtpAuth, PlainAndLoginAreAccepted) {
  for (const std::string mechanism : {"PLAIN", "LOGIN"}) {
    auto plugin = test::smtp_instance(client("correct horse", mechanism));
    const auto r = test::smtp_send(*plugin, mail);
    EXPECT_EQ(r.status, OUTBOXD_OK) << mechanism << ": " << r.error;
  }
  const json got = server.messages();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(got[0]["envelope"]["authenticated"].get<bool>());
  EXPECT_TRUE(got[1]["envelope"]["authenticated"].get<bool>());
}

TEST_F(SmtpAuth, AWrongPasswordIs535AndPermanentWithoutThePasswordInTheError) {
  for (const std::string mechanism : {"PLAIN", "LOGIN"}) {
    auto plugin = test::smtp_instance(client("battery staple", mechanism));
    const auto r = test::smtp_send(*plugin, mail);
    EXPECT_EQ(r.status, OUTBOXD_PERMANENT) << mechanism;
    EXPECT_THAT(r.error, HasSubstr("authentication failed: 535")) << mechanism;
    EXPECT_EQ(r.error.find("battery"), std::string::npos);
  }
  EXPECT_EQ(server.count(), 0u);
}

TEST_F(SmtpAuth, NoCredentialsAgainstAServerRequiringAuthIsRefused) {
  auto plugin = test::smtp_instance(test::smtp_plain_config(server.port()));
  const auto r = test::smtp_send(*plugin, mail);
  EXPECT_EQ(r.status, OUTBOXD_PERMANENT);
  EXPECT_THAT(r.error, HasSubstr("530"));
}

}  // namespace
}  // namespace outboxd
