// Turning one config file's text into a YAML tree, with the checks every config file gets before
// any key is read (the main file and each conf.d drop-in alike).
#include "core/config_yaml_file.hpp"

#include <optional>
#include <string>

#include "core/config.hpp"
#include "core/config_yaml_checks.hpp"
#include "core/errors.hpp"

namespace outboxd {

YAML::Node load_config_yaml(const std::string &yaml_text, const std::string &source) {
  if (yaml_text.size() > kMaxConfigFileBytes)
    throw ConfigError(source + ": larger than the limit of " + std::to_string(kMaxConfigFileBytes) + " bytes");
  if (std::optional<int> line = non_utf8_line(yaml_text))
    throw config_error(source, *line, "",
                       "not UTF-8 text (a NUL byte, or a UTF-16 or UTF-32 byte order mark); save the file as UTF-8");
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
    if (std::optional<int> line = second_document_line(yaml_text))
      throw config_error(source, *line, "",
                         "a second YAML document ('---') starts here; outboxd reads one document per file, "
                         "so remove the '---' or move what follows into its own file");
  } catch (const YAML::Exception &e) {
    std::string where = source;
    if (!e.mark.is_null()) where += ":" + std::to_string(e.mark.line + 1);
    throw ConfigError(where + ": YAML syntax error: " + e.msg +
                      " (check indentation, and quote values containing ': ' or '#')");
  }
  try {
    const YamlLimits limits{kMaxConfigNodes, kMaxConfigScalarBytes, kMaxConfigDepth};
    if (std::optional<YamlProblem> problem = find_yaml_problem(root, yaml_text, limits))
      throw config_error(source, problem->line, problem->path, problem->what);
  } catch (const YAML::Exception &e) {
    throw ConfigError(source + ": cannot read the YAML: " + e.what());
  }
  return root;
}

}  // namespace outboxd
