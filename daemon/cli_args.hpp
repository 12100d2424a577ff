// Command-line parsing for outboxd: a subcommand, --config, and the subcommand's own flags.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace outboxd::cli {

struct Args {
  std::string command = "run";  // run, migrate, check-config, enqueue, stats, pause, resume, help, version
  std::string config_path;              // empty: $OUTBOXD_CONFIG or /etc/outboxd/outboxd.yaml
  std::map<std::string, std::string> options;  // --destination D -> {"destination": "D"}
  std::string operand;                  // pause and resume: the destination's name (required)
};

// Throws std::invalid_argument with a message for the user on anything it does not understand.
Args parse_args(const std::vector<std::string> &argv);

std::string usage();

}  // namespace outboxd::cli
