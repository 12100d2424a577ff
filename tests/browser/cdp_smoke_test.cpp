// The browser harness itself (chromium_process.hpp, cdp_page.hpp) against a real headless chromium
// and a small page served over HTTP from the test: evaluating, clicking, the keyboard, the
// viewport, screenshots, dialogs, console errors, and a navigation that fails.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <thread>
#include <vector>

#include "tests/browser/cdp_page.hpp"
#include "tests/browser/chromium_process.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/loopback_listener.hpp"
#include "tests/support/text.hpp"
#include "tests/support/wait.hpp"

namespace outboxd::test {

// The page every test starts on. The viewport meta tag makes a mobile viewport as wide as the
// emulated screen (without it a phone lays pages out 980 px wide).
const char *const kCdpSmokePage = R"html(<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>CDP smoke</title></head>
<body>
<p id="status">waiting</p>
<button id="greet" onclick="status_to('clicked')">Greet</button>
<button id="second" onclick="status_to('second')">Second</button>
<input id="name">
<button id="warn" onclick="alert('careful'); status_to('alerted')">Warn</button>
<button id="complain" onclick="console.error('boom'); setTimeout(() => { throw new Error('late failure'); })">Complain</button>
<script>function status_to(text) { document.getElementById('status').textContent = text; }</script>
</body></html>)html";

// Serves kCdpSmokePage at / (404 elsewhere) on a loopback port, one answer per connection. It
// polls every client at once: chromium opens spare connections it may never send a request on.
class CdpSmokeServer {
 public:
  CdpSmokeServer() {
    fd_ = listen_on_loopback(16, port_, "test page server");
    thread_ = std::thread([this] { serve(); });
  }
  ~CdpSmokeServer() {
    stop_.store(true);
    thread_.join();
    ::close(fd_);
  }
  CdpSmokeServer(const CdpSmokeServer &) = delete;
  CdpSmokeServer &operator=(const CdpSmokeServer &) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

 private:
  void serve() {
    std::map<int, std::string> requests;  // each client's bytes so far
    while (!stop_.load()) {
      std::vector<pollfd> fds{{fd_, POLLIN, 0}};
      for (const auto &client : requests) fds.push_back({client.first, POLLIN, 0});
      if (::poll(fds.data(), fds.size(), 50) <= 0) continue;
      if (fds[0].revents & POLLIN) {
        const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c >= 0) requests[c];
      }
      for (std::size_t i = 1; i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        const int c = fds[i].fd;
        char buf[4096];
        const ssize_t n = ::read(c, buf, sizeof buf);
        if (n > 0) requests[c].append(buf, static_cast<std::size_t>(n));
        if (n > 0 && !contains(requests[c], "\r\n\r\n")) continue;
        if (n > 0) answer(c, requests[c]);
        ::close(c);
        requests.erase(c);
      }
    }
    for (const auto &client : requests) ::close(client.first);
  }

  static void answer(int c, const std::string &request) {
    const bool page = request.rfind("GET / ", 0) == 0;
    const std::string body = page ? kCdpSmokePage : "";
    const std::string response = std::string(page ? "HTTP/1.1 200 OK\r\n" : "HTTP/1.1 404 Not Found\r\n") +
                                 "Content-Type: text/html; charset=utf-8\r\nContent-Length: " +
                                 std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    for (std::size_t sent = 0; sent < response.size();) {
      const ssize_t n = ::send(c, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace outboxd::test

// Each test has its own browser on the test page.
class Cdp : public ::testing::Test {
 protected:
  void SetUp() override { page.navigate(server.url()); }
  void TearDown() override {
    if (HasFailure()) std::cerr << "the end of chromium's log:\n" << browser.log_tail() << "\n";
  }

  std::string status() { return page.evaluate("document.getElementById('status').textContent").get<std::string>(); }
  std::string focused() { return page.evaluate("document.activeElement.id").get<std::string>(); }

  outboxd::test::CdpSmokeServer server;
  outboxd::test::ChromiumProcess browser;
  outboxd::test::CdpPage page{browser.devtools_port()};
};

TEST_F(Cdp, EvaluatesExpressionsAndAwaitsPromises) {
  EXPECT_EQ(page.evaluate("1 + 2"), 3);
  EXPECT_EQ(page.evaluate("document.title"), "CDP smoke");
  EXPECT_EQ(page.evaluate("new Promise(resolve => setTimeout(() => resolve('later'), 10))"), "later");
  EXPECT_TRUE(page.evaluate("undefined").is_null());
  try {
    page.evaluate("no_such_function()");
    ADD_FAILURE() << "a script that throws did not throw";
  } catch (const outboxd::test::PageScriptError &e) {
    EXPECT_TRUE(contains(e.what(), "no_such_function is not defined")) << e.what();
  }
  // The connection is still good after the page threw.
  EXPECT_EQ(page.evaluate("'still here'"), "still here");
}

TEST_F(Cdp, ClickRunsTheButtonsHandler) {
  page.click("#greet");
  EXPECT_TRUE(page.wait_for("document.getElementById('status').textContent === 'clicked'")) << status();
  try {
    page.click("#missing");
    ADD_FAILURE() << "clicking nothing did not throw";
  } catch (const std::runtime_error &e) {
    EXPECT_TRUE(contains(e.what(), "#missing")) << e.what();
  }
}

TEST_F(Cdp, TabMovesFocusAndEnterPressesTheButton) {
  page.evaluate("document.getElementById('greet').focus()");
  ASSERT_EQ(focused(), "greet");
  page.press_key("Tab");
  EXPECT_TRUE(page.wait_for("document.activeElement.id === 'second'")) << focused();
  page.press_key("Enter");
  EXPECT_TRUE(page.wait_for("document.getElementById('status').textContent === 'second'")) << status();
  page.press_key("Tab", outboxd::test::CdpPage::kShift);
  EXPECT_TRUE(page.wait_for("document.activeElement.id === 'greet'")) << focused();

  page.type_text("#name", "Ada Lovelace");
  EXPECT_EQ(page.evaluate("document.getElementById('name').value"), "Ada Lovelace");
  EXPECT_EQ(focused(), "name");
}

TEST_F(Cdp, MobileViewportIsTheEmulatedWidth) {
  page.set_viewport(390, 844, true);
  EXPECT_TRUE(page.wait_for("window.innerWidth === 390 && window.innerHeight === 844"))
      << page.evaluate("[window.innerWidth, window.innerHeight]");
}

TEST_F(Cdp, ScreenshotIsAPngOfTheViewport) {
  page.set_viewport(800, 600, false);
  const auto path = std::filesystem::current_path() / "screenshots" / "cdp_smoke.png";
  std::filesystem::remove(path);
  page.screenshot(path);
  std::ifstream in(path, std::ios::binary);
  const std::string png{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  ASSERT_GE(png.size(), 24u) << path;
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  // The IHDR chunk comes first: width and height, big-endian, at bytes 16 and 20.
  const auto be32 = [&](std::size_t at) {
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < 4; ++i) value = value << 8 | static_cast<unsigned char>(png[at + i]);
    return value;
  };
  EXPECT_EQ(be32(16), 800u);
  EXPECT_EQ(be32(20), 600u);
}

TEST_F(Cdp, AlertIsRecordedAndDismissed) {
  page.click("#warn");
  // The handler goes on after alert() returns, so the dialog was closed.
  EXPECT_TRUE(page.wait_for("document.getElementById('status').textContent === 'alerted'")) << status();
  EXPECT_EQ(page.evaluate("alert('from a script'); 5"), 5);
  EXPECT_EQ(page.dialogs(), (std::vector<std::string>{"careful", "from a script"}));
  EXPECT_EQ(page.evaluate("confirm('sure?')"), false);  // dismissed by default
  page.accept_dialogs(true);
  EXPECT_EQ(page.evaluate("confirm('really sure?')"), true);
}

TEST_F(Cdp, ConsoleErrorsAndUncaughtExceptionsAreKept) {
  page.evaluate("console.log('just saying')");
  page.click("#complain");
  // The exception is thrown from a timer after the click: it arrives when it arrives.
  const auto has = [&](const std::string &text) {
    for (const auto &error : page.console_errors())
      if (contains(error, text)) return true;
    return false;
  };
  EXPECT_TRUE(outboxd::test::wait_until([&] { return has("uncaught: Error: late failure"); }));
  EXPECT_TRUE(has("boom"));
  EXPECT_FALSE(has("just saying"));
  const auto messages = page.console_messages();
  EXPECT_NE(std::find(messages.begin(), messages.end(), "log: just saying"), messages.end());
}

TEST_F(Cdp, NavigatingToAClosedPortThrows) {
  const std::string url = "http://127.0.0.1:" + std::to_string(outboxd::test::free_loopback_port()) + "/";
  try {
    page.navigate(url);
    ADD_FAILURE() << "navigating to a closed port did not throw";
  } catch (const std::runtime_error &e) {
    EXPECT_TRUE(contains(e.what(), "ERR_CONNECTION_REFUSED")) << e.what();
  }
  // The page is still usable, and back on the test page after a navigation.
  page.navigate(server.url());
  EXPECT_EQ(status(), "waiting");
}
