// The one table of every daemon config key: path, type, default, reloadability and help.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace outboxd {

struct Config;
struct DestinationConfig;

// One key's value after the loader's type checking; which member is meaningful depends on the
// key's type (String and Enum: text).
struct ConfigValue {
  std::string text;
  bool boolean = false;
  std::int64_t integer = 0;
  std::chrono::milliseconds duration{0};
};

enum class KeyType {
  String,    // a YAML scalar kept as text
  Bool,      // true or false
  Int,       // an integer within [min, max]
  Duration,  // integer milliseconds, or "250ms", "30s", "5m", "2h", "7d"; bounds in ms
  Enum,      // one of `allowed`
  Mapping,   // a free-form mapping (a destination's `config:`) or the `destinations` map itself
  List       // a list of entries that the loader reads itself (api.tokens)
};

// One daemon key. Per-destination keys are written with a `*` for the destination name, e.g.
// "destinations.*.timeout_ms", because the loader, check-config and the docs treat all names alike.
struct ConfigKey {
  std::string path;           // dotted path from the top of the file
  KeyType type = KeyType::String;
  std::string default_text;   // as one would write it in YAML; empty when there is none
  bool reloadable = false;    // SIGHUP may change it; otherwise a change waits for a restart
  std::string help;           // one line, no trailing "Defaults to ..." (renderers add that)
  bool required = false;      // must be present (database.url may come from the environment)
  bool secret_allowed = false;     // may be written as {env: NAME} or {file: /path}
  std::int64_t min = 0;            // Int: inclusive bounds; Duration: bounds in milliseconds
  std::int64_t max = 0;
  std::int64_t unit_ms = 1;        // Duration: the value must be a whole multiple of this
  std::vector<std::string> allowed;  // Enum: accepted values, in the order docs list them
  // String: a check of the text beyond its type (rate_limit's "20/s"); false with `error` naming
  // the problem, which the loader prefixes with the file, line and key.
  bool (*check_text)(std::string_view text, std::string &error) = nullptr;
  // Where a top-level key's value lives in Config (null for destinations.*): storing a loaded
  // value (null for api.tokens and destinations, whose entries the loader reads itself), its value
  // as YAML text (config_value_text) and a copy from one Config to another (keep_restart_only_values).
  void (*assign)(Config &config, const ConfigValue &value) = nullptr;
  std::string (*value_text)(const Config &config) = nullptr;
  void (*copy_value)(const Config &from, Config &to) = nullptr;
  // The same for a destinations.*.<key> row, in DestinationConfig (null for every other row; the
  // loader converts `config` to JSON itself, so that row has only the text).
  void (*assign_destination)(DestinationConfig &destination, const ConfigValue &value) = nullptr;
  std::string (*destination_text)(const DestinationConfig &destination) = nullptr;
};

// Every key, in the order etc/outboxd.yaml and the reference list them.
const std::vector<ConfigKey> &config_keys();

// The entry for a dotted path ("wakeup.linger", "destinations.*.plugin"), or nullptr.
const ConfigKey *find_config_key(std::string_view path);

// The names one may write directly inside `section` ("" for the top level, "wakeup",
// "destinations.*"), in table order. Sections such as "wakeup" appear once, as a name.
std::vector<std::string> known_keys_under(std::string_view section);

// True for a path that only groups other keys ("database", "wakeup", "retention", "log").
bool is_config_section(std::string_view path);

// What a valid value looks like, for error messages: "an integer from 1 to 256".
std::string describe_expected(const ConfigKey &key);

// One-line summary of a key for `outboxd check-config --keys`:
// "workers  int 1..256  default 2  restart  Worker threads claiming and sending messages."
std::string describe_key(const ConfigKey &key);

// An annotated YAML reference: every key, its help, default and reloadability, commented.
// It parses with parse_config once database.url and a destination plugin are filled in.
std::string render_config_reference();

// Parses a duration as the config file writes it: "250ms", "30s", "5m", "2h", "7d", or a bare
// integer of milliseconds. False on anything else (signs, fractions, spaces, overflow).
bool parse_duration(std::string_view text, std::int64_t &ms);

// Smallest edit distance (Levenshtein) between two names; used for "did you mean" hints.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace outboxd
