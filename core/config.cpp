// Loads outboxd.yaml into Config, checking every key against the table in core/config_keys.cpp.
#include "core/config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "core/bounded_file.hpp"
#include "core/config_keys.hpp"
#include "core/config_yaml_file.hpp"
#include "core/conninfo_options.hpp"
#include "core/destination_name.hpp"
#include "core/listen_address.hpp"

namespace outboxd {
namespace {

using Ms = std::chrono::milliseconds;

using Value = ConfigValue;  // core/config_keys.hpp

bool parse_int64(const std::string &s, std::int64_t &out) {
  const char *begin = s.data() + (s.size() > 1 && s[0] == '+' && s[1] != '-' ? 1 : 0);
  const char *end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(begin, end, out);
  return begin != end && ec == std::errc() && ptr == end;
}

bool is_bool_text(const std::string &s, bool &out) {
  if (s == "true" || s == "True" || s == "TRUE") return out = true, true;
  if (s == "false" || s == "False" || s == "FALSE") return out = false, true;
  return false;
}

// YAML 1.2 core-schema floats, minus .inf/.nan, which JSON cannot carry.
bool looks_like_float(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  std::size_t i = 0, mantissa = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++mantissa;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++mantissa;
  }
  if (mantissa == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    const std::string_view exponent = s.substr(i);
    return !exponent.empty() && exponent.find_first_not_of("0123456789") == std::string_view::npos;
  }
  return i == s.size();
}

// How a value reads in an error message: the scalar quoted, otherwise what kind of node it is.
std::string shown(const YAML::Node &node) {
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  return nlohmann::json(node.Scalar()).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// `!env NAME` or `!file /path`: YAML tags, so no ordinary value can be mistaken for a reference.
bool is_secret_ref(const YAML::Node &node) {
  return node.IsScalar() && (node.Tag() == "!env" || node.Tag() == "!file");
}

class Loader {
 public:
  Loader(const std::string &source, const EnvLookup &env, const SecretFileReader &files)
      : source_(source), env_(env), files_(files) {
    if (auto url = env_("OUTBOXD_DATABASE_URL"); url && !url->empty()) url_override_ = *url;
  }

  // The main file's root, then each drop-in's (conf.d, in name order): destinations only.
  Config load(const YAML::Node &root, const std::vector<std::pair<std::string, YAML::Node>> &drop_ins) {
    Config cfg;
    cfg.source = source_;
    if (root.IsDefined() && !root.IsNull()) {
      if (!root.IsMap())
        fail(line_of(root), "", "the file must be a mapping of keys (workers: 2, ...), got " + shown(root));
      load_mapping(root, "", cfg);
    }
    const std::string main_file = source_;
    for (const auto &[file, drop_in] : drop_ins) {
      source_ = file;  // errors name the file they are in
      load_drop_in(drop_in, main_file, cfg);
    }
    source_ = main_file;
    if (url_override_) cfg.database_url = *url_override_;
    check_listen(cfg);
    check_database_url(cfg);
    check_pooler(cfg);
    check_shared_rate_limits(cfg);
    check_mail_destination(cfg);
    return cfg;
  }

 private:
  [[noreturn]] void fail(int line, const std::string &key, const std::string &what) const {
    throw config_error(source_, line, key, what);
  }

  static int line_of(const YAML::Node &node) {
    const YAML::Mark mark = node.Mark();
    return mark.is_null() ? 0 : mark.line + 1;
  }

  [[noreturn]] void fail_expected(int line, const std::string &path, const ConfigKey &key,
                                  const YAML::Node &value) const {
    fail(line, path, "expected " + describe_expected(key) + ", got " + shown(value));
  }

  // `section` is the table's name for where the key was ("destinations.*"); `shown_as` the file's.
  [[noreturn]] void fail_unknown(int line, const std::string &section, const std::string &shown_as,
                                 const std::string &name) const {
    const std::vector<std::string> known = known_keys_under(section);
    std::string best;
    std::size_t best_distance = SIZE_MAX;
    for (const std::string &k : known) {
      std::size_t d = edit_distance(name, k);
      if (d < best_distance) best_distance = d, best = k;
    }
    std::string what = "unknown key '" + name + "'";
    // Close enough to be a typo, and not so short that every word is "close".
    if (!best.empty() && best_distance <= std::max<std::size_t>(2, best.size() / 3) &&
        best_distance * 2 <= name.size()) {
      what += " (did you mean '" + best + "'?)";
    } else {
      what += "; known keys here: ";
      for (std::size_t i = 0; i < known.size(); ++i) what += (i ? ", " : "") + known[i];
    }
    fail(line, shown_as.empty() ? name : shown_as + "." + name, what);
  }

  // Walks one mapping of daemon keys (the top level or a section such as `wakeup`).
  void load_mapping(const YAML::Node &map, const std::string &section, Config &cfg) {
    std::set<std::string> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
      const int line = line_of(it->first);
      if (!it->first.IsScalar())
        fail(line, section, "keys must be plain names, got " + shown(it->first));
      const std::string name = it->first.Scalar();
      const std::string path = section.empty() ? name : section + "." + name;
      if (!seen.insert(name).second) fail(line, path, "key given twice; keep one");
      const YAML::Node value = it->second;
      if (path == "database") database_line_ = line;
      if (path == "destinations") {
        load_destinations(value, line, cfg);
      } else if (path == "api.tokens") {
        load_tokens(value, line, cfg);
      } else if (is_config_section(path)) {
        if (value.IsNull()) continue;  // "wakeup:" with nothing under it keeps the defaults
        if (!value.IsMap()) fail(line, path, "expected a mapping of keys, got " + shown(value));
        load_mapping(value, path, cfg);
      } else if (const ConfigKey *key = find_config_key(path)) {
        const Value v = read(*key, value, line, path);
        if (path == "api.listen") {
          std::string host, error;
          int port = 0;
          if (!parse_listen_address(v.text, host, port, error)) fail(line, path, error);
          listen_line_ = line;
        }
        if (path == "database.url") url_line_ = line;
        if (path == "database.pooler") pooler_line_ = line;
        if (path == "api.mail_destination") mail_line_ = line;
        apply(cfg, *key, v);
      } else {
        fail_unknown(line, section, section, name);
      }
    }
  }

  // Read with libpq's own parser now, so that a URL it cannot read is a config error naming the
  // line, and never reaches libpq's connect, whose message would quote it, password and all.
  void check_database_url(const Config &cfg) const {
    if (cfg.database_url.empty())
      fail(database_line_, "database.url",
           "required: set it to a libpq conninfo such as \"host=127.0.0.1 dbname=app user=outboxd\" "
           "or a postgresql:// URL, or set OUTBOXD_DATABASE_URL");
    std::optional<std::string> problem = conninfo_problem(cfg.database_url);
    // Every connection sets client_encoding=UTF8 (core/db.cpp): payloads and answers are UTF-8
    // JSON, so a session in another encoding would store and deliver them as mojibake.
    if (!problem && !client_encoding_is_utf8(cfg.database_url))
      problem = "client_encoding must be UTF8 (outboxd reads and writes UTF-8); remove it from the URL";
    if (!problem) return;
    if (url_override_) fail(0, "OUTBOXD_DATABASE_URL (overrides database.url)", *problem);
    fail(url_line_ ? url_line_ : database_line_, "database.url", *problem);
  }

  static bool client_encoding_is_utf8(const std::string &conninfo) {
    const auto options = conninfo_options(conninfo);
    if (!options || !options->count("client_encoding")) return true;
    std::string name;  // PostgreSQL ignores case, '-' and '_' in encoding names
    for (const char c : options->at("client_encoding"))
      if (c != '-' && c != '_') name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return name == "utf8" || name == "unicode";
  }

  // A transaction pooler hands each transaction to whichever server session is free, so a LISTEN
  // stays behind in a session that serves other clients next: notify mode would sleep through
  // enqueues and wake only on its safety poll. Refused rather than switched silently, so the file
  // says what runs.
  void check_pooler(const Config &cfg) const {
    if (cfg.pooler != Pooler::Transaction || cfg.wakeup_mode == WakeupMode::Poll) return;
    fail(pooler_line_, "database.pooler",
         "transaction needs wakeup.mode: poll (behind a transaction pooler a LISTEN ends with its "
         "transaction, so notify mode would miss every wake-up); set wakeup.mode: poll, or database.pooler: "
         "none for a direct connection");
  }

  // A shared rate limit takes its tokens on a second connection while the claim's transaction
  // holds the first: behind a transaction pooler every worker would hold one server connection
  // and wait for another, and a pool as small as the workers would deadlock until the pooler's
  // query_wait_timeout.
  void check_shared_rate_limits(const Config &cfg) const {
    if (cfg.pooler != Pooler::Transaction) return;
    for (const auto &[name, d] : cfg.destinations)
      if (d.rate_limit_shared && !d.rate_limit.empty())
        throw config_error(d.source, d.config_line, "destinations." + name + ".rate_limit_shared",
             "true needs database.pooler: none (the shared bucket is taken on a second connection while "
             "the claim's transaction holds the first, which behind a transaction pooler can wait on a full "
             "pool forever); use a per-daemon rate_limit, or connect directly");
  }

  // POST /api/mail/send would otherwise refuse every mail, long after the file was accepted.
  void check_mail_destination(const Config &cfg) const {
    if (cfg.api_mail_destination.empty() || cfg.destinations.count(cfg.api_mail_destination)) return;
    std::string configured;
    for (const auto &[name, d] : cfg.destinations) configured += (configured.empty() ? "" : ", ") + name;
    fail(mail_line_, "api.mail_destination",
         "\"" + cfg.api_mail_destination + "\" is not a configured destination (" +
             (configured.empty() ? "it configures none" : "configured: " + configured) +
             "); name one of them, or leave it empty to turn POST /api/mail/send off");
  }

  // Without tokens the API has no authentication, so it may listen on loopback only.
  void check_listen(const Config &cfg) const {
    std::string host, error;
    int port = 0;
    if (!parse_listen_address(cfg.api_listen, host, port, error)) fail(listen_line_, "api.listen", error);
    if (!is_loopback_host(host) && cfg.api_tokens.empty())
      fail(listen_line_, "api.listen",
           "\"" + cfg.api_listen + "\" is not a loopback address and api.tokens is empty: without bearer "
           "tokens the HTTP API has no authentication, so it listens on 127.0.0.1, ::1 or localhost only. "
           "Add at least one entry to api.tokens (docs/http-api.md#authentication) or listen on loopback");
  }

  // api.tokens: a list of {name, token, scopes}; token may be !env NAME or !file /path.
  void load_tokens(const YAML::Node &list, int line, Config &cfg) {
    if (list.IsNull()) return;
    if (!list.IsSequence())
      fail(line, "api.tokens", "expected a list of {name, token, scopes}, got " + shown(list));
    std::size_t index = 0;
    for (const YAML::Node &item : list) {
      const std::string path = "api.tokens[" + std::to_string(index++) + "]";
      const int iline = line_of(item) > 0 ? line_of(item) : line;
      if (!item.IsMap())
        fail(iline, path, "expected a mapping with name, token and scopes, got " + shown(item));
      ApiToken t;
      bool has_token = false;
      std::set<std::string> seen;
      for (auto it = item.begin(); it != item.end(); ++it) {
        const int kline = line_of(it->first);
        const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
        const std::string kpath = path + "." + key;
        if (!seen.insert(key).second) fail(kline, kpath, "key given twice; keep one");
        const YAML::Node v = it->second;
        if (key == "name") {
          refuse_secret_ref(v, kline, kpath);
          if (!v.IsScalar() || v.Scalar().empty())
            fail(kline, kpath, "expected a non-empty name, got " + shown(v));
          t.name = v.Scalar();
        } else if (key == "token") {
          if (is_secret_ref(v)) t.token = read_secret(v, kline, kpath, true);
          else if (v.IsScalar()) t.token = v.Scalar();
          else fail(kline, kpath, "expected a string, !env NAME or !file /path, got " + shown(v));
          if (t.token.size() < 16)
            fail(kline, kpath, "too short: a token needs at least 16 characters (got " +
                                   std::to_string(t.token.size()) + "); e.g. openssl rand -hex 32");
          for (char c : t.token)
            if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f)
              fail(kline, kpath, "must not contain spaces or control characters");
          has_token = true;
        } else if (key == "scopes") {
          if (!v.IsSequence() || v.size() == 0)
            fail(kline, kpath, "expected a non-empty list from enqueue, read, admin, got " + shown(v));
          for (const YAML::Node &sc : v) {
            refuse_secret_ref(sc, line_of(sc) > 0 ? line_of(sc) : kline, kpath);
            const std::string name = sc.IsScalar() ? sc.Scalar() : std::string();
            const auto &known = api_token_scopes();
            if (std::find(known.begin(), known.end(), name) == known.end())
              fail(line_of(sc) > 0 ? line_of(sc) : kline, kpath,
                   "unknown scope " + shown(sc) + " (known: enqueue, read, admin)");
            if (std::find(t.scopes.begin(), t.scopes.end(), name) == t.scopes.end()) t.scopes.push_back(name);
          }
        } else {
          fail(kline, kpath, "unknown key '" + key + "'; known keys here: name, token, scopes");
        }
      }
      if (t.name.empty()) fail(iline, path + ".name", "required: name the token (shown in logs, never the token)");
      if (!has_token) fail(iline, path + ".token", "required: a secret of at least 16 characters, e.g. !env NAME");
      if (t.scopes.empty()) fail(iline, path + ".scopes", "required: a non-empty list from enqueue, read, admin");
      for (const ApiToken &other : cfg.api_tokens) {
        if (other.name == t.name) fail(iline, path + ".name", "\"" + t.name + "\" is used by another token");
        if (other.token == t.token)
          fail(iline, path + ".token", "the same token as '" + other.name + "'; give each its own");
      }
      cfg.api_tokens.push_back(std::move(t));
    }
  }

  Value read(const ConfigKey &key, const YAML::Node &node, int line, const std::string &path) {
    Value v;
    if (key.secret_allowed && key.type == KeyType::String && (node.IsMap() || is_secret_ref(node))) {
      // With OUTBOXD_DATABASE_URL set the file's url is unused, so an unset variable is no error.
      bool resolve = !(path == "database.url" && url_override_);
      v.text = read_secret(node, line, path, resolve);
      return v;
    }
    refuse_secret_ref(node, line, path);
    if (!node.IsScalar()) fail_expected(line, path, key, node);
    v.text = node.Scalar();
    switch (key.type) {
      case KeyType::String: {
        std::string error;
        if (key.check_text && !key.check_text(v.text, error)) fail(line, path, error);
        break;
      }
      case KeyType::Bool:
        if (!is_bool_text(v.text, v.boolean)) fail_expected(line, path, key, node);
        break;
      case KeyType::Int:
        if (!parse_int64(v.text, v.integer) || v.integer < key.min || v.integer > key.max)
          fail_expected(line, path, key, node);
        break;
      case KeyType::Duration: {
        std::int64_t ms = 0;
        if (!parse_duration(v.text, ms) || ms < key.min || ms > key.max || ms % key.unit_ms != 0)
          fail_expected(line, path, key, node);
        v.duration = Ms(ms);
        break;
      }
      case KeyType::Enum:
        if (std::find(key.allowed.begin(), key.allowed.end(), v.text) == key.allowed.end())
          fail_expected(line, path, key, node);
        break;
      case KeyType::Mapping:
      case KeyType::List:
        fail_expected(line, path, key, node);
    }
    return v;
  }

  // A reference where the key takes a plain value would otherwise be used as its own text: a
  // `plugin_dir: !env DIR` would look for plugins in a directory named "DIR".
  void refuse_secret_ref(const YAML::Node &node, int line, const std::string &path) const {
    if (is_secret_ref(node))
      fail(line, path, node.Tag() + " is not allowed here: only database.url, api.tokens[].token and the "
                       "strings inside a destination's config: may be !env or !file references");
  }

  // !env NAME or !file /path: the secret itself never appears in the file.
  std::string read_secret(const YAML::Node &node, int line, const std::string &path, bool resolve) {
    if (!is_secret_ref(node))
      fail(line, path, "expected a string, !env NAME or !file /path, got " + shown(node));
    const std::string kind = node.Tag().substr(1);
    const std::string arg = node.Scalar();
    if (arg.empty()) fail(line, path, kind + ": needs a " + (kind == "env" ? "variable name" : "path"));
    if (!resolve) return {};
    if (kind == "env") {
      std::optional<std::string> value = env_(arg);
      if (!value)
        fail(line, path, "environment variable " + arg + " is not set (export it in the service's "
                         "environment, e.g. an EnvironmentFile= in outboxd.service)");
      return *value;
    }
    std::string contents;
    std::string error;
    if (!files_(arg, contents, error))
      fail(line, path, "cannot read secret file " + arg + ": " + error + " (it must be a regular file of at most " +
                       std::to_string(kMaxSecretFileBytes) + " bytes, readable by the outboxd user)");
    if (!contents.empty() && contents.back() == '\n') {
      contents.pop_back();
      if (!contents.empty() && contents.back() == '\r') contents.pop_back();
    }
    return contents;
  }

  // A conf.d file holds a `destinations:` mapping and nothing else, so that configuration
  // management can add a destination without touching the main file, and a drop-in can never
  // change a setting behind the main file's back.
  void load_drop_in(const YAML::Node &root, const std::string &main_file, Config &cfg) {
    if (!root.IsDefined() || root.IsNull()) return;
    if (!root.IsMap()) fail(line_of(root), "", "a conf.d file must be a mapping with destinations:, got " + shown(root));
    for (auto it = root.begin(); it != root.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : shown(it->first);
      if (key != "destinations")
        fail(line_of(it->first), key,
             "a conf.d file may hold only destinations:; other settings belong in " + main_file);
      load_destinations(it->second, line_of(it->first), cfg);
    }
  }

  void load_destinations(const YAML::Node &map, int line, Config &cfg) {
    if (map.IsNull()) return;  // no destinations: the daemon starts and warns
    if (!map.IsMap())
      fail(line, "destinations", "expected a mapping of destination names, got " + shown(map));
    for (auto it = map.begin(); it != map.end(); ++it) {
      const int dline = line_of(it->first);
      const std::string name = it->first.IsScalar() ? it->first.Scalar() : std::string();
      if (!is_destination_name(name))
        fail(dline, "destinations",
             "bad destination name " + shown(it->first) + ": " + std::string(kDestinationNameRule));
      if (const auto earlier = cfg.destinations.find(name); earlier != cfg.destinations.end())
        fail(dline, "destinations." + name,
             "destination given twice" + (earlier->second.source == source_
                                              ? std::string()
                                              : " (also in " + earlier->second.source + ":" +
                                                    std::to_string(earlier->second.config_line) + ")"));
      cfg.destinations[name] = load_destination(name, it->second, dline);
    }
  }

  DestinationConfig load_destination(const std::string &name, const YAML::Node &node, int line) {
    const std::string prefix = "destinations." + name;
    DestinationConfig d;
    d.name = name;
    d.source = source_;
    d.config_line = line;
    if (!node.IsMap())
      fail(line, prefix, "expected a mapping with at least 'plugin: <name>', got " + shown(node));
    std::set<std::string> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const int kline = line_of(it->first);
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
      const std::string path = prefix + "." + key;
      if (!seen.insert(key).second) fail(kline, path, "key given twice; keep one");
      const ConfigKey *entry = find_config_key("destinations.*." + key);
      if (!entry) fail_unknown(kline, "destinations.*", prefix, key);
      if (key == "config") {
        if (it->second.IsNull()) continue;
        if (!it->second.IsMap()) fail_expected(kline, path, *entry, it->second);
        d.config_json = dump_json(to_json(it->second, path, 0), kline, path);
        continue;
      }
      if (!entry->assign_destination) throw std::logic_error("config key without a loader: destinations.*." + key);
      entry->assign_destination(d, read(*entry, it->second, kline, path));
      if (key == "on_outcome") d.on_outcome_line = kline;  // for the start check's error
    }
    if (d.plugin.empty())
      fail(line, prefix + ".plugin",
           "required: name the plugin that sends to this destination, e.g. 'plugin: webhook'");
    return d;
  }

  // Counts one node of a `config:` subtree and the bytes it adds to the JSON. parse_config's
  // find_yaml_problem already bounds nodes, depth and the bytes written in the file for the whole
  // file; this is the converter's own guard, and the only one that counts the secrets' contents,
  // which aliases of a `!file` reference multiply.
  void charge(int line, const std::string &path, std::size_t bytes, int depth) {
    if (++json_nodes_ > kMaxConfigNodes || depth > kMaxConfigDepth)
      fail(line, path, "too large or too deeply nested to pass to the plugin (at most " +
                           std::to_string(kMaxConfigNodes) + " values, counting every use of an alias, and " +
                           std::to_string(kMaxConfigDepth) + " levels)");
    json_bytes_ += bytes;
    if (json_bytes_ > kMaxPluginConfigBytes)
      fail(line, path, "the destinations' config: values add up to more than " +
                           std::to_string(kMaxPluginConfigBytes) +
                           " bytes of JSON, counting every use of an alias and the secrets' contents");
  }

  // The `config:` subtree as JSON. Quoted scalars stay strings; plain ones get YAML's core types.
  nlohmann::json to_json(const YAML::Node &node, const std::string &path, int depth) {
    const int line = line_of(node);
    if (node.IsNull()) return charge(line, path, 4, depth), nullptr;
    if (node.IsSequence()) {
      charge(line, path, 2, depth);
      nlohmann::json arr = nlohmann::json::array();
      std::size_t i = 0;
      for (const YAML::Node &item : node)
        arr.push_back(to_json(item, path + "[" + std::to_string(i++) + "]", depth + 1));
      return arr;
    }
    if (is_secret_ref(node)) {
      std::string secret = read_secret(node, line, path, true);
      charge(line, path, secret.size(), depth);
      return secret;
    }
    if (node.IsMap()) {
      charge(line, path, 2, depth);
      nlohmann::json obj = nlohmann::json::object();
      for (auto it = node.begin(); it != node.end(); ++it) {
        if (!it->first.IsScalar())
          fail(line_of(it->first), path, "keys must be plain names, got " + shown(it->first));
        const std::string key = it->first.Scalar();
        if (obj.contains(key)) fail(line_of(it->first), path + "." + key, "key given twice; keep one");
        charge(line_of(it->first), path + "." + key, key.size(), depth + 1);
        obj[key] = to_json(it->second, path + "." + key, depth + 1);
      }
      return obj;
    }
    const std::string &s = node.Scalar();
    charge(line, path, s.size(), depth);
    const std::string &tag = node.Tag();
    if (tag == "!" || tag == "tag:yaml.org,2002:str") return s;  // quoted or !!str
    bool b = false;
    if (is_bool_text(s, b)) return b;
    std::int64_t i = 0;
    if (parse_int64(s, i)) return i;
    if (looks_like_float(s)) return std::strtod(s.c_str(), nullptr);
    return s;
  }

  std::string dump_json(const nlohmann::json &j, int line, const std::string &path) const {
    try {
      return j.dump();
    } catch (const nlohmann::json::exception &e) {  // e.g. a string that is not valid UTF-8
      fail(line, path, std::string("cannot be passed to the plugin as JSON: ") + e.what());
    }
  }

  // The table row knows where its value goes (core/config_keys.cpp).
  static void apply(Config &c, const ConfigKey &key, const Value &v) {
    if (!key.assign) throw std::logic_error("config key without a loader: " + key.path);
    key.assign(c, v);
  }

 private:
  std::string source_;  // the file being read: the main one, or a drop-in
  const EnvLookup &env_;
  const SecretFileReader &files_;
  std::size_t json_nodes_ = 0;
  std::size_t json_bytes_ = 0;
  std::optional<std::string> url_override_;
  int database_line_ = 0;
  int url_line_ = 0;
  int pooler_line_ = 0;
  int listen_line_ = 0;
  int mail_line_ = 0;
};

}  // namespace

ConfigError config_error(const std::string &source, int line, const std::string &key, const std::string &what) {
  const std::string where = line > 0 ? source + ":" + std::to_string(line) : source;
  return ConfigError(where + ": " + (key.empty() ? "" : key + ": ") + what);
}

const std::vector<std::string> &api_token_scopes() {
  static const std::vector<std::string> scopes{"enqueue", "read", "admin"};
  return scopes;
}

EnvLookup process_env() {
  return [](const std::string &name) -> std::optional<std::string> {
    const char *v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

SecretFileReader secret_files() {
  return [](const std::string &path, std::string &contents, std::string &error) {
    return read_bounded_regular_file(path, kMaxSecretFileBytes, contents, error);
  };
}

Config parse_config(const std::string &yaml_text, const std::string &source, const EnvLookup &env,
                    const SecretFileReader &files, const std::vector<ConfigText> &drop_ins) {
  const YAML::Node root = load_config_yaml(yaml_text, source);
  std::vector<std::pair<std::string, YAML::Node>> drop_in_roots;
  for (const ConfigText &d : drop_ins) drop_in_roots.emplace_back(d.source, load_config_yaml(d.text, d.source));
  try {
    return Loader(source, env, files).load(root, drop_in_roots);
  } catch (const YAML::Exception &e) {  // not expected once parsed, but never let one escape raw
    throw ConfigError(source + ": cannot read the YAML: " + e.what());
  }
}

std::string default_config_path(const EnvLookup &env) {
  if (auto p = env("OUTBOXD_CONFIG"); p && !p->empty()) return *p;
  return "/etc/outboxd/outboxd.yaml";
}

}  // namespace outboxd
