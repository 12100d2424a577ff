// Reading the config from disk: the main file and the drop-ins of conf.d beside it
// (core/config.hpp). Kept apart from the parser, which the config fuzzer compiles on its own.
#include <algorithm>
#include <filesystem>
#include <system_error>

#include "core/bounded_file.hpp"
#include "core/config.hpp"

namespace outboxd {
namespace {

namespace fs = std::filesystem;

// conf.d beside the main file: /etc/outboxd/conf.d for /etc/outboxd/outboxd.yaml.
fs::path drop_in_dir(const std::string &path) { return fs::path(path).parent_path() / "conf.d"; }

// A drop-in's name: ends in .yaml, and is not hidden (an editor's swap file, a half-written copy).
// Package managers' leftovers (x.yaml.dpkg-dist, x.yaml.rpmnew) end otherwise and are skipped too.
bool is_drop_in_name(const std::string &name) {
  const std::string suffix = ".yaml";
  return name.size() > suffix.size() && name[0] != '.' &&
         name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string read_config_file(const std::string &path, const std::string &what) {
  std::string text, error;
  if (!read_bounded_regular_file(path, kMaxConfigFileBytes, text, error))
    throw ConfigError("cannot read " + what + " " + path + ": " + error);
  return text;
}

}  // namespace

std::vector<std::string> config_drop_ins(const std::string &path) {
  const fs::path dir = drop_in_dir(path);
  std::error_code ec;
  if (!fs::exists(dir, ec)) return {};
  if (!fs::is_directory(dir, ec))
    throw ConfigError(dir.string() + " is not a directory: it may hold only drop-in files (*.yaml) of " + path);
  std::vector<std::string> out;
  fs::directory_iterator it(dir, ec), end;
  if (ec) throw ConfigError("cannot read the directory " + dir.string() + ": " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) throw ConfigError("cannot read the directory " + dir.string() + ": " + ec.message());
    const std::string name = it->path().filename().string();
    if (!is_drop_in_name(name)) continue;
    if (out.size() == kMaxConfigDropIns)
      throw ConfigError(dir.string() + ": more than " + std::to_string(kMaxConfigDropIns) +
                        " drop-in files; merge some of them");
    out.push_back(it->path().string());
  }
  std::sort(out.begin(), out.end());  // byte order of the names: 10-a.yaml before 20-b.yaml
  return out;
}

Config load_config(const std::string &path, const EnvLookup &env) {
  std::string text, error;
  if (!read_bounded_regular_file(path, kMaxConfigFileBytes, text, error))
    throw ConfigError("cannot read config file " + path + ": " + error +
                      " (pass --config <path> to a regular file, or set OUTBOXD_CONFIG)");
  std::vector<ConfigText> drop_ins;
  for (const std::string &file : config_drop_ins(path))
    drop_ins.push_back(ConfigText{file, read_config_file(file, "drop-in config file")});
  return parse_config(text, path, env, secret_files(), drop_ins);
}

}  // namespace outboxd
