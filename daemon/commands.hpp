// The subcommands of the outboxd binary. Each returns the process exit code.
#pragma once

#include <string>

#include "core/config.hpp"
#include "daemon/cli_args.hpp"

namespace outboxd::cli {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;  // runtime failure: database unreachable, migration failed
constexpr int kExitConfig = 2;   // bad config, plugin that will not load, bad usage

// Runs until SIGTERM/SIGINT; SIGHUP re-reads config.source.
int run_daemon(const Config &config);
int run_migrate(const Config &config);
// `offline`: the file and the plugins only, without connecting to the database.
int run_check_config(const Config &config, bool offline);
int run_enqueue(const Config &config, const Args &args);
int run_stats(const Config &config, const Args &args);
// pause NAME (`paused` true) and resume NAME: NAME must be a destination of `config` (else exit 2).
int run_set_paused(const Config &config, const std::string &destination, bool paused);

}  // namespace outboxd::cli
