// libFuzzer target for the config loader (core/config.cpp and the checks it calls): random bytes go
// to parse_config as the text of outboxd.yaml. Alias bombs, unknown tags, deep nesting, several
// documents and huge scalars must end in a ConfigError naming the file, never in a crash, a
// sanitizer report, another exception, a hang or memory beyond -rss_limit_mb. Built with clang by
// tests/CMakeLists.txt; see docs/configuration.md#fuzzing-the-loader.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/bounded_file.hpp"
#include "core/config.hpp"
#include "core/config_keys.hpp"

using namespace outboxd;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

// Every variable is set except those named UNSET*, so both branches of !env are reached without
// the fuzzer seeing the real environment.
std::optional<std::string> fake_env(const std::string &name) {
  if (name == "OUTBOXD_DATABASE_URL" || name.rfind("UNSET", 0) == 0) return std::nullopt;
  return "value-of-" + name.substr(0, 64);
}

// `!file` paths never reach the file system, so an input cannot make the fuzzer read (or block on)
// whatever it names. The exceptions are /dev/zero and /dev/null, which go through the real bounded
// reader to show it refuses devices; "/big" is a secret of the largest allowed size, to exercise
// the byte budget with aliases; "/missing*" fails like an absent file.
bool fake_files(const std::string &path, std::string &contents, std::string &error) {
  if (path == "/dev/zero" || path == "/dev/null") {
    const bool ok = read_bounded_regular_file(path, kMaxSecretFileBytes, contents, error);
    require(!ok);
    return ok;
  }
  if (path.rfind("/missing", 0) == 0) return error = "No such file or directory", false;
  if (path == "/big") return contents.assign(kMaxSecretFileBytes, 'b'), true;
  contents = "secret-from-" + path.substr(0, 64) + "\n";
  return true;
}

void check_config(const Config &c) {
  require(!c.database_url.empty());
  require(c.workers >= 1 && c.workers <= 256);
  std::size_t json_bytes = 0;
  for (const auto &[name, d] : c.destinations) {
    require(!name.empty() && name == d.name);
    require(!d.plugin.empty());
    const nlohmann::json j = nlohmann::json::parse(d.config_json, nullptr, false);
    require(j.is_object());
    json_bytes += d.config_json.size();
  }
  // Escaping can at most sextuple a byte ("\u0001"); anything more means the budget leaked.
  require(json_bytes <= 6 * kMaxPluginConfigBytes + 64 * c.destinations.size());
  // What check-config and reload do with a loaded config.
  for (const ConfigKey &k : config_keys())
    if (k.path.find('*') == std::string::npos && !is_config_section(k.path)) (void)config_value_text(c, k.path);
  (void)restart_only_changes(Config{}, c);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const std::string text(reinterpret_cast<const char *>(data), size);
  try {
    check_config(parse_config(text, "fuzz.yaml", fake_env, fake_files));
  } catch (const ConfigError &e) {
    require(std::string(e.what()).rfind("fuzz.yaml", 0) == 0);  // every error names the file
  }
  return 0;
}
