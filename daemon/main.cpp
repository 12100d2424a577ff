// outboxd entry point: parse the command line, load the config, run the chosen subcommand.
#include <iostream>
#include <spdlog/spdlog.h>

#include "core/config.hpp"
#include "core/config_keys.hpp"
#include "core/connection_settings.hpp"
#include "core/logging.hpp"
#include "core/named_query.hpp"
#include "daemon/cli_args.hpp"
#include "daemon/commands.hpp"
#include "daemon/signals.hpp"
#include "daemon/startup_checks.hpp"
#include "outboxd/plugin.h"

using namespace outboxd;
using namespace outboxd::cli;

namespace {

int dispatch(const Args &args) {
  if (args.command == "check-config" && args.options.count("keys")) {
    std::cout << render_config_reference();  // needs no config file
    return kExitOk;
  }
  // Before any thread exists, so every thread inherits the mask and only the main thread takes them.
  if (args.command == "run") block_signals();
  const std::string path = args.config_path.empty() ? default_config_path() : args.config_path;
  Config config = load_config(path);
  setup_logging(config.log_level, config.log_format);
  set_pooler(config.pooler);  // before any connection: how every statement is sent (restart-only)
  set_engine_limits(config);  // the same for the engine sessions' statement_timeout and keepalives
  if (args.command == "run") {
    check_api_listen(config);  // the same words as check-config, before anything starts
    return run_daemon(config);
  }
  if (args.command == "migrate") return run_migrate(config);
  if (args.command == "check-config") return run_check_config(config, args.options.count("offline") > 0);
  if (args.command == "enqueue") return run_enqueue(config, args);
  if (args.command == "stats") return run_stats(config, args);
  if (args.command == "pause" || args.command == "resume")
    return run_set_paused(config, args.operand, args.command == "pause");
  throw std::invalid_argument("unknown command " + args.command);
}

}  // namespace

int main(int argc, char **argv) {
  ignore_sigpipe();
  setup_logging("info", LogFormat::Text);
  try {
    Args args = parse_args(std::vector<std::string>(argv + 1, argv + argc));
    if (args.command == "help") {
      std::cout << usage();
      return kExitOk;
    }
    if (args.command == "version") {
      std::cout << "outboxd " << OUTBOXD_VERSION << " (plugin ABI " << OUTBOXD_PLUGIN_ABI_VERSION << ")\n";
      return kExitOk;
    }
    return dispatch(args);
  } catch (const std::invalid_argument &e) {
    std::cerr << "outboxd: " << e.what() << "\n";
    return kExitConfig;
  } catch (const ConfigError &e) {
    spdlog::error("config: {}", e.what());
    return kExitConfig;
  } catch (const PluginLoadError &e) {
    spdlog::error("{}", e.what());
    return kExitConfig;
  } catch (const DbConnectionLost &e) {
    spdlog::error("{}", e.what());
    return kExitFailure;
  } catch (const std::exception &e) {
    spdlog::error("{}", e.what());
    return kExitFailure;
  }
}
