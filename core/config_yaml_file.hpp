// One config file's text as a YAML tree, checked before any key is read.
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

namespace outboxd {

// Parses `yaml_text` (read from `source`, which errors name) and checks what every config file
// must be whatever its keys: at most kMaxConfigFileBytes, UTF-8, one document, and within the
// limits on nodes, depth and text (find_yaml_problem). Throws ConfigError naming the file, the
// line where known, and the problem.
YAML::Node load_config_yaml(const std::string &yaml_text, const std::string &source);

}  // namespace outboxd
