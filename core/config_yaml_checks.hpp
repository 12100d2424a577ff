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

// What find_yaml_problem allows, counting every use of an alias (*name) as a copy of its anchor.
struct YamlLimits {
  std::size_t max_nodes;         // keys and values
  std::size_t max_scalar_bytes;  // the text of every key and scalar value together
  int max_depth;                 // nested mappings and lists
};

// The line of the first NUL byte in `text`, or of a UTF-16 or UTF-32 byte order mark: outboxd reads
// UTF-8 text (find_yaml_problem finds tags by byte offset in it).
std::optional<int> non_utf8_line(const std::string &text);

// Walks the document `text` parsed into `root` as a consumer of it would, following each alias to
// its anchor every time it is used, and returns the first problem:
// - a tag other than !env and !file on a scalar value, or YAML's !!str, !!map and !!seq on a node
//   of that kind (a mistyped !Env would otherwise be dropped silently); a bare `!` written in the
//   file too, which yaml-cpp reports as the same "!" it gives a quoted scalar, so `text` is looked
//   at where the node starts (`token: ! NAME`, a typo for !env, would make NAME the secret);
// - a merge key (`<<: *defaults`), which yaml-cpp would pass on as a key named "<<";
// - nesting deeper than `max_depth`;
// - more than `max_nodes` nodes or `max_scalar_bytes` bytes of scalars visited, which is how an
//   alias bomb (a few lines whose aliases expand to millions of nodes, or thousands of uses of one
//   long string) is stopped before anything converts or copies it.
std::optional<YamlProblem> find_yaml_problem(const YAML::Node &root, const std::string &text, const YamlLimits &limits);

}  // namespace outboxd
