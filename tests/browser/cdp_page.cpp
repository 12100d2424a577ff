// Drives one browser tab over the Chrome DevTools Protocol (tests/browser/cdp_page.hpp): DevTools'
// HTTP endpoint opens the tab, a websocket carries the commands, their answers and the events.
#include "tests/browser/cdp_page.hpp"

#include <algorithm>
#include <fstream>
#include <functional>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "plugins/common/base64.hpp"

namespace outboxd::test {
namespace {

// Prefixed names: a test file that shares this unity batch may use net, http and the like itself.
namespace cdp_net = boost::asio;
namespace cdp_beast = boost::beast;
namespace cdp_http = boost::beast::http;
namespace cdp_ws = boost::beast::websocket;
using CdpTcp = cdp_net::ip::tcp;
using CdpClock = std::chrono::steady_clock;

// How often wait_for and navigate look again.
constexpr std::chrono::milliseconds kCdpPollStep{50};
// The largest message read: a full-page screenshot of a long page is tens of MB of base64, more
// than Beast's default allows.
constexpr std::size_t kCdpMessageMax = 256 * 1024 * 1024;

// Runs the asynchronous operation `start` begins until its handler has run, and returns its error.
// The caller has set the stream's expiry, which ends the operation with beast::error::timeout (and
// closes the socket): that is what bounds every wait, since Beast's synchronous calls have no
// deadline at all.
template <class Start>
cdp_beast::error_code cdp_run(cdp_net::io_context &ioc, Start &&start) {
  cdp_beast::error_code result = cdp_net::error::operation_aborted;
  start([&result](cdp_beast::error_code ec, auto &&...) { result = ec; });
  ioc.restart();
  ioc.run();
  return result;
}

// One request to DevTools' HTTP endpoint (/json/...) and its JSON answer.
nlohmann::json cdp_devtools_request(int port, cdp_http::verb verb, const std::string &target,
                                    CdpClock::time_point deadline) {
  const auto failed = [&](const std::string &why) {
    return std::runtime_error("DevTools HTTP " + target + " on 127.0.0.1:" + std::to_string(port) + ": " + why);
  };
  cdp_net::io_context ioc;
  cdp_beast::tcp_stream stream(ioc);
  stream.expires_at(deadline);
  const CdpTcp::endpoint at(cdp_net::ip::address_v4::loopback(), static_cast<unsigned short>(port));
  if (const auto ec = cdp_run(ioc, [&](auto handler) { stream.async_connect(at, handler); }))
    throw failed("connect: " + ec.message());
  cdp_http::request<cdp_http::empty_body> request{verb, target, 11};
  request.set(cdp_http::field::host, "127.0.0.1:" + std::to_string(port));
  if (const auto ec = cdp_run(ioc, [&](auto handler) { cdp_http::async_write(stream, request, handler); }))
    throw failed("send: " + ec.message());
  cdp_beast::flat_buffer buffer;
  cdp_http::response<cdp_http::string_body> response;
  if (const auto ec = cdp_run(ioc, [&](auto handler) { cdp_http::async_read(stream, buffer, response, handler); }))
    throw failed("read: " + ec.message());
  if (response.result() != cdp_http::status::ok)
    throw failed("status " + std::to_string(response.result_int()) + ": " + response.body());
  auto answer = nlohmann::json::parse(response.body(), nullptr, false);
  if (answer.is_discarded()) throw failed("the answer is not JSON: " + response.body());
  return answer;
}

// A CDP RemoteObject (a console.log argument, say) as text.
std::string cdp_remote_object_text(const nlohmann::json &object) {
  for (const char *field : {"value", "unserializableValue", "description"}) {
    if (!object.contains(field)) continue;
    const auto &v = object[field];
    return v.is_string() ? v.get<std::string>() : v.dump();
  }
  return object.value("type", "?");
}

// The text of CDP's ExceptionDetails: the exception's description ("Error: boom" and its stack),
// else the value thrown, else CDP's own summary ("Uncaught").
std::string cdp_exception_text(const nlohmann::json &details) {
  if (details.contains("exception")) {
    const auto &exception = details["exception"];
    if (exception.contains("description") || exception.contains("value")) return cdp_remote_object_text(exception);
  }
  return details.value("text", "an exception");
}

// An expression for an error message: its first line, at most 80 characters.
std::string cdp_shorten(const std::string &expression) {
  const std::string line = expression.substr(0, expression.find('\n'));
  return line.size() <= 80 && line.size() == expression.size() ? line : line.substr(0, 80) + "...";
}

// Checks `done` every kCdpPollStep until it holds (true) or `deadline` passes (false).
bool cdp_poll_until(const std::function<bool()> &done, CdpClock::time_point deadline) {
  for (;;) {
    if (done()) return true;
    const auto now = CdpClock::now();
    if (now >= deadline) return false;
    std::this_thread::sleep_for(std::min<CdpClock::duration>(kCdpPollStep, deadline - now));
  }
}

std::chrono::milliseconds cdp_left_until(CdpClock::time_point deadline) {
  return std::max(std::chrono::milliseconds(0),
                  std::chrono::duration_cast<std::chrono::milliseconds>(deadline - CdpClock::now()));
}

// One key of press_key: what a US keyboard's key sends, as Input.dispatchKeyEvent takes it.
struct CdpKey {
  const char *name;  // press_key's argument
  const char *key;   // KeyboardEvent.key
  const char *code;  // KeyboardEvent.code
  int key_code;      // KeyboardEvent.keyCode (windowsVirtualKeyCode)
  const char *text;  // what it types: Enter's "\r" is what lets Enter activate a focused button
};
constexpr CdpKey kCdpKeys[] = {
    {"Tab", "Tab", "Tab", 9, ""},
    {"Enter", "Enter", "Enter", 13, "\r"},
    {"Escape", "Escape", "Escape", 27, ""},
    {"Space", " ", "Space", 32, " "},
    {"Backspace", "Backspace", "Backspace", 8, ""},
    {"End", "End", "End", 35, ""},
    {"Home", "Home", "Home", 36, ""},
    {"ArrowLeft", "ArrowLeft", "ArrowLeft", 37, ""},
    {"ArrowUp", "ArrowUp", "ArrowUp", 38, ""},
    {"ArrowRight", "ArrowRight", "ArrowRight", 39, ""},
    {"ArrowDown", "ArrowDown", "ArrowDown", 40, ""},
};

}  // namespace

struct CdpPage::Connection {
  cdp_net::io_context ioc;
  cdp_ws::stream<cdp_beast::tcp_stream> ws{ioc};
  cdp_beast::flat_buffer buffer;
};

CdpPage::CdpPage(int devtools_port, std::chrono::milliseconds timeout) : connection_(std::make_unique<Connection>()) {
  const auto deadline = CdpClock::now() + timeout;
  // A tab of its own rather than the one the browser starts with: nothing else is attached to
  // it, and a second CdpPage gets a second tab.
  const auto target = cdp_devtools_request(devtools_port, cdp_http::verb::put, "/json/new?about:blank", deadline);
  const std::string url = target.value("webSocketDebuggerUrl", "");
  const auto path = url.find("/devtools/");
  if (path == std::string::npos) throw std::runtime_error("DevTools opened a tab without a websocket: " + target.dump());

  auto &ws = connection_->ws;
  const std::string what = "CDP connection to " + url;
  cdp_beast::get_lowest_layer(ws).expires_at(deadline);
  const CdpTcp::endpoint at(cdp_net::ip::address_v4::loopback(), static_cast<unsigned short>(devtools_port));
  if (const auto ec = cdp_run(connection_->ioc,
                              [&](auto handler) { cdp_beast::get_lowest_layer(ws).async_connect(at, handler); }))
    fail_connection(what, ec.message());
  const std::string host = "127.0.0.1:" + std::to_string(devtools_port);
  if (const auto ec = cdp_run(connection_->ioc,
                              [&](auto handler) { ws.async_handshake(host, url.substr(path), handler); }))
    fail_connection(what, "handshake: " + ec.message());
  ws.read_message_max(kCdpMessageMax);
  ws.text(true);

  // Page: lifecycle events (navigate waits for "load") and dialogs; Runtime: console calls and
  // uncaught exceptions. In front, so the tab is the visible one whose timers are not throttled;
  // focus emulation makes it behave as focused even so (focus events, :focus-visible).
  call("Page.enable", {}, cdp_left_until(deadline));
  call("Page.setLifecycleEventsEnabled", {{"enabled", true}}, cdp_left_until(deadline));
  call("Runtime.enable", {}, cdp_left_until(deadline));
  call("Page.bringToFront", {}, cdp_left_until(deadline));
  call("Emulation.setFocusEmulationEnabled", {{"enabled", true}}, cdp_left_until(deadline));
}

CdpPage::~CdpPage() {
  // No close handshake: the browser takes a dropped connection as a detach, and a handshake could
  // wait on a browser that hangs.
  cdp_beast::error_code ignored;
  cdp_beast::get_lowest_layer(connection_->ws).socket().close(ignored);
}

nlohmann::json CdpPage::call(const std::string &method, const nlohmann::json &params,
                             std::chrono::milliseconds timeout) {
  const auto deadline = CdpClock::now() + timeout;
  const std::string what = "CDP " + method + " (timeout " + std::to_string(timeout.count()) + " ms)";
  const int id = ++next_id_;
  // `{}` as an argument is JSON null; CDP wants an object.
  send({{"id", id}, {"method", method}, {"params", params.is_null() ? nlohmann::json::object() : params}}, deadline,
       what);
  for (;;) {
    const auto message = read_message(deadline, what);
    if (!message.contains("id")) {
      handle_event(message, deadline);
      continue;
    }
    if (message["id"] != id) continue;  // the answer to a command sent unanswered (a dialog closed)
    if (message.contains("error")) {
      const auto &error = message["error"];
      std::string text = "CDP " + method + " failed: " + error.value("message", error.dump());
      if (error.contains("data")) text += " (" + cdp_remote_object_text({{"value", error["data"]}}) + ")";
      throw CdpError(text);
    }
    return message.value("result", nlohmann::json::object());
  }
}

void CdpPage::navigate(const std::string &url, std::chrono::milliseconds timeout) {
  const auto deadline = CdpClock::now() + timeout;
  const auto result = call("Page.navigate", {{"url", url}}, timeout);
  const std::string error = result.value("errorText", "");
  if (!error.empty()) throw std::runtime_error("navigating to " + url + ": " + error);
  // A new document (no loaderId: a jump within this one) is loaded when it fires "load" itself:
  // right after Page.navigate, readyState may still be the old document's "complete".
  const std::string loader = result.value("loaderId", "");
  const auto loaded = [&] { return loader.empty() || loaded_loaders_.count(loader) > 0; };
  const bool done = cdp_poll_until(
      [&] {
        if (loaded()) return true;
        take_in_events();
        return loaded();
      },
      deadline);
  if (!done || !wait_for("document.readyState === 'complete'", cdp_left_until(deadline)))
    throw std::runtime_error("navigating to " + url + ": the page did not finish loading within " +
                             std::to_string(timeout.count()) + " ms");
}

nlohmann::json CdpPage::evaluate(const std::string &expression, std::chrono::milliseconds timeout) {
  const auto result = call("Runtime.evaluate",
                           {{"expression", expression}, {"returnByValue", true}, {"awaitPromise", true}}, timeout);
  if (result.contains("exceptionDetails"))
    throw PageScriptError("the page threw evaluating `" + cdp_shorten(expression) +
                          "`: " + cdp_exception_text(result["exceptionDetails"]));
  const auto value = result.value("result", nlohmann::json::object());
  if (value.contains("value")) return value["value"];
  if (value.contains("unserializableValue")) return value["unserializableValue"];  // NaN, Infinity, 1n
  return nullptr;
}

bool CdpPage::wait_for(const std::string &condition, std::chrono::milliseconds timeout) {
  return cdp_poll_until(
      [&] {
        try {
          return evaluate(condition) == true;
        } catch (const PageScriptError &) {
          return false;
        } catch (const CdpError &) {
          return false;  // no document to evaluate in, halfway through a navigation
        }
      },
      CdpClock::now() + timeout);
}

void CdpPage::click(const std::string &css_selector) {
  const std::string selector = nlohmann::json(css_selector).dump();  // JSON's string is JavaScript's
  // The centre as the page sees it after scrolling, and whether the click would land on the element
  // there: a real click on a covered element reaches the cover, which the test must hear about.
  // An element larger than the viewport is clicked at the point of its centre inside it.
  const std::string script =
      "(() => {"
      "  const el = document.querySelector(" + selector + ");"
      "  if (!el) return {error: 'no element matches it'};"
      "  el.scrollIntoView({block: 'center', inline: 'center', behavior: 'instant'});"
      "  const box = el.getBoundingClientRect();"
      "  if (box.width === 0 || box.height === 0) return {error: 'its element has no size (is it hidden?)'};"
      "  const x = Math.min(Math.max(box.left + box.width / 2, 0), innerWidth - 1);"
      "  const y = Math.min(Math.max(box.top + box.height / 2, 0), innerHeight - 1);"
      "  const hit = document.elementFromPoint(x, y);"
      "  if (hit !== el && !el.contains(hit))"
      "    return {error: 'its centre is covered by ' + (hit ? hit.outerHTML.slice(0, 120) : 'nothing')};"
      "  return {x, y};"
      "})()";
  nlohmann::json point;
  try {
    point = evaluate(script);
  } catch (const PageScriptError &e) {
    throw PageScriptError("click " + css_selector + ": " + e.what());  // a selector that is no CSS
  }
  if (!point.is_object() || point.contains("error"))
    throw std::runtime_error("click " + css_selector + ": " + point.value("error", point.dump()));
  nlohmann::json mouse = {{"x", point["x"]}, {"y", point["y"]}};
  mouse["type"] = "mouseMoved";  // hover first, as a real pointer would
  call("Input.dispatchMouseEvent", mouse);
  mouse.update({{"button", "left"}, {"clickCount", 1}});
  mouse["type"] = "mousePressed";
  mouse["buttons"] = 1;
  call("Input.dispatchMouseEvent", mouse);
  mouse["type"] = "mouseReleased";
  mouse["buttons"] = 0;
  call("Input.dispatchMouseEvent", mouse);
}

void CdpPage::type_text(const std::string &css_selector, const std::string &text) {
  const std::string script =
      "(() => {"
      "  const el = document.querySelector(" + nlohmann::json(css_selector).dump() + ");"
      "  if (!el) return 'no element matches it';"
      "  el.focus();"
      "  return document.activeElement === el ? '' : 'its element cannot take focus';"
      "})()";
  nlohmann::json error;
  try {
    error = evaluate(script);
  } catch (const PageScriptError &e) {
    throw PageScriptError("type_text " + css_selector + ": " + e.what());
  }
  if (error != nlohmann::json(""))
    throw std::runtime_error("type_text " + css_selector + ": " + (error.is_string() ? error.get<std::string>() : error.dump()));
  call("Input.insertText", {{"text", text}});
}

void CdpPage::press_key(const std::string &key, int modifiers) {
  const auto *found = std::find_if(std::begin(kCdpKeys), std::end(kCdpKeys),
                                   [&](const CdpKey &k) { return key == k.name; });
  if (found == std::end(kCdpKeys)) {
    std::string known;
    for (const auto &k : kCdpKeys) known += std::string(known.empty() ? "" : ", ") + k.name;
    throw std::runtime_error("press_key: no key \"" + key + "\" (it knows " + known + ")");
  }
  const bool types = *found->text != '\0';
  // rawKeyDown for a key that types nothing, as a keyboard's would be: no keypress event follows.
  nlohmann::json event = {{"type", types ? "keyDown" : "rawKeyDown"},
                          {"key", found->key},
                          {"code", found->code},
                          {"windowsVirtualKeyCode", found->key_code},
                          {"nativeVirtualKeyCode", found->key_code},
                          {"modifiers", modifiers}};
  if (types) event.update({{"text", found->text}, {"unmodifiedText", found->text}});
  call("Input.dispatchKeyEvent", event);
  event["type"] = "keyUp";
  event.erase("text");
  event.erase("unmodifiedText");
  call("Input.dispatchKeyEvent", event);
}

void CdpPage::set_viewport(int width, int height, bool mobile) {
  call("Emulation.setDeviceMetricsOverride",
       {{"width", width}, {"height", height}, {"deviceScaleFactor", 1}, {"mobile", mobile}});
}

void CdpPage::screenshot(const std::filesystem::path &path, bool full_page) {
  // A longer deadline: a full page of a large document is slow to encode on a loaded machine.
  const auto result = call("Page.captureScreenshot", {{"format", "png"}, {"captureBeyondViewport", full_page}},
                           std::chrono::seconds(30));
  const auto png = plugin_common::base64_decode(result.value("data", ""), plugin_common::Base64Padding::required);
  if (!png) throw std::runtime_error("CDP Page.captureScreenshot answered with data that is not base64");
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(png->data(), static_cast<std::streamsize>(png->size()));
  if (!out.flush()) throw std::runtime_error("cannot write the screenshot to " + path.string());
}

std::vector<std::string> CdpPage::console_messages() {
  take_in_events();
  return console_messages_;
}

std::vector<std::string> CdpPage::console_errors() {
  take_in_events();
  return console_errors_;
}

std::vector<std::string> CdpPage::dialogs() {
  take_in_events();
  return dialogs_;
}

void CdpPage::send(const nlohmann::json &message, std::chrono::steady_clock::time_point deadline,
                   const std::string &what) {
  if (!broken_.empty()) throw std::runtime_error(what + ": the connection to the page was closed: " + broken_);
  const std::string text = message.dump();
  auto &ws = connection_->ws;
  cdp_beast::get_lowest_layer(ws).expires_at(deadline);
  if (const auto ec = cdp_run(connection_->ioc, [&](auto handler) { ws.async_write(cdp_net::buffer(text), handler); }))
    fail_connection(what, "sending: " + ec.message());
}

nlohmann::json CdpPage::read_message(std::chrono::steady_clock::time_point deadline, const std::string &what) {
  if (!broken_.empty()) throw std::runtime_error(what + ": the connection to the page was closed: " + broken_);
  auto &c = *connection_;
  c.buffer.clear();
  cdp_beast::get_lowest_layer(c.ws).expires_at(deadline);
  const auto ec = cdp_run(c.ioc, [&](auto handler) { c.ws.async_read(c.buffer, handler); });
  if (ec == cdp_beast::error::timeout) fail_connection(what, "no answer before the deadline");
  if (ec) fail_connection(what, "reading: " + ec.message());
  auto message = nlohmann::json::parse(cdp_beast::buffers_to_string(c.buffer.data()), nullptr, false);
  if (message.is_discarded()) fail_connection(what, "the browser sent a message that is not JSON");
  return message;
}

void CdpPage::handle_event(const nlohmann::json &event, std::chrono::steady_clock::time_point deadline) {
  const std::string method = event.value("method", "");
  const auto params = event.value("params", nlohmann::json::object());
  if (method == "Page.lifecycleEvent") {
    if (params.value("name", "") == "load") loaded_loaders_.insert(params.value("loaderId", ""));
  } else if (method == "Runtime.consoleAPICalled") {
    const std::string type = params.value("type", "");
    std::string text;
    for (const auto &arg : params.value("args", nlohmann::json::array()))
      text += (text.empty() ? "" : " ") + cdp_remote_object_text(arg);
    console_messages_.push_back(type + ": " + text);
    if (type == "error" || type == "assert") console_errors_.push_back(text);
  } else if (method == "Runtime.exceptionThrown") {
    console_errors_.push_back("uncaught: " + cdp_exception_text(params.value("exceptionDetails", nlohmann::json::object())));
  } else if (method == "Page.javascriptDialogOpening") {
    dialogs_.push_back(params.value("message", ""));
    // The page is stopped until the dialog closes, so it is closed now, without waiting for the
    // answer. A "Leave site?" prompt is accepted: dismissing it would cancel the navigation the
    // test asked for.
    const bool accept = accept_dialogs_ || params.value("type", "") == "beforeunload";
    send_unanswered("Page.handleJavaScriptDialog", {{"accept", accept}}, deadline);
  }
}

void CdpPage::send_unanswered(const std::string &method, const nlohmann::json &params,
                              std::chrono::steady_clock::time_point deadline) {
  send({{"id", ++next_id_}, {"method", method}, {"params", params}}, deadline, "CDP " + method);
}

void CdpPage::take_in_events() {
  if (!broken_.empty()) return;  // what was taken in before the connection closed is all there is
  try {
    call("Runtime.evaluate", {{"expression", "0"}});
  } catch (const CdpError &) {
    // No document to evaluate in right now: the events before that were read all the same.
  }
}

void CdpPage::fail_connection(const std::string &what, const std::string &why) {
  broken_ = what + ": " + why;
  cdp_beast::error_code ignored;
  cdp_beast::get_lowest_layer(connection_->ws).socket().close(ignored);
  throw std::runtime_error(broken_ + " (the connection to the page is closed now)");
}

}  // namespace outboxd::test
