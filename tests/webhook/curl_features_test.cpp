// plugins/common/curl_features.hpp: the protocol restriction holds whichever of its two options
// this libcurl takes (the bitmask one is what a libcurl before 7.85, as RHEL 9's, gets), and the
// protocol probe answers from the running libcurl.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "common/curl_features.hpp"

namespace {

using outboxd::plugin_common::curl_runtime_version;
using outboxd::plugin_common::curl_speaks;
using outboxd::plugin_common::restrict_curl_protocols;
using outboxd::plugin_common::restrict_curl_protocols_by_mask;

size_t discard_body(char *, size_t size, size_t n, void *) { return size * n; }

// Fetches file://<path> with `restrict` applied to the handle first; returns curl's result.
template <typename Restrict>
CURLcode fetch_file(const std::string &path, Restrict restrict) {
  CURL *curl = curl_easy_init();
  EXPECT_NE(curl, nullptr);
  curl_easy_setopt(curl, CURLOPT_URL, ("file://" + path).c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &discard_body);
  EXPECT_EQ(restrict(curl), CURLE_OK);
  const CURLcode rc = curl_easy_perform(curl);
  curl_easy_cleanup(curl);
  return rc;
}

class CurlFeatures : public ::testing::Test {
 protected:
  void SetUp() override {
    // A name of this process's own: ctest runs this fixture's tests in parallel processes, and one's
    // TearDown removed the file another was reading (CURLE_FILE_COULDNT_READ_FILE).
    path_ = ::testing::TempDir() + "curl_features_test_" + std::to_string(::getpid()) + ".txt";
    std::ofstream(path_) << "a file curl may read only when file:// is allowed\n";
  }
  void TearDown() override { std::remove(path_.c_str()); }
  std::string path_;
};

TEST_F(CurlFeatures, WithoutARestrictionAFileUrlIsRead) {  // what makes the tests below mean something
  EXPECT_EQ(fetch_file(path_, [](CURL *) { return CURLE_OK; }), CURLE_OK);
}

TEST_F(CurlFeatures, TheRestrictionRefusesOtherProtocols) {
  EXPECT_EQ(fetch_file(path_, [](CURL *c) { return restrict_curl_protocols(c, "http,https", CURLPROTO_HTTP | CURLPROTO_HTTPS); }),
            CURLE_UNSUPPORTED_PROTOCOL);
}

TEST_F(CurlFeatures, TheBitmaskFallbackRefusesOtherProtocolsToo) {
  EXPECT_EQ(fetch_file(path_, [](CURL *c) { return restrict_curl_protocols_by_mask(c, CURLPROTO_SMTP | CURLPROTO_SMTPS); }),
            CURLE_UNSUPPORTED_PROTOCOL);
}

TEST(CurlFeaturesProbe, NamesWhatTheRunningLibcurlSpeaks) {
  EXPECT_TRUE(curl_speaks("http"));
  EXPECT_TRUE(curl_speaks("smtp"));  // Debian's libcurl4-openssl; Fedora's libcurl-minimal would say no
  EXPECT_FALSE(curl_speaks("no-such-protocol"));
  EXPECT_FALSE(curl_speaks(""));
  EXPECT_STRNE(curl_runtime_version(), "unknown");
}

}  // namespace
