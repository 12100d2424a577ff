// Checks on the shape of a parsed config document that hold whatever the keys mean: one document
// only, known tags only, bounded nesting, and a bounded number of nodes once aliases are expanded.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include <yaml-cpp/yaml.h>

namespace outboxd {

// What is wrong and where: `line` is 1-based (0 when unknown), `path` the dotted key path
// ("destinations.orders.config.headers[2]"), empty at the top of the file.
struct YamlProblem {
  int line = 0;
  std::string path;
  std::string what;
};

// The line of the `---` that starts a second document in `text`, if there is one. YAML::Load reads
// the first document only, so without this a second one would be ignored without a word.
// Throws YAML::Exception on a syntax error.
std::optional<int> second_document_line(const std::string &text);

// Walks the document as a consumer of it would, following each alias (*name) to its anchor every
// time it is used, and returns the first problem:
// - a tag other than the non-specific ones, !env and !file on a scalar value, or YAML's !!str,
//   !!map and !!seq on a node of that kind (a mistyped !Env would otherwise be dropped silently);
// - nesting deeper than `max_depth` mappings and lists;
// - more than `max_nodes` nodes visited, which is how an alias bomb (a few lines whose aliases
//   expand to millions of nodes) is stopped before anything converts it.
std::optional<YamlProblem> find_yaml_problem(const YAML::Node &root, std::size_t max_nodes, int max_depth);

}  // namespace outboxd
