// The daemon's configuration as loaded from outboxd.yaml: types, defaults and the loader.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/circuit_breaker.hpp"
#include "core/errors.hpp"
#include "core/rate_limiter.hpp"

namespace outboxd {

// How idle workers learn about new rows.
enum class WakeupMode {
  Notify,  // LISTEN/NOTIFY (coalesced) + timer + slow safety poll. The default.
  Poll     // poll every wakeup.poll_interval; for poolers (PgBouncer) that drop LISTEN.
};

// What sits between the daemon and PostgreSQL (database.pooler).
enum class Pooler {
  None,        // one server session per connection: a direct connection, or a pooler in session mode
  Transaction  // PgBouncer pool_mode = transaction: each transaction may run in another server session
};

enum class LogFormat { Text, Json };

struct DestinationConfig {
  std::string name;            // the key under `destinations:`
  std::string plugin;          // plugin name ("log") or a path to a .so
  int max_attempts = 25;       // default for messages that do not set their own
  int timeout_ms = 10000;      // per-send time budget handed to the plugin
  std::chrono::milliseconds max_backoff{std::chrono::hours(1)};  // cap on any retry delay
  int max_in_flight = 0;       // most of its messages being sent at once; 0: no cap of its own
  std::string rate_limit;      // "20/s", "600/min", "3600/h"; empty: none (rate_limit_settings())
  int rate_limit_burst = 0;    // tokens the bucket holds; 0: one second's worth, at least 1
  bool rate_limit_shared = false;  // one bucket for every daemon on the database, in PostgreSQL
  int breaker_failures = 0;    // consecutive failed sends that open its breaker; 0: not by those
  std::string breaker_failure_ratio = "0";  // "0.5" or "50%": failed share of the window's sends that opens it
  std::chrono::milliseconds breaker_window{30000};  // the ratio's window
  int breaker_min_sends = 20;  // sends in the window before the ratio counts
  std::chrono::milliseconds breaker_cool_off{1000};       // first wait before a probe
  std::chrono::milliseconds breaker_max_cool_off{300000};  // the doubling stops here

  // The keys above as the lane's flow control takes them (core/rate_limiter.hpp,
  // core/circuit_breaker.hpp).
  RateLimit rate_limit_settings() const;
  BreakerSettings breaker_settings() const;
  std::string on_outcome;      // optional SQL run in the outcome transaction; empty = none
  std::string config_json = "{}";  // the `config:` subtree as JSON (secrets already resolved)
  std::string source;          // the file it is in: the main one or a conf.d drop-in
  int config_line = 0;         // line of the destination in that file, for error messages
  int on_outcome_line = 0;     // line of its on_outcome key, for the start check's error
};

// One bearer token of the HTTP API (api.tokens). `token` is the secret itself: never log it.
struct ApiToken {
  std::string name;                 // unique, shown in logs and 403 bodies
  std::string token;                // at least 16 characters
  std::vector<std::string> scopes;  // non-empty, from enqueue, read, admin
};

// The scopes a token may have, in the order docs and errors list them.
const std::vector<std::string> &api_token_scopes();

struct Config {
  std::string source;  // file path the config came from (for messages)

  // database
  std::string database_url;   // libpq conninfo or postgresql:// URL
  bool migrate = true;        // apply pending migrations at daemon start
  // A connection that does not answer for this long is given up (core/connection_settings.hpp).
  std::chrono::milliseconds dead_connection_timeout{std::chrono::seconds(15)};
  std::chrono::milliseconds statement_timeout{std::chrono::seconds(30)};  // every daemon statement
  Pooler pooler = Pooler::None;  // Transaction: no named statements, LISTEN or session SET

  // engine
  int workers = 2;
  int batch_size = 100;
  std::chrono::milliseconds shutdown_grace{std::chrono::seconds(30)};

  // wake-up
  WakeupMode wakeup_mode = WakeupMode::Notify;
  std::chrono::milliseconds poll_interval{100};       // Poll mode: how often to look for work
  std::chrono::milliseconds busy_poll_interval{2};    // Notify mode while busy: fast poll period
  std::chrono::milliseconds linger{200};              // stay in fast polling this long after work
  std::chrono::milliseconds safety_poll{std::chrono::seconds(5)};  // covers lost notifications

  // retention (0 for delivered = delete in the outcome statement itself)
  std::chrono::seconds retention_delivered{std::chrono::hours(24 * 7)};
  std::chrono::seconds retention_finished{std::chrono::hours(24 * 30)};
  std::chrono::milliseconds prune_interval{std::chrono::seconds(60)};
  int prune_batch = 1000;

  // plugins
  std::string plugin_dir = OUTBOXD_PLUGIN_DIR;

  // logging
  std::string log_level = "info";  // trace, debug, info, warn, error
  LogFormat log_format = LogFormat::Text;

  // HTTP API (api/). A non-loopback listen address is accepted only with at least one token.
  bool api_enabled = true;
  std::string api_listen = "127.0.0.1:3080";  // host:port; port 0 picks a free port
  int api_threads = 2;                        // database workers = database connections
  int api_max_body_bytes = 1 << 20;
  int api_max_connections = 512;              // client connections open at once; more get 503
  std::chrono::milliseconds api_idle_timeout{std::chrono::seconds(30)};  // keep-alive idle limit
  std::string api_mail_destination;           // POST /api/mail/send enqueues here; empty = off
  bool api_metrics_public = false;            // GET /metrics needs no token even with api.tokens
  std::vector<ApiToken> api_tokens;           // empty: no authentication (loopback only)

  std::map<std::string, DestinationConfig> destinations;
};

// The one shape of every config error: "outboxd.yaml:12: workers: <what>" (no line when 0, no key
// when empty).
ConfigError config_error(const std::string &source, int line, const std::string &key, const std::string &what);

// Limits on what the loader accepts (docs/configuration.md#limits). A config file is written by an
// operator, but a mistake or a hostile edit must not hang or exhaust the daemon that re-reads it on
// SIGHUP: each limit is far above any real config and far below what would hurt.
constexpr std::size_t kMaxConfigFileBytes = 1 << 20;      // the config file itself
constexpr std::size_t kMaxSecretFileBytes = 1 << 20;      // one `!file` secret
constexpr std::size_t kMaxConfigNodes = 100000;           // nodes, counting every use of an alias
constexpr std::size_t kMaxConfigScalarBytes = 16 << 20;   // text of all keys and values, the same way
constexpr int kMaxConfigDepth = 64;                       // nested mappings and lists
constexpr std::size_t kMaxPluginConfigBytes = 16 << 20;   // text of all destinations' `config:` as JSON

// Reads one environment variable; injectable so tests do not touch the real environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string &name)>;
EnvLookup process_env();

// Reads the file a `!file` secret names: true with its contents, or false with `error` saying why.
// Injectable so the fuzzer (tests/fuzz/config_fuzzer.cpp) never reads the files its inputs name.
using SecretFileReader = std::function<bool(const std::string &path, std::string &contents, std::string &error)>;
// The real one: regular files of at most kMaxSecretFileBytes (core/bounded_file.hpp), so a FIFO
// cannot hang the loader and /dev/zero cannot fill memory.
SecretFileReader secret_files();

// A config file's text and the name errors give it.
struct ConfigText {
  std::string source;
  std::string text;
};

// Parses YAML text. `source` names it in errors ("outboxd.yaml:12: workers: ..."). Applies
// OUTBOXD_DATABASE_URL from env. Throws ConfigError naming file, line, key and value.
// `drop_ins`: conf.d files, in the order they apply, each holding destinations only; a
// destination's name may appear once across all the files.
Config parse_config(const std::string &yaml_text, const std::string &source, const EnvLookup &env,
                    const SecretFileReader &files = secret_files(), const std::vector<ConfigText> &drop_ins = {});

// The most conf.d files load_config reads.
constexpr std::size_t kMaxConfigDropIns = 256;

// Reads and parses a file, with the drop-ins of the conf.d directory beside it (the files of
// <dir>/conf.d/ whose names end in .yaml and do not start with a dot, in byte order of their
// names; core/config_files.cpp). A missing or unreadable file is a ConfigError too, and so is one
// that is not a regular file or is larger than kMaxConfigFileBytes, or more than kMaxConfigDropIns
// drop-ins.
Config load_config(const std::string &path, const EnvLookup &env = process_env());

// The drop-ins load_config reads with `path`, in order (paths only; none when conf.d is missing).
std::vector<std::string> config_drop_ins(const std::string &path);

// The config path to use when --config is not given: $OUTBOXD_CONFIG or /etc/outboxd/outboxd.yaml.
std::string default_config_path(const EnvLookup &env = process_env());

// A duration as the config file writes it: "0", "250ms", "30s", "5m", "2h", "7d" (largest exact unit).
std::string format_duration(std::chrono::milliseconds d);

// The value of a top-level table key (core/config_keys.hpp), e.g. "wakeup.linger" -> "200ms", as
// YAML text; "destinations" gives the names joined by ", ". For check-config and reload decisions.
// database.url comes back as is (it may hold a password): redact before logging it.
// Throws std::invalid_argument for a path that is not in the table.
std::string config_value_text(const Config &config, const std::string &path);

// The same for one destination; `key` is the part after "destinations.*." ("timeout_ms", "config").
std::string destination_value_text(const DestinationConfig &destination, const std::string &key);

// The dotted paths of keys that SIGHUP cannot change (reloadable = false in the table) whose values
// differ between the running and the newly loaded config; the daemon keeps the old value and warns.
std::vector<std::string> restart_only_changes(const Config &running, const Config &loaded);

// Gives `loaded` the running value of every key that SIGHUP cannot change (reloadable = false in
// the table), so a reload applies only what it may.
void keep_restart_only_values(const Config &running, Config &loaded);

}  // namespace outboxd
