// The dashboard (ui/, served at /ui/ by the daemon) in a real headless Chromium, against the real
// daemon and PostgreSQL: the overview's counts are the database's, the message list filters, a
// dead message opens and its retry delivers it, a pause holds new messages, a read-only token sees
// no actions, a payload holding a script stays text, and the page works under a proxy's path
// prefix and at phone width. Screenshots of the overview and of a message go under
// <build>/tests/screenshots/ (docs/dashboard.md shows them).
#include <filesystem>
#include <iostream>

#include "tests/browser/cdp_page.hpp"
#include "tests/browser/chromium_process.hpp"
#include "tests/browser/prefix_proxy.hpp"
#include "tests/e2e/api_harness.hpp"

using namespace outboxd::test;
using nlohmann::json;

namespace {

const std::string kViewerToken = "viewer-browser-token-0123456789abcdef";
const std::string kOpsToken = "ops-browser-token-0123456789abcdef";

// A payload that would run script if the page ever put message data into it as HTML.
const json kHostileNote = "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\">";

// Fails twice, then succeeds: with max_attempts 2 it goes dead, and a retry delivers it.
json dies_then_delivers(const std::string &destination) {
  return {{"destination", destination},
          {"payload", {{"behavior", "fail_until"}, {"attempt", 3}, {"note", kHostileNote}}},
          {"max_attempts", 2}};
}

std::filesystem::path screenshot_path(const std::string &name) {
  return std::filesystem::current_path() / "screenshots" / (name + ".png");
}

// A JavaScript string literal of `text` (JSON's quoting is JavaScript's).
std::string js(const std::string &text) { return json(text).dump(); }

}  // namespace

class Dashboard : public ApiE2E {
 protected:
  void TearDown() override {
    if (HasFailure()) {
      std::cerr << "the end of chromium's log:\n" << browser.log_tail() << "\n";
      if (daemon) std::cerr << "the daemon's log:\n" << daemon->log() << "\n";
      try {
        std::cerr << "the page: " << page().evaluate("document.body.innerText").dump() << "\n";
      } catch (const std::exception &) {
      }
    }
  }

  CdpPage &page() {
    if (!page_) page_ = std::make_unique<CdpPage>(browser.devtools_port());
    return *page_;
  }

  // Opens `hash` of the dashboard at `ui_url` and waits until the view of that address (not the
  // one before it: a change of hash alone re-renders the page later) has its data.
  void open(const std::string &hash, std::string ui_url = "") {
    if (ui_url.empty()) ui_url = base + "/ui/";
    // The address on screen already: going there again would change nothing, so load it afresh.
    if (page().evaluate("location.href") == ui_url + hash) page().navigate("about:blank");
    page().navigate(ui_url + hash);
    ASSERT_TRUE(page().wait_for("document.querySelector('main').dataset.route === " + js(hash.empty() ? "#/" : hash) +
                                    " && document.body.dataset.ready === '1' && "
                                    "!document.querySelector('main[data-loading]')",
                                std::chrono::seconds(20)))
        << page().evaluate("document.body.innerText").dump();
  }

  // The text of one cell of the overview's row for `destination`.
  std::string cell(const std::string &destination, const std::string &field) {
    const json v = page().evaluate("(() => { const c = document.querySelector('#overview tr[data-destination=" +
                                   js(destination) + "] td[data-field=" + js(field) +
                                   "]'); return c ? c.textContent.trim() : null; })()");
    return v.is_string() ? v.get<std::string>() : "(none)";
  }

  // Waits until every count of `destination`'s row equals the table's (the page polls every 2 s).
  bool overview_matches_database(const std::string &destination) {
    const std::string d = "destination = '" + destination + "'";
    return wait_until(
        [&] {
          const std::map<std::string, long long> want = {
              {"pending_due", db.count(d + " AND state = 'pending' AND available_at <= now()")},
              {"scheduled", db.count(d + " AND state = 'pending' AND available_at > now()")},
              {"retrying", db.count(d + " AND state = 'pending' AND attempt > 0")},
              {"dead", db.count(d + " AND state = 'dead'")},
              {"cancelled", db.count(d + " AND state = 'cancelled'")},
              {"delivered_last_hour", db.count(d + " AND state = 'delivered'")}};
          for (const auto &[field, n] : want)
            if (cell(destination, field) != std::to_string(n)) return false;
          return true;
        },
        std::chrono::seconds(20));
  }

  // A condition: the message view shows this state (the view renders after its request).
  static std::string detail_state_is(const std::string &state) {
    return "(() => { const e = document.querySelector('#message-detail [data-field=state]'); "
           "return !!e && e.textContent.trim() === " + js(state) + "; })()";
  }

  std::vector<std::string> listed_ids() {
    std::vector<std::string> out;
    for (const auto &id : page().evaluate("[...document.querySelectorAll('#messages tr[data-id]')]"
                                          ".map(r => r.dataset.id)"))
      out.push_back(id.get<std::string>());
    return out;
  }

  ChromiumProcess browser;

 private:
  std::unique_ptr<CdpPage> page_;
};

TEST_F(Dashboard, OverviewMessagesDetailRetryAndPause) {
  start_api(scripted_destination("orders") + scripted_destination("mail"));
  const std::string ok1 = create({{"destination", "orders"}, {"payload", {{"n", 1}}}, {"ordering_key", "cart-7"}});
  const std::string ok2 = create({{"destination", "orders"}, {"payload", {{"n", 2}}}});
  const std::string dead = create(dies_then_delivers("orders"));
  const std::string later = create({{"destination", "mail"}, {"payload", {{"n", 3}}}, {"delay_ms", 3600000}});
  const std::string cancelled = create({{"destination", "mail"}, {"payload", {{"n", 4}}}, {"delay_ms", 3600000}});
  ASSERT_EQ(post("/v1/messages/" + cancelled + "/cancel").status, 200);
  ASSERT_TRUE(wait_state(ok1, "delivered"));
  ASSERT_TRUE(wait_state(ok2, "delivered"));
  ASSERT_TRUE(wait_state(dead, "dead"));

  // Overview: the counts the page shows are the database's, and no sign-in is asked for on an
  // open (loopback) API.
  page().set_viewport(1280, 900, false);
  open("#/");
  EXPECT_FALSE(page().evaluate("!!document.querySelector('#signin')").get<bool>());
  EXPECT_TRUE(overview_matches_database("orders")) << cell("orders", "dead") << " dead shown";
  EXPECT_TRUE(overview_matches_database("mail")) << cell("mail", "scheduled") << " scheduled shown";
  EXPECT_EQ(cell("orders", "lane"), "running");
  // The chart's summary counts what this daemon sent: ok1, ok2 delivered; the dead one failed twice.
  EXPECT_TRUE(page().wait_for("document.querySelector('main').textContent.includes('Last 15 minutes: 2 delivered, 2 failed')",
                              std::chrono::seconds(20)))
      << page().evaluate("document.querySelector('main').textContent").dump();
  EXPECT_TRUE(page().evaluate("document.querySelectorAll('svg#throughput path, svg#throughput polyline').length > 0")
                  .get<bool>());
  page().screenshot(screenshot_path("dashboard-overview"));

  // Messages, filtered to the dead ones of orders.
  open("#/messages?destination=orders&state=dead");
  EXPECT_EQ(listed_ids(), std::vector<std::string>{dead});
  EXPECT_EQ(page().evaluate("document.querySelector('#messages tr[data-id]').dataset.state"), "dead");
  // The filter form: by ordering key, then by id prefix, newest first.
  open("#/messages");
  EXPECT_EQ(listed_ids(), (std::vector<std::string>{cancelled, later, dead, ok2, ok1})) << "newest first";
  page().type_text("input[name=ordering_key]", "cart-7");
  page().click("form#filters button[type=submit]");
  ASSERT_TRUE(page().wait_for("location.hash.includes('ordering_key=cart-7') && document.body.dataset.ready === '1' "
                              "&& document.querySelectorAll('#messages tr[data-id]').length === 1"))
      << page().evaluate("location.hash").dump();
  EXPECT_EQ(listed_ids(), std::vector<std::string>{ok1});
  open("#/messages?id_prefix=" + ok2.substr(0, 18));
  EXPECT_EQ(listed_ids(), std::vector<std::string>{ok2});

  // The dead message: payload as text, errors listed, and the script in it never ran.
  open("#/messages?destination=orders&state=dead");
  page().click("#messages a[href=\"#/messages/" + dead + "\"]");
  ASSERT_TRUE(page().wait_for(detail_state_is("dead"), std::chrono::seconds(20)));
  const std::string payload_text = page().evaluate("document.querySelector('pre#payload').textContent").get<std::string>();
  EXPECT_NE(payload_text.find(kHostileNote.get<std::string>().substr(0, 40)), std::string::npos) << payload_text;
  EXPECT_TRUE(page().evaluate("window.__pwned === undefined").get<bool>()) << "a payload's script ran";
  EXPECT_EQ(page().evaluate("document.querySelectorAll('script').length"), 1) << "only app.js";
  // No markup of the message's became an element, whatever the policy would have let run.
  EXPECT_EQ(page().evaluate("document.querySelectorAll('main img, main script, main [onerror]').length"), 0);
  EXPECT_EQ(page().evaluate("document.querySelectorAll('#errors li, #errors tbody tr').length"), 2)
      << "both failed attempts";
  page().screenshot(screenshot_path("dashboard-detail"));

  // Retry it from the page: delivered on its third attempt.
  page().click("button[data-action=retry]");
  ASSERT_TRUE(wait_state(dead, "delivered"));
  open("#/messages/" + dead);
  EXPECT_TRUE(page().wait_for(detail_state_is("delivered"), std::chrono::seconds(20)));

  // Retry all dead of orders, after a confirmation that says how many.
  const std::string dead2 = create(dies_then_delivers("orders"));
  ASSERT_TRUE(wait_state(dead2, "dead"));
  open("#/");
  ASSERT_TRUE(page().wait_for("!!document.querySelector('#overview tr[data-destination=\"orders\"] "
                              "button[data-action=retry-dead]')",
                              std::chrono::seconds(20)));
  page().click("#overview tr[data-destination=\"orders\"] button[data-action=retry-dead]");
  ASSERT_TRUE(page().wait_for("document.querySelector('dialog#confirm').open"));
  const std::string question = page().evaluate("document.querySelector('#confirm-text').textContent").get<std::string>();
  EXPECT_NE(question.find("1 dead message"), std::string::npos) << question;
  page().click("#confirm-yes");
  ASSERT_TRUE(wait_state(dead2, "delivered"));

  // Pause mail: a new message of it stays pending while the page says paused; resume sends it.
  // First the table settles (the retry-dead button goes), so nothing moves under the click.
  ASSERT_TRUE(page().wait_for("!document.querySelector('#overview button[data-action=retry-dead]')",
                              std::chrono::seconds(20)));
  page().click("#overview tr[data-destination=\"mail\"] button[data-action=pause]");
  ASSERT_TRUE(page().wait_for("document.querySelector('#overview tr[data-destination=\"mail\"] "
                              "td[data-field=lane]').textContent.includes('paused')",
                              std::chrono::seconds(20)));
  const std::string held = create({{"destination", "mail"}, {"payload", {{"n", 5}}}});
  ASSERT_TRUE(page().wait_for("document.querySelector('#overview tr[data-destination=\"mail\"] "
                              "td[data-field=pending_due]').textContent.trim() === '1'",
                              std::chrono::seconds(20)))
      << cell("mail", "pending_due");
  EXPECT_EQ(state_of(held), "pending") << "a paused destination sends nothing";
  page().click("#overview tr[data-destination=\"mail\"] button[data-action=resume]");
  ASSERT_TRUE(wait_state(held, "delivered"));

  EXPECT_EQ(page().console_errors(), std::vector<std::string>{}) << "CSP violations and script errors show here";
}

TEST_F(Dashboard, AReadOnlyTokenSignsInAndSeesNoActions) {
  start_api(scripted_destination("orders"),
            "  tokens:\n    - name: viewer\n      token: " + kViewerToken + "\n      scopes: [read]\n" +
                "    - name: ops\n      token: " + kOpsToken + "\n      scopes: [admin]\n");
  // Neither token may enqueue: the message comes the way applications mostly send them, by SQL.
  const std::string dead = db.scalar(
      "INSERT INTO outbox.messages (destination, payload, max_attempts) VALUES ('orders', " +
      std::string("'{\"behavior\": \"fail_until\", \"attempt\": 3}'") + ", 2) RETURNING id");
  ASSERT_TRUE(wait_until([&] { return db.count("state = 'dead'") == 1; }, std::chrono::seconds(30)));

  page().navigate(base + "/ui/");
  ASSERT_TRUE(page().wait_for("!!document.querySelector('form#signin')", std::chrono::seconds(20)));
  page().type_text("input#token", kViewerToken);
  page().press_key("Enter");
  ASSERT_TRUE(page().wait_for("document.body.dataset.ready === '1' && !!document.querySelector('#overview')",
                              std::chrono::seconds(20)));
  EXPECT_NE(page().evaluate("document.querySelector('#whoami').textContent").get<std::string>().find("viewer"),
            std::string::npos);
  ASSERT_TRUE(page().wait_for("document.querySelector('#overview tr[data-destination=\"orders\"] "
                              "td[data-field=dead]').textContent.trim() === '1'",
                              std::chrono::seconds(20)));
  EXPECT_EQ(page().evaluate("document.querySelectorAll('button[data-action]').length"), 0) << "no actions on the overview";
  open("#/messages/" + dead);
  EXPECT_EQ(page().evaluate("document.querySelectorAll('button[data-action]').length"), 0) << "no retry on a message";
  // Kept in the tab's session only: not in a cookie, not in the address, not in localStorage.
  EXPECT_EQ(page().evaluate("sessionStorage.getItem('outboxd.token')"), kViewerToken);
  EXPECT_EQ(page().evaluate("document.cookie"), "");
  EXPECT_EQ(page().evaluate("localStorage.length"), 0);
  EXPECT_EQ(page().evaluate("location.href").get<std::string>().find(kViewerToken), std::string::npos);
  // Whatever a page would send, the server holds a read-only token to reading.
  const json forced = page().evaluate(
      "fetch('../v1/messages/" + dead + "/retry', {method: 'POST', headers: {Authorization: 'Bearer ' + "
      "sessionStorage.getItem('outboxd.token')}}).then(r => r.status)");
  EXPECT_EQ(forced, 403);
  // Signing out forgets the token.
  page().click("button#signout");
  ASSERT_TRUE(page().wait_for("!!document.querySelector('form#signin')"));
  EXPECT_TRUE(page().evaluate("sessionStorage.getItem('outboxd.token') === null").get<bool>());
}

TEST_F(Dashboard, WorksUnderAPathPrefixAtPhoneWidthAndByKeyboard) {
  start_api(scripted_destination("orders"));
  const std::string ok = create({{"destination", "orders"}, {"payload", {{"n", 1}}}});
  ASSERT_TRUE(wait_state(ok, "delivered"));
  PrefixProxy proxy("/outboxd", std::stoi(base.substr(base.rfind(':') + 1)));

  page().set_viewport(390, 844, true);
  page().navigate(proxy.url() + "/ui");  // the redirect to ui/ keeps the prefix
  ASSERT_TRUE(page().wait_for("document.body.dataset.ready === '1'", std::chrono::seconds(20)))
      << page().evaluate("location.href").dump();
  EXPECT_EQ(page().evaluate("location.pathname"), "/outboxd/ui/");
  ASSERT_TRUE(page().wait_for("!!document.querySelector('#overview tr[data-destination=\"orders\"]')"));
  bool asked_api_through_proxy = false;
  for (const auto &line : proxy.forwarded()) asked_api_through_proxy |= line.rfind("GET /v1/overview ", 0) == 0;
  EXPECT_TRUE(asked_api_through_proxy) << "the page's requests went through the prefix";
  EXPECT_TRUE(page().evaluate("document.documentElement.scrollWidth <= window.innerWidth").get<bool>())
      << "no sideways scrolling at 390 px: " << page().evaluate("document.documentElement.scrollWidth").dump();
  page().screenshot(screenshot_path("dashboard-phone"));
  open("#/messages", proxy.url() + "/ui/");
  EXPECT_EQ(listed_ids(), std::vector<std::string>{ok});
  EXPECT_TRUE(page().evaluate("document.documentElement.scrollWidth <= window.innerWidth").get<bool>());

  // Keyboard, on a page just loaded: Tab reaches the skip link first, then the navigation, where
  // Enter follows a link; the new view puts focus on its heading (a screen reader announces it).
  page().navigate("about:blank");
  open("#/messages", proxy.url() + "/ui/");
  page().press_key("Tab");
  EXPECT_EQ(page().evaluate("document.activeElement.className"), "skip-link");
  bool reached_overview_link = false;
  for (int i = 0; i < 8 && !reached_overview_link; ++i) {
    page().press_key("Tab");
    reached_overview_link = page().evaluate("document.activeElement.getAttribute('href') === '#/' && "
                                            "document.activeElement.textContent.trim() === 'Overview'")
                                .get<bool>();
  }
  ASSERT_TRUE(reached_overview_link) << page().evaluate("document.activeElement.outerHTML").dump();
  page().press_key("Enter");
  EXPECT_TRUE(page().wait_for("location.hash === '#/' && !!document.querySelector('#overview')"));
  EXPECT_TRUE(page().wait_for("document.activeElement.tagName === 'H1'")) << "focus on the new view's heading";
  EXPECT_EQ(page().console_errors(), std::vector<std::string>{});
}
