// Drives one browser tab over the Chrome DevTools Protocol (CDP) for browser tests: navigate,
// evaluate, wait for a condition, click, type, press keys, emulate a viewport, take screenshots, and
// keep what the page said (console errors, uncaught exceptions, alert and confirm dialogs).
// Every wait has a deadline: nothing here can block a test forever.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace outboxd::test {

// CDP answered a command with an error (an unknown method, bad parameters, no such node).
class CdpError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The page's JavaScript threw (or its promise rejected) while CdpPage::evaluate ran it.
class PageScriptError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class CdpPage {
 public:
  // CDP's modifier bits, for press_key.
  static constexpr int kAlt = 1;
  static constexpr int kCtrl = 2;
  static constexpr int kMeta = 4;
  static constexpr int kShift = 8;

  // Opens a new tab (PUT /json/new?about:blank on 127.0.0.1:`devtools_port`), brings it to the
  // front and connects to it. Each CdpPage has a tab of its own; it stays open until the browser
  // ends. Throws std::runtime_error when the browser does not answer within `timeout`.
  explicit CdpPage(int devtools_port, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~CdpPage();
  CdpPage(const CdpPage &) = delete;
  CdpPage &operator=(const CdpPage &) = delete;

  // Sends one command and returns its result. Events that arrive meanwhile are handled (see
  // console_errors, dialogs). Throws CdpError with the method and CDP's message when CDP answers
  // with an error, std::runtime_error naming the method when there is no answer within `timeout`
  // or the connection is gone. After a timeout the connection is closed (a read cannot be
  // abandoned halfway), so every later call throws too.
  nlohmann::json call(const std::string &method, const nlohmann::json &params = nlohmann::json::object(),
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // Loads `url` and returns once its document has fired "load" and its readyState is "complete".
  // Throws naming the URL when loading fails (a refused connection, say) or takes over `timeout`.
  void navigate(const std::string &url, std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // The value of a JavaScript expression (a promise is awaited), as JSON: null for undefined, a
  // DOM node comes back as {}. Throws PageScriptError with the exception's text when it throws.
  nlohmann::json evaluate(const std::string &expression, std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // Evaluates `condition` about every 50 ms until it is exactly true (true), or `timeout` passes
  // (false). While it throws (an element that is not there yet) it counts as not true.
  bool wait_for(const std::string &condition, std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // Scrolls the first element matching `css_selector` into view and clicks its centre with the
  // mouse, as a user would. Throws naming the selector when nothing matches, the element has no
  // size, or another element covers that point (which would take the click instead).
  void click(const std::string &css_selector);
  // Focuses the first element matching `css_selector` and inserts `text` at its caret, as typing
  // or pasting would. Throws naming the selector when nothing matches or it cannot take focus.
  void type_text(const std::string &css_selector, const std::string &text);
  // Presses and releases one key on whatever has focus: "Tab", "Enter", "Escape", "Space",
  // "Backspace", "ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End"; `modifiers` are
  // CdpPage::kShift etc. (kShift with "Tab" moves focus backwards). Throws for another key.
  void press_key(const std::string &key, int modifiers = 0);

  // Emulates a screen of `width` x `height` CSS pixels at a device scale factor of 1; `mobile`
  // also emulates a phone (the page's <meta name="viewport"> applies, scrollbars overlay).
  void set_viewport(int width, int height, bool mobile);
  // Writes a PNG of the viewport (`full_page`: of the whole page) to `path`, creating its
  // directory.
  void screenshot(const std::filesystem::path &path, bool full_page = false);

  // Whether JavaScript dialogs are accepted (confirm() returns true) rather than dismissed (false,
  // the default). Either way they are closed at once, so alert() never blocks a test.
  void accept_dialogs(bool accept) { accept_dialogs_ = accept; }
  // What the page said so far, oldest first; each first takes in what the page has sent up to now.
  // console_messages: every console call as "<type>: <text>" ("log: hello", "error: boom").
  // console_errors: console.error and console.assert texts, and uncaught exceptions and unhandled
  // rejections as "uncaught: <exception text>". dialogs: the messages of alert, confirm and
  // prompt dialogs.
  std::vector<std::string> console_messages();
  std::vector<std::string> console_errors();
  std::vector<std::string> dialogs();

 private:
  struct Connection;

  void send(const nlohmann::json &message, std::chrono::steady_clock::time_point deadline, const std::string &what);
  nlohmann::json read_message(std::chrono::steady_clock::time_point deadline, const std::string &what);
  void handle_event(const nlohmann::json &event, std::chrono::steady_clock::time_point deadline);
  // A command whose answer may arrive at any time and is ignored.
  void send_unanswered(const std::string &method, const nlohmann::json &params,
                       std::chrono::steady_clock::time_point deadline);
  // One round trip to the page, so the events it sent before are in; an error answer is ignored.
  void take_in_events();
  [[noreturn]] void fail_connection(const std::string &what, const std::string &why);

  std::unique_ptr<Connection> connection_;
  std::string broken_;  // why the connection was closed; empty while it is usable
  int next_id_ = 0;
  bool accept_dialogs_ = false;
  std::set<std::string> loaded_loaders_;  // loaderIds of documents that fired "load"
  std::vector<std::string> console_messages_;
  std::vector<std::string> console_errors_;
  std::vector<std::string> dialogs_;
};

}  // namespace outboxd::test
