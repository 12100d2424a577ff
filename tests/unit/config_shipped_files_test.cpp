// Unit tests that the shipped etc/outboxd.yaml and docs/configuration.md describe every key of the
// key table (core/config_keys.cpp), so adding a key without its file line or docs row fails here.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/config_keys.hpp"
#include "tests/support/source_paths.hpp"

namespace outboxd {
namespace {

std::vector<std::string> source_lines(const std::string &relative) {
  std::ifstream in(test::source_path(relative));
  EXPECT_TRUE(in) << "cannot open " << relative;
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool starts_with(const std::string &text, const std::string &prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

// The last dotted part of a path: "wakeup.linger" -> "linger".
std::string leaf_of(const std::string &path) { return path.substr(path.rfind('.') + 1); }

// True when etc/outboxd.yaml writes `path` as a key in its place: at the indentation of its depth
// and inside its section (below "wakeup:" for wakeup.linger, below a destination of
// "destinations:" for destinations.*.timeout_ms). A key may be commented out ("# plugin_dir: ...")
// when its default depends on the build.
bool shipped_file_writes(const std::vector<std::string> &lines, const std::string &path) {
  const std::string section = path.find('.') == std::string::npos ? "" : path.substr(0, path.find('.'));
  const std::size_t depth = static_cast<std::size_t>(std::count(path.begin(), path.end(), '.'));
  const std::string indent(2 * depth, ' ');
  const std::string key = leaf_of(path) + ":";
  std::string current;  // the top-level section the line is in
  for (const std::string &line : lines) {
    if (!line.empty() && line[0] != ' ' && line[0] != '#') current = line.substr(0, line.find(':'));
    if (current != section && !section.empty()) continue;
    if (starts_with(line, indent + key) || starts_with(line, indent + "# " + key)) {
      const bool top_level = !line.empty() && line[0] != ' ';
      if (section.empty() ? top_level : !top_level) return true;
    }
  }
  return false;
}

TEST(ConfigShippedFiles, ShippedYamlWritesEveryKeyInItsSection) {
  const std::vector<std::string> lines = source_lines("etc/outboxd.yaml");
  for (const ConfigKey &k : config_keys())
    EXPECT_TRUE(shipped_file_writes(lines, k.path)) << k.path << " is not written in etc/outboxd.yaml";
}

TEST(ConfigShippedFiles, ShippedYamlSaysEveryDefault) {
  std::string text;
  for (const std::string &line : source_lines("etc/outboxd.yaml")) text += line + "\n";
  for (const ConfigKey &k : config_keys()) {
    if (!k.required && k.type != KeyType::Mapping && k.path != "plugin_dir") {
      EXPECT_NE(text.find("Defaults to " + (k.default_text.empty() ? "empty" : k.default_text)),
                std::string::npos)
          << k.path << ": etc/outboxd.yaml should say \"Defaults to " << k.default_text << "\"";
    }
  }
}

// The cells of a markdown table row ("| a | b |" -> {"a", "b"}), trimmed. An escaped "\|" (as in
// "`notify` \| `poll`") stays inside its cell.
std::vector<std::string> cells_of(const std::string &row) {
  std::vector<std::string> cells;
  std::string cell;
  bool opened = false;
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (row[i] == '|' && (i == 0 || row[i - 1] != '\\')) {
      if (opened) {
        cell.erase(0, cell.find_first_not_of(' '));
        cell.erase(cell.find_last_not_of(' ') + 1);
        cells.push_back(cell);
      }
      opened = true;
      cell.clear();
    } else {
      cell += row[i];
    }
  }
  return cells;
}

// The row of docs/configuration.md's key tables that documents `path`: top-level keys are written
// in full (`wakeup.linger`); destination keys by their leaf under "### Per destination".
std::vector<std::string> docs_row(const std::vector<std::string> &lines, const std::string &path) {
  const bool per_destination = starts_with(path, "destinations.*.");
  const std::string name = "`" + (per_destination ? leaf_of(path) : path) + "`";
  bool in_keys = false, in_destination_keys = false;
  for (const std::string &line : lines) {
    if (starts_with(line, "## ")) in_keys = line == "## Keys";
    if (starts_with(line, "### ")) in_destination_keys = starts_with(line, "### Per destination");
    if (!in_keys || in_destination_keys != per_destination || !starts_with(line, "|")) continue;
    std::vector<std::string> cells = cells_of(line);
    if (!cells.empty() && cells[0] == name) return cells;
  }
  return {};
}

TEST(ConfigShippedFiles, DocsListEveryKeyWithItsDefaultAndReloadability) {
  const std::vector<std::string> lines = source_lines("docs/configuration.md");
  for (const ConfigKey &k : config_keys()) {
    const std::vector<std::string> row = docs_row(lines, k.path);
    if (row.size() < 4) {
      ADD_FAILURE() << k.path << " has no row in the key tables of docs/configuration.md";
      continue;
    }
    const std::string &default_cell = row[2];
    if (k.required) {
      EXPECT_EQ(default_cell, "required") << k.path;
    } else if (k.default_text.empty()) {
      EXPECT_TRUE(starts_with(default_cell, "empty")) << k.path << ": default cell " << default_cell;
    } else if (k.path != "plugin_dir") {  // chosen at build time
      EXPECT_EQ(default_cell, "`" + k.default_text + "`") << k.path;
    }
    // Per-destination keys all follow `destinations` (reload), so their table has no SIGHUP column.
    if (!starts_with(k.path, "destinations.*.")) {
      EXPECT_EQ(row[3], k.reloadable ? "reload" : "restart") << k.path << ": SIGHUP column";
    }
  }
}

}  // namespace
}  // namespace outboxd
