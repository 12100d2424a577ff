// The document-level checks of config_yaml_checks.hpp: a counting event handler for documents, and
// a recursive walk with node and byte budgets and a depth limit for tags.
#include "core/config_yaml_checks.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

#include <yaml-cpp/eventhandler.h>

namespace outboxd {
namespace {

const std::string kCoreSchema = "tag:yaml.org,2002:";

// Ends the parse at the start of the second document; nothing else about the events matters.
class DocumentCounter : public YAML::EventHandler {
 public:
  struct SecondDocument {
    int line;
  };
  void OnDocumentStart(const YAML::Mark &mark) override {
    if (++documents_ == 2) throw SecondDocument{mark.line + 1};
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark &, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark &, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark &, const std::string &, YAML::anchor_t, const std::string &) override {}
  void OnSequenceStart(const YAML::Mark &, const std::string &, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark &, const std::string &, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

 private:
  int documents_ = 0;
};

// Text from the file for an error message: printable ASCII only, and not too long to read.
std::string printable(const std::string &text) {
  constexpr std::size_t kMax = 64;
  std::string out;
  for (std::size_t i = 0; i < text.size() && i < kMax; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    out += c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?';
  }
  if (text.size() > kMax) out += "...";
  return out;
}

// A tag as the file wrote it: "!!int" rather than yaml-cpp's resolved "tag:yaml.org,2002:int".
std::string shown_tag(const std::string &tag) {
  if (tag.rfind(kCoreSchema, 0) == 0) return "!!" + printable(tag.substr(kCoreSchema.size()));
  if (!tag.empty() && tag[0] == '!') return printable(tag);
  return "!<" + printable(tag) + ">";
}

const char *kind_of(const YAML::Node &node) {
  if (node.IsMap()) return "a mapping";
  if (node.IsSequence()) return "a list";
  return "a scalar";
}

int line_of(const YAML::Node &node, int fallback) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? fallback : mark.line + 1;
}

// yaml-cpp gives a quoted or block scalar the non-specific tag "!", and a scalar written with a
// bare `!` tag the same "!". The file tells them apart: a node's mark is where its first token
// starts, which is its tag, its anchor, or the quote or block indicator of its text.
class WrittenTags {
 public:
  explicit WrittenTags(const std::string &text)
      : text_(text), bom_(text.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0) {}  // yaml-cpp's marks skip a BOM

  // True when `node`'s "!" tag was written in the file. Unsure counts as written: refusing a
  // quoted value by mistake is an error message, missing a bare `!` a variable name as a secret.
  bool bare_bang(const YAML::Node &node) const {
    if (!node.IsScalar()) return true;  // a mapping or list gets "!" only from a written tag
    const YAML::Mark mark = node.Mark();
    if (mark.is_null() || mark.pos < 0) return true;
    std::size_t i = bom_ + static_cast<std::size_t>(mark.pos);
    if (i < text_.size() && text_[i] == '&') {  // an anchor may come before the tag
      while (i < text_.size() && !std::isspace(static_cast<unsigned char>(text_[i]))) ++i;
      while (i < text_.size() && (std::isspace(static_cast<unsigned char>(text_[i])) || text_[i] == '#')) {
        if (text_[i] == '#') i = std::min(text_.find('\n', i), text_.size());
        else ++i;
      }
    }
    if (i >= text_.size()) return true;
    const char c = text_[i];
    return !(c == '"' || c == '\'' || c == '|' || c == '>');
  }

 private:
  const std::string &text_;
  const std::size_t bom_;
};

class Walk {
 public:
  Walk(const std::string &text, const YamlLimits &limits) : written_(text), limits_(limits) {}

  // False once a problem is recorded in `problem`. `line` is the line to report for this node: the
  // key's for a mapping value (a block mapping's own mark is its first key, a line too late).
  bool visit(const YAML::Node &node, const std::string &path, int depth, bool is_key, int line) {
    if (++nodes_ > limits_.max_nodes)
      return report(line, path,
                    "the file expands to more than " + std::to_string(limits_.max_nodes) +
                        " values once its aliases (*name) are followed, each use counting as a copy; "
                        "refusing it (an alias bomb?)");
    if (node.IsScalar() && (scalar_bytes_ += node.Scalar().size()) > limits_.max_scalar_bytes)
      return report(line, path,
                    "the file's keys and values add up to more than " + std::to_string(limits_.max_scalar_bytes) +
                        " bytes once its aliases (*name) are followed, each use counting as a copy; "
                        "refusing it (an alias bomb?)");
    if (depth > limits_.max_depth)
      return report(line, path, "nested more than " + std::to_string(limits_.max_depth) + " levels deep");
    if (!tag_ok(node, path, is_key, line)) return false;
    if (node.IsMap()) {
      for (auto it = node.begin(); it != node.end(); ++it) {
        const std::string key = it->first.IsScalar() ? printable(it->first.Scalar()) : "?";
        const std::string key_path = path.empty() ? key : path + "." + key;
        const int key_line = line_of(it->first, line);
        if (is_merge_key(it->first))
          return report(key_line, key_path,
                        "YAML merge keys (<<) are not supported: write the keys out in each mapping, or "
                        "share a whole value with an alias (config: *shared)");
        if (!visit(it->first, key_path, depth + 1, true, key_line)) return false;
        if (!visit(it->second, key_path, depth + 1, false, key_line)) return false;
      }
    } else if (node.IsSequence()) {
      std::size_t i = 0;
      for (const YAML::Node &item : node)
        if (!visit(item, path + "[" + std::to_string(i++) + "]", depth + 1, false, line_of(item, line)))
          return false;
    }
    return true;
  }

  std::optional<YamlProblem> problem;

 private:
  bool report(int line, const std::string &path, std::string what) {
    problem = YamlProblem{line, path, std::move(what)};
    return false;
  }

  // `<<` as a plain key: YAML 1.1's merge key. Quoted, "<<" is an ordinary key.
  static bool is_merge_key(const YAML::Node &key) {
    return key.IsScalar() && key.Tag() == "?" && key.Scalar() == "<<";
  }

  bool tag_ok(const YAML::Node &node, const std::string &path, bool is_key, int line) {
    const std::string &tag = node.Tag();
    // "" on a null, "?" on a plain scalar, mapping or list, "!" on a quoted scalar: no tag written.
    if (tag.empty() || tag == "?") return true;
    if (tag == "!") {
      if (!written_.bare_bang(node)) return true;
      return report(line, path,
                    "a bare '!' tag (a typo for !env or !file?): write !env NAME or !file /path for a secret, "
                    "or quotes to make a value a string");
    }
    if (tag == "!env" || tag == "!file") {
      if (is_key) return report(line, path, "a key cannot be a " + tag + " reference");
      if (!node.IsScalar())
        return report(line, path, tag + " takes " + (tag == "!env" ? "a variable name" : "a path") +
                                      ", got " + kind_of(node));
      return true;
    }
    if (tag == kCoreSchema + "str" || tag == kCoreSchema + "map" || tag == kCoreSchema + "seq") {
      const bool fits = tag == kCoreSchema + "str" ? node.IsScalar()
                        : tag == kCoreSchema + "map" ? node.IsMap()
                                                     : node.IsSequence();
      if (!fits) return report(line, path, shown_tag(tag) + " cannot tag " + kind_of(node));
      return true;
    }
    std::string what = "unknown tag " + shown_tag(tag) + " (known: !env, !file";
    std::string lower;
    for (char c : tag) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "!env" || lower == "!file") what += "; did you mean " + lower + "?";
    else what += "; YAML's !!str, !!map and !!seq are accepted, and a value without a tag gets its "
                 "type from how it is written: 3 is a number, \"3\" a string";
    return report(line, path, what + ")");
  }

  const WrittenTags written_;
  const YamlLimits limits_;
  std::size_t nodes_ = 0;
  std::size_t scalar_bytes_ = 0;
};

}  // namespace

std::optional<int> second_document_line(const std::string &text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentCounter counter;
  try {
    while (parser.HandleNextDocument(counter)) {
    }
  } catch (const DocumentCounter::SecondDocument &second) {
    return second.line;
  }
  return std::nullopt;
}

std::optional<int> non_utf8_line(const std::string &text) {
  for (const char *bom : {"\xFE\xFF", "\xFF\xFE"})  // UTF-16 either way, and UTF-32 LE
    if (text.rfind(bom, 0) == 0) return 1;
  const std::size_t nul = text.find('\0');
  if (nul == std::string::npos) return std::nullopt;
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(nul), '\n'));
}

std::optional<YamlProblem> find_yaml_problem(const YAML::Node &root, const std::string &text, const YamlLimits &limits) {
  Walk walk(text, limits);
  walk.visit(root, "", 0, false, line_of(root, 0));
  return walk.problem;
}

}  // namespace outboxd
