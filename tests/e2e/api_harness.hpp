// HTTP API end-to-end helpers: a daemon with the API on a free port, and requests through libcurl.
#pragma once

#include <curl/curl.h>

#include <regex>

#include "tests/e2e/harness.hpp"

namespace outboxd::test {

struct HttpReply {
  long status = 0;
  std::string body;
  std::string headers;  // raw response header lines
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
};

// One request; `content_type` empty sends no Content-Type header. `extra_headers`: "Name: value".
inline HttpReply http(const std::string &method, const std::string &url, const std::string &body = "",
                      const std::string &content_type = "application/json",
                      const std::vector<std::string> &extra_headers = {}) {
  HttpReply reply;
  CURL *curl = curl_easy_init();
  curl_slist *headers = nullptr;
  headers = curl_slist_append(headers, content_type.empty() ? "Content-Type:" : ("Content-Type: " + content_type).c_str());
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip for big bodies
  for (const auto &h : extra_headers) headers = curl_slist_append(headers, h.c_str());
  auto append = +[](char *data, size_t size, size_t n, void *out) {
    static_cast<std::string *>(out)->append(data, size * n);
    return size * n;
  };
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method != "GET" || !body.empty()) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, append);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &reply.headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  else reply.body = curl_easy_strerror(rc);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return reply;
}

// In Prometheus text, the value of the sample line that starts with `series` followed by a space
// (e.g. `outboxd_database_up`, or `name{destination="orders"}`); -1 if absent.
inline double sample_value(const std::string &text, const std::string &series) {
  const std::string needle = "\n" + series + " ";
  const auto at = text.find(needle);
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + needle.size(), text.find('\n', at + needle.size()) - at - needle.size()));
}

class ApiE2E : public E2E {
 protected:
  std::unique_ptr<DaemonProcess> daemon;
  std::string base;  // "http://127.0.0.1:PORT"

  // Starts the daemon with `destinations` and extra api keys (indented, e.g. "  mail_destination: m\n").
  // `conninfo`: another database than `db`'s.
  void start_api(const std::string &destinations, const std::string &api_extra = "",
                 const std::string &extra_top = "", const std::string &conninfo = "") {
    daemon = start(write_config(destinations, extra_top + "api:\n  listen: 127.0.0.1:0\n" + api_extra,
                                "outboxd.yaml", conninfo));
    read_base();
  }

  // Sets `base` from the running daemon's log, which names the port it listens on.
  void read_base() {
    ASSERT_TRUE(daemon->wait_for_log("api: listening on")) << daemon->log();
    std::smatch m;
    const std::string log = daemon->log();
    ASSERT_TRUE(std::regex_search(log, m, std::regex(R"(api: listening on (127\.0\.0\.1:\d+))"))) << log;
    base = "http://" + m[1].str();
  }

  HttpReply get(const std::string &path) { return http("GET", base + path); }
  HttpReply post(const std::string &path, const std::string &body = "",
                 const std::string &content_type = "application/json") {
    return http("POST", base + path, body, content_type);
  }
  // POST /v1/messages and return the new id (fails the test otherwise).
  std::string create(const nlohmann::json &message) {
    HttpReply r = post("/v1/messages", message.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().value("id", "");
  }
  std::string state_of(const std::string &id) { return get("/v1/messages/" + id).json().value("state", ""); }
  bool wait_state(const std::string &id, const std::string &state,
                  std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    return wait_until([&] { return state_of(id) == state; }, timeout);
  }
};

}  // namespace outboxd::test
