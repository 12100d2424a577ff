// The one table of every daemon config key, and the helpers that print it for users.
#include "core/config_keys.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "core/config.hpp"
#include "core/rate_limiter.hpp"

namespace outboxd {
namespace {

constexpr std::int64_t kSecond = 1000;
constexpr std::int64_t kDay = 24 * 3600 * kSecond;
// Large enough for any sensible duration, small enough that ms arithmetic never overflows.
constexpr std::int64_t kMaxDuration = 3650 * kDay;

ConfigKey string_key(std::string path, std::string def, bool reloadable, std::string help) {
  ConfigKey k;
  k.path = std::move(path);
  k.type = KeyType::String;
  k.default_text = std::move(def);
  k.reloadable = reloadable;
  k.help = std::move(help);
  return k;
}

// A string whose text `check` must accept (it names the problem in `error` otherwise).
ConfigKey checked_string_key(std::string path, std::string def, bool reloadable, std::string help,
                             bool (*check)(std::string_view text, std::string &error)) {
  ConfigKey k = string_key(std::move(path), std::move(def), reloadable, std::move(help));
  k.check_text = check;
  return k;
}

ConfigKey bool_key(std::string path, std::string def, bool reloadable, std::string help) {
  ConfigKey k = string_key(std::move(path), std::move(def), reloadable, std::move(help));
  k.type = KeyType::Bool;
  return k;
}

ConfigKey int_key(std::string path, std::int64_t min, std::int64_t max, std::string def,
                  bool reloadable, std::string help) {
  ConfigKey k = string_key(std::move(path), std::move(def), reloadable, std::move(help));
  k.type = KeyType::Int;
  k.min = min;
  k.max = max;
  return k;
}

ConfigKey duration_key(std::string path, std::int64_t min_ms, std::string def, bool reloadable,
                       std::string help, std::int64_t unit_ms = 1) {
  ConfigKey k = string_key(std::move(path), std::move(def), reloadable, std::move(help));
  k.type = KeyType::Duration;
  k.min = min_ms;
  k.max = kMaxDuration;
  k.unit_ms = unit_ms;
  return k;
}

ConfigKey enum_key(std::string path, std::vector<std::string> allowed, std::string def,
                   bool reloadable, std::string help) {
  ConfigKey k = string_key(std::move(path), std::move(def), reloadable, std::move(help));
  k.type = KeyType::Enum;
  k.allowed = std::move(allowed);
  return k;
}

ConfigKey mapping_key(std::string path, bool reloadable, std::string help) {
  ConfigKey k = string_key(std::move(path), "{}", reloadable, std::move(help));
  k.type = KeyType::Mapping;
  return k;
}

// ---- Binding a row to its storage in Config -------------------------------------------------
// Each top-level row names the Config member that holds its value, so reading the value back as
// text and keeping a running value on reload are loops over the table, not lists to keep in step.

std::string value_text(const std::string &v) { return v; }
std::string value_text(bool v) { return v ? "true" : "false"; }
std::string value_text(int v) { return std::to_string(v); }
std::string value_text(std::chrono::milliseconds v) { return format_duration(v); }
std::string value_text(std::chrono::seconds v) { return format_duration(v); }
std::string value_text(Pooler v) { return v == Pooler::Transaction ? "transaction" : "none"; }
std::string value_text(WakeupMode v) { return v == WakeupMode::Poll ? "poll" : "notify"; }
std::string value_text(LogFormat v) { return v == LogFormat::Json ? "json" : "text"; }

// Names and scopes only: never the secret.
std::string value_text(const std::vector<ApiToken> &tokens) {
  std::string out;
  for (const ApiToken &t : tokens) {
    std::string scopes;
    for (const auto &s : t.scopes) scopes += (scopes.empty() ? "" : ",") + s;
    out += (out.empty() ? "" : ", ") + t.name + " (" + scopes + ")";
  }
  return out.empty() ? "[]" : out;
}

// The destination names, joined by ", ".
std::string value_text(const std::map<std::string, DestinationConfig> &destinations) {
  std::string names;
  for (const auto &entry : destinations) names += (names.empty() ? "" : ", ") + entry.first;
  return names;
}

void from_value(std::string &m, const ConfigValue &v) { m = v.text; }
void from_value(bool &m, const ConfigValue &v) { m = v.boolean; }
void from_value(int &m, const ConfigValue &v) { m = static_cast<int>(v.integer); }  // bounds checked
void from_value(std::chrono::milliseconds &m, const ConfigValue &v) { m = v.duration; }
void from_value(std::chrono::seconds &m, const ConfigValue &v) {  // whole seconds (unit_ms)
  m = std::chrono::duration_cast<std::chrono::seconds>(v.duration);
}
void from_value(Pooler &m, const ConfigValue &v) { m = v.text == "transaction" ? Pooler::Transaction : Pooler::None; }
void from_value(WakeupMode &m, const ConfigValue &v) { m = v.text == "poll" ? WakeupMode::Poll : WakeupMode::Notify; }
void from_value(LogFormat &m, const ConfigValue &v) { m = v.text == "json" ? LogFormat::Json : LogFormat::Text; }

// A member of Config or of DestinationConfig, named by its pointer-to-member.
template <auto Member, typename Owner>
void assign_member(Owner &owner, const ConfigValue &v) {
  from_value(owner.*Member, v);
}

template <auto Member, typename Owner>
std::string member_text(const Owner &owner) {
  return value_text(owner.*Member);
}

template <auto Member>
void copy_member(const Config &from, Config &to) {
  to.*Member = from.*Member;
}

// A key whose entries the loader reads itself (api.tokens, destinations): no `assign`.
template <auto Member>
ConfigKey bind_loaded_by_hand(ConfigKey k) {
  k.value_text = &member_text<Member, Config>;
  k.copy_value = &copy_member<Member>;
  return k;
}

// A destinations.*.<key> row, bound to its DestinationConfig member the same way.
template <auto Member>
ConfigKey bind_destination_loaded_by_hand(ConfigKey k) {
  k.destination_text = &member_text<Member, DestinationConfig>;
  return k;
}

template <auto Member>
ConfigKey bind_destination(ConfigKey k) {
  k.assign_destination = &assign_member<Member, DestinationConfig>;
  return bind_destination_loaded_by_hand<Member>(std::move(k));
}

template <auto Member>
ConfigKey bind(ConfigKey k) {
  k.assign = &assign_member<Member, Config>;
  return bind_loaded_by_hand<Member>(std::move(k));
}

bool check_rate_limit_text(std::string_view text, std::string &error) {
  if (text.empty()) return true;  // no limit
  RateLimit parsed;
  return parse_rate_limit(text, parsed, error);
}

bool check_failure_ratio_text(std::string_view text, std::string &error) {
  double ratio = 0;
  return parse_failure_ratio(text, ratio, error);
}

std::vector<ConfigKey> build_table() {
  std::vector<ConfigKey> t;
  ConfigKey url = string_key("database.url", "", false,
                             "libpq conninfo or postgresql:// URL; OUTBOXD_DATABASE_URL overrides it");
  url.required = true;
  url.secret_allowed = true;
  t.push_back(bind<&Config::database_url>(url));
  t.push_back(bind<&Config::migrate>(
      bool_key("database.migrate", "true", false,
               "Apply pending schema migrations at start; false expects a DBA to apply them")));
  ConfigKey dead = duration_key("database.dead_connection_timeout", 2 * kSecond, "15s", false,
                                 "A database connection that does not answer for this long (a network "
                                 "blackhole, a failover) is given up and opened again; sets TCP keepalives, "
                                 "tcp_user_timeout and connect_timeout unless database.url sets them",
                                 kSecond);
  dead.max = 3600 * kSecond;  // beyond an hour it is no longer a bound
  t.push_back(bind<&Config::dead_connection_timeout>(dead));
  ConfigKey statement = duration_key("database.statement_timeout", 100, "30s", false,
                                     "Longest any statement of the daemon may run (claim, outcome writes, "
                                     "on_outcome, retention); one that takes longer fails and is tried again");
  statement.max = kDay;  // PostgreSQL takes milliseconds in an int
  t.push_back(bind<&Config::statement_timeout>(statement));
  t.push_back(bind<&Config::pooler>(
      enum_key("database.pooler", {"none", "transaction"}, "none", false,
               "transaction: behind PgBouncer in transaction pooling (needs wakeup.mode: poll)")));
  t.push_back(bind<&Config::workers>(
      int_key("workers", 1, 256, "2", false,
              "Worker threads per destination (its lane); each holds one connection and claims batches "
              "of its destination independently")));
  t.push_back(bind<&Config::batch_size>(
      int_key("batch_size", 1, 10000, "100", true,
              "Messages claimed per transaction; a transaction lives up to batch_size x timeout")));
  t.push_back(bind<&Config::shutdown_grace>(
      duration_key("shutdown_grace", 0, "30s", true,
                   "On SIGTERM, how long in-flight sends may take before the daemon exits")));
  t.push_back(bind<&Config::wakeup_mode>(
      enum_key("wakeup.mode", {"notify", "poll"}, "notify", false,
               "notify: LISTEN/NOTIFY plus timers; poll: for poolers that drop LISTEN")));
  t.push_back(bind<&Config::poll_interval>(
      duration_key("wakeup.poll_interval", 1, "100ms", true,
                   "poll mode: how often an idle daemon looks for due messages")));
  t.push_back(bind<&Config::busy_poll_interval>(
      duration_key("wakeup.busy_poll_interval", 1, "2ms", true,
                   "notify mode: fast polling period while there is work (of a lane that found work "
                   "lately, and of the lane scout)")));
  t.push_back(bind<&Config::linger>(
      duration_key("wakeup.linger", 0, "200ms", true,
                   "notify mode: keep fast polling this long after the last work before idling")));
  t.push_back(bind<&Config::safety_poll>(
      duration_key("wakeup.safety_poll", 1, "5s", true,
                   "notify mode: slow poll that covers lost notifications")));
  t.push_back(bind<&Config::retention_delivered>(
      duration_key("retention.delivered", 0, "7d", true,
                   "Keep delivered messages this long; 0 deletes them at delivery",
                   kSecond)));
  t.push_back(bind<&Config::retention_finished>(
      duration_key("retention.finished", 0, "30d", true,
                   "Keep dead and cancelled messages this long (operators inspect them)",
                   kSecond)));
  t.push_back(bind<&Config::prune_interval>(
      duration_key("retention.prune_interval", kSecond, "60s", true,
                   "How often the retention sweep runs")));
  t.push_back(bind<&Config::prune_batch>(
      int_key("retention.prune_batch", 1, 1000000, "1000", true,
              "Rows deleted per sweep statement, so a sweep never holds long locks")));
  t.push_back(bind<&Config::plugin_dir>(
      string_key("plugin_dir", OUTBOXD_PLUGIN_DIR, false,
                 "Where plugins named without a slash are found (<dir>/<name>.so)")));
  t.push_back(bind<&Config::log_level>(
      enum_key("log.level", {"trace", "debug", "info", "warn", "error"}, "info", true,
               "Least severe level that is logged")));
  t.push_back(bind<&Config::log_format>(
      enum_key("log.format", {"text", "json"}, "text", false,
               "text: human-readable lines; json: one JSON object per line")));
  t.push_back(bind<&Config::api_enabled>(
      bool_key("api.enabled", "true", false,
               "Serve the HTTP API from the daemon process")));
  t.push_back(bind<&Config::api_listen>(
      string_key("api.listen", "127.0.0.1:3080", false,
                 "host:port the HTTP API listens on; a non-loopback address needs api.tokens; "
                 "port 0 picks a free port")));
  t.push_back(bind<&Config::api_threads>(
      int_key("api.threads", 1, 64, "2", false,
              "HTTP API database workers, each with its own database connection; requests that "
              "need the database wait for one")));
  t.push_back(bind<&Config::api_max_body_bytes>(
      int_key("api.max_body_bytes", 1024, 64 << 20, "1048576", false,
              "Largest request body the HTTP API accepts; larger ones get 413")));
  t.push_back(bind<&Config::api_max_connections>(
      int_key("api.max_connections", 1, 100000, "512", false,
              "Most client connections the HTTP API keeps open at once; more are answered 503 and "
              "closed. Keep it well under the daemon's descriptor limit (LimitNOFILE)")));
  t.push_back(bind<&Config::api_idle_timeout>(
      duration_key("api.idle_timeout", 1000, "30s", false,
                   "A keep-alive connection with no request for this long is closed",
                   kSecond)));
  t.push_back(bind<&Config::api_mail_destination>(
      string_key("api.mail_destination", "", true,
                 "Destination that POST /api/mail/send enqueues on; empty turns the endpoint off")));
  t.push_back(bind<&Config::api_metrics_public>(
      bool_key("api.metrics_public", "false", true,
               "Serve GET /metrics without a token even when api.tokens is set, for Prometheus")));
  ConfigKey tokens = string_key("api.tokens", "[]", false,
                                "Bearer tokens: a list of {name, token, scopes}; token is a secret of 16+ "
                                "characters (!env NAME or !file /path), scopes from enqueue, read, admin; "
                                "empty leaves the API open, loopback only");
  tokens.type = KeyType::List;
  tokens.secret_allowed = true;
  t.push_back(bind_loaded_by_hand<&Config::api_tokens>(tokens));
  t.push_back(bind_loaded_by_hand<&Config::destinations>(
      mapping_key("destinations", true,
                  "Named destinations: name -> plugin and its settings; names use [A-Za-z0-9_.-]")));
  ConfigKey plugin = string_key("destinations.*.plugin", "", true,
                                "Plugin name (looked up in plugin_dir) or a path to a .so file");
  plugin.required = true;
  t.push_back(bind_destination<&DestinationConfig::plugin>(plugin));
  t.push_back(bind_destination<&DestinationConfig::max_attempts>(
      int_key("destinations.*.max_attempts", 1, 1000, "25", true,
              "Attempts before a message goes dead, for messages that do not set their own")));
  t.push_back(bind_destination<&DestinationConfig::timeout_ms>(
      int_key("destinations.*.timeout_ms", 1, 600000, "10000", true, "Time budget for one send, in milliseconds")));
  t.push_back(bind_destination<&DestinationConfig::max_backoff>(
      duration_key("destinations.*.max_backoff", 0, "1h", true,
                   "Cap on any retry delay, including a plugin's retry_after")));
  t.push_back(bind_destination<&DestinationConfig::max_in_flight>(
      int_key("destinations.*.max_in_flight", 0, 1000000, "0", true,
              "Most messages of this destination being sent at once, across the daemon's workers; 0: "
              "workers x batch_size")));
  t.push_back(bind_destination<&DestinationConfig::rate_limit>(
      checked_string_key("destinations.*.rate_limit", "", true,
                         "Most messages per second, minute or hour sent to this destination: 20/s, 600/min, "
                         "3600/h; empty: no limit",
                         &check_rate_limit_text)));
  t.push_back(bind_destination<&DestinationConfig::rate_limit_burst>(
      int_key("destinations.*.rate_limit_burst", 0, kMaxRateCount, "0", true,
              "Messages the rate limit lets through at once after a quiet spell; 0: one second's worth, "
              "at least 1")));
  t.push_back(bind_destination<&DestinationConfig::rate_limit_shared>(
      bool_key("destinations.*.rate_limit_shared", "false", true,
               "One rate limit for every daemon on the database (kept in PostgreSQL) instead of one per "
               "daemon")));
  t.push_back(bind_destination<&DestinationConfig::breaker_failures>(
      int_key("destinations.*.breaker_failures", 0, 1000000, "0", true,
              "Consecutive failed sends that open the circuit breaker: no claims, no attempts spent, one "
              "probe after the cool-off; 0: not by consecutive failures (breaker_failure_ratio may still "
              "open it)")));
  t.push_back(bind_destination<&DestinationConfig::breaker_failure_ratio>(
      checked_string_key("destinations.*.breaker_failure_ratio", "0", true,
                         "Share of the sends in the last breaker_window that failed, 0.5 or 50%, which opens "
                         "the circuit breaker once there were breaker_min_sends; 0: not by a ratio",
                         &check_failure_ratio_text)));
  ConfigKey window = duration_key("destinations.*.breaker_window", 100, "30s", true,
                                  "The window breaker_failure_ratio counts sends over (in tenths of it); "
                                  "at most 1h");
  window.max = 3600 * kSecond;  // a ratio over hours would open long after the destination failed
  t.push_back(bind_destination<&DestinationConfig::breaker_window>(window));
  t.push_back(bind_destination<&DestinationConfig::breaker_min_sends>(
      int_key("destinations.*.breaker_min_sends", 1, 1000000, "20", true,
              "Fewest sends in breaker_window before breaker_failure_ratio may open the breaker, so one "
              "failure of two never does")));
  t.push_back(bind_destination<&DestinationConfig::breaker_cool_off>(
      duration_key("destinations.*.breaker_cool_off", 10, "1s", true,
                   "Wait before the first probe of an open breaker; doubles after each failed probe")));
  t.push_back(bind_destination<&DestinationConfig::breaker_max_cool_off>(
      duration_key("destinations.*.breaker_max_cool_off", 10, "5m", true,
                   "Longest wait between probes of an open breaker")));
  t.push_back(bind_destination<&DestinationConfig::on_outcome>(
      string_key("destinations.*.on_outcome", "", true,
                 "SQL run in the outcome transaction: $1 id, $2 state, $3 attempt, $4 error, $5 headers")));
  ConfigKey cfg = mapping_key("destinations.*.config", true,
                              "Plugin settings, passed to the plugin as JSON; strings may be secrets");
  cfg.secret_allowed = true;
  t.push_back(bind_destination_loaded_by_hand<&DestinationConfig::config_json>(cfg));
  return t;
}

std::string_view parent_of(std::string_view path) {
  std::size_t dot = path.rfind('.');
  return dot == std::string_view::npos ? std::string_view{} : path.substr(0, dot);
}

// The first name below `section` on `path`, or empty when `path` is not under it.
std::string_view child_name(std::string_view path, std::string_view section) {
  if (!section.empty()) {
    if (path.size() <= section.size() + 1 || path.substr(0, section.size()) != section ||
        path[section.size()] != '.')
      return {};
    path.remove_prefix(section.size() + 1);
  }
  return path.substr(0, path.find('.'));
}

std::string type_name(const ConfigKey &k) {
  switch (k.type) {
    case KeyType::String: return "string";
    case KeyType::Bool: return "bool";
    case KeyType::Int: return "int " + std::to_string(k.min) + ".." + std::to_string(k.max);
    case KeyType::Duration: return "duration";
    case KeyType::Enum: {
      std::string s = "enum ";
      for (std::size_t i = 0; i < k.allowed.size(); ++i) s += (i ? "|" : "") + k.allowed[i];
      return s;
    }
    case KeyType::Mapping: return "mapping";
    case KeyType::List: return "list";
  }
  return "?";
}

}  // namespace

const std::vector<ConfigKey> &config_keys() {
  static const std::vector<ConfigKey> table = build_table();
  return table;
}

const ConfigKey *find_config_key(std::string_view path) {
  for (const ConfigKey &k : config_keys())
    if (k.path == path) return &k;
  return nullptr;
}

bool is_config_section(std::string_view path) {
  if (path.empty() || find_config_key(path)) return false;
  for (const ConfigKey &k : config_keys())
    if (!child_name(k.path, path).empty()) return true;
  return false;
}

std::vector<std::string> known_keys_under(std::string_view section) {
  std::vector<std::string> names;
  for (const ConfigKey &k : config_keys()) {
    std::string name(child_name(k.path, section));
    if (!name.empty() && name != "*" && std::find(names.begin(), names.end(), name) == names.end())
      names.push_back(name);
  }
  return names;
}

std::string describe_expected(const ConfigKey &k) {
  switch (k.type) {
    case KeyType::String:
      return k.secret_allowed ? "a string, !env NAME or !file /path" : "a string";
    case KeyType::Bool: return "true or false";
    case KeyType::Int:
      return "an integer from " + std::to_string(k.min) + " to " + std::to_string(k.max);
    case KeyType::Duration: {
      std::string s = "a duration such as 250ms, 30s, 5m, 2h or 7d (a bare integer is milliseconds)";
      if (k.unit_ms == kSecond) s += " in whole seconds";
      if (k.min == 0) s += ", 0 allowed";
      else if (k.min == kSecond) s += ", at least 1s";
      else s += ", greater than 0";
      return s;
    }
    case KeyType::Enum: {
      std::string s = "one of ";
      for (std::size_t i = 0; i < k.allowed.size(); ++i) s += (i ? ", " : "") + k.allowed[i];
      return s;
    }
    case KeyType::Mapping: return "a mapping";
    case KeyType::List: return "a list";
  }
  return "a value";
}

std::string describe_key(const ConfigKey &k) {
  std::ostringstream out;
  out << k.path << "  " << type_name(k) << "  ";
  if (k.required) out << "required";
  else out << "default " << (k.default_text.empty() ? "\"\"" : k.default_text);
  out << "  " << (k.reloadable ? "reload" : "restart") << "  " << k.help;
  return out.str();
}

std::string render_config_reference() {
  std::ostringstream out;
  out << "# outboxd configuration reference, generated from core/config_keys.cpp.\n"
      << "# (reload) keys take effect on SIGHUP; (restart) keys keep their old value until restart.\n";
  std::string open_section;
  for (const ConfigKey &k : config_keys()) {
    if (k.path.rfind("destinations.", 0) == 0) continue;  // shown in the example below
    std::string section(parent_of(k.path));
    std::string name = section.empty() ? k.path : k.path.substr(section.size() + 1);
    std::string indent = section.empty() ? "" : "  ";
    if (section != open_section) {
      out << "\n";
      if (!section.empty()) out << section << ":\n";
      open_section = section;
    } else if (section.empty()) {
      out << "\n";
    }
    out << indent << "# " << k.help << ". ";
    if (k.required) out << "Required. ";
    else if (!k.default_text.empty()) out << "Defaults to " << k.default_text << ". ";
    out << (k.reloadable ? "(reload)" : "(restart)") << "\n";
    if (k.type == KeyType::Mapping) {  // `destinations`: one commented example entry
      out << name << ":\n" << indent << "  # example:\n";
      for (const ConfigKey &d : config_keys()) {
        if (d.path.rfind("destinations.*.", 0) != 0) continue;
        std::string dname = d.path.substr(std::string("destinations.*.").size());
        out << "  #   # " << d.help << ". ";
        if (d.required) out << "Required.";
        else out << "Defaults to " << (d.default_text.empty() ? "empty" : d.default_text) << ".";
        out << "\n  #   " << dname << ": "
            << (d.required ? "log" : d.default_text.empty() ? "\"\"" : d.default_text) << "\n";
      }
      continue;
    }
    std::string value = k.default_text.empty() ? "\"\"" : k.default_text;
    if (k.required) out << indent << "# " << name << ": \"host=127.0.0.1 dbname=app\"\n";
    else out << indent << name << ": " << value << "\n";
  }
  return out.str();
}

bool parse_duration(std::string_view text, std::int64_t &ms) {
  const std::size_t digits = std::min(text.find_first_not_of("0123456789"), text.size());
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + digits, n);
  if (digits == 0 || ec != std::errc() || end != text.data() + digits) return false;
  const std::string_view unit = text.substr(digits);
  std::int64_t factor = 0;
  if (unit.empty() || unit == "ms") factor = 1;
  else if (unit == "s") factor = kSecond;
  else if (unit == "m") factor = 60 * kSecond;
  else if (unit == "h") factor = 3600 * kSecond;
  else if (unit == "d") factor = kDay;
  else return false;
  if (n > INT64_MAX / factor) return false;
  ms = n * factor;
  return true;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// ---- Reading values back out of a Config (check-config output, SIGHUP decisions) ---------------

std::string format_duration(std::chrono::milliseconds d) {
  const std::int64_t ms = d.count();
  if (ms == 0) return "0";
  const std::pair<std::int64_t, const char *> units[] = {
      {kDay, "d"}, {3600 * kSecond, "h"}, {60 * kSecond, "m"}, {kSecond, "s"}};
  for (const auto &[size, suffix] : units)
    if (ms % size == 0) return std::to_string(ms / size) + suffix;
  return std::to_string(ms) + "ms";
}

std::string config_value_text(const Config &c, const std::string &path) {
  const ConfigKey *key = find_config_key(path);
  if (!key || !key->value_text) throw std::invalid_argument("not a top-level config key: " + path);
  return key->value_text(c);
}

std::string destination_value_text(const DestinationConfig &d, const std::string &key) {
  const ConfigKey *entry = find_config_key("destinations.*." + key);
  if (!entry || !entry->destination_text) throw std::invalid_argument("not a destination config key: " + key);
  return entry->destination_text(d);
}

std::vector<std::string> restart_only_changes(const Config &running, const Config &loaded) {
  std::vector<std::string> changed;
  for (const ConfigKey &k : config_keys()) {
    if (k.reloadable || k.path.rfind("destinations", 0) == 0) continue;
    if (config_value_text(running, k.path) != config_value_text(loaded, k.path))
      changed.push_back(k.path);
  }
  return changed;
}

void keep_restart_only_values(const Config &running, Config &loaded) {
  for (const ConfigKey &k : config_keys())
    if (!k.reloadable && k.copy_value) k.copy_value(running, loaded);
}

}  // namespace outboxd
