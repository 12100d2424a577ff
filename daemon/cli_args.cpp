// Parses `outboxd [COMMAND] [--config PATH] [--flag VALUE ...]`.
#include "daemon/cli_args.hpp"

#include <set>
#include <stdexcept>

namespace outboxd::cli {
namespace {

const std::set<std::string> kCommands = {"run", "migrate", "check-config", "enqueue", "stats", "pause", "resume"};
// Commands that take one operand, a destination's name, besides their flags.
const std::set<std::string> kNameCommands = {"pause", "resume"};
// Flags each command accepts besides --config.
const std::map<std::string, std::set<std::string>> kFlags = {
    {"run", {}},
    {"migrate", {}},
    {"check-config", {"keys", "offline"}},
    {"stats", {"json"}},
    {"pause", {}},
    {"resume", {}},
    {"enqueue", {"destination", "payload", "headers", "idempotency-key", "ordering-key", "priority",
                 "max-attempts", "available-at"}},
};
const std::set<std::string> kBooleanFlags = {"json", "keys", "offline"};

}  // namespace

Args parse_args(const std::vector<std::string> &argv) {
  Args args;
  size_t i = 0;
  // `outboxd help` (with anything after it) is --help: what a user types first.
  if (i < argv.size() && argv[i] == "help") {
    args.command = "help";
    return args;
  }
  if (i < argv.size() && argv[i].rfind("-", 0) != 0) {
    if (!kCommands.count(argv[i]))
      throw std::invalid_argument("unknown command '" + argv[i] + "' (try outboxd --help)");
    args.command = argv[i++];
  }
  std::set<std::string> given;  // a flag given twice is a mistake, not "the last one wins"
  for (; i < argv.size(); ++i) {
    const std::string &a = argv[i];
    if (a == "-h" || a == "--help") {
      args.command = "help";
      return args;
    }
    if (a == "-V" || a == "--version") {
      args.command = "version";
      return args;
    }
    if (a.rfind("--", 0) != 0) {
      if (!kNameCommands.count(args.command) || !args.operand.empty())
        throw std::invalid_argument("unexpected argument '" + a + "'");
      args.operand = a;
      continue;
    }
    std::string name = a.substr(2), value;
    auto eq = name.find('=');
    bool has_value = eq != std::string::npos;
    if (has_value) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const bool boolean = kBooleanFlags.count(name) > 0;
    if (name != "config" && !kFlags.at(args.command).count(name))
      throw std::invalid_argument("'" + args.command + "' does not take --" + name + " (try outboxd --help)");
    if (!given.insert(name).second) throw std::invalid_argument("--" + name + " given twice");
    if (!has_value && !boolean) {
      if (i + 1 >= argv.size()) throw std::invalid_argument("--" + name + " needs a value");
      value = argv[++i];
    }
    if (name == "config") {
      args.config_path = value;
    } else {
      args.options[name] = boolean && !has_value ? "true" : value;
    }
  }
  if (kNameCommands.count(args.command) && args.operand.empty())
    throw std::invalid_argument("'" + args.command + "' needs a destination's name: outboxd " + args.command +
                                " NAME [--config PATH]");
  return args;
}

std::string usage() {
  return R"(usage: outboxd [COMMAND] [--config PATH] [OPTIONS]

Delivers the rows of a PostgreSQL transactional outbox to sender plugins, at least once.

Commands:
  run            run the daemon (the default)
  migrate        apply pending schema migrations and exit
  check-config   validate the config, check api.listen can be bound, load every plugin and init
                 each destination, check the schema and the on_outcome statements against the
                 database as run does, then exit; touches no messages
                   --offline  without the database: the file, api.listen and the plugins only
                   --keys     print every config key with its default instead
  enqueue        enqueue one message:
                   --destination NAME --payload JSON [--headers JSON] [--idempotency-key K]
                   [--ordering-key K] [--priority N] [--max-attempts N] [--available-at TIMESTAMP]
                 checked as POST /v1/messages checks it; a refusal exits 2 naming the flag
  stats          message counts per destination and state, the oldest pending age, which
                 destinations are paused, and each daemon's circuit breakers [--json]
  pause NAME     pause the destination NAME for every daemon on the database, until resumed:
                 its messages stay pending and are not sent (restarts keep the pause)
  resume NAME    resume a paused destination; its due messages are sent again
  help           this text

Options:
  --config PATH  config file (default: $OUTBOXD_CONFIG, else /etc/outboxd/outboxd.yaml)
  -h, --help     this text (also `outboxd help`)
  -V, --version  version and plugin ABI version

Environment:
  OUTBOXD_CONFIG        default config path
  OUTBOXD_DATABASE_URL  overrides database.url

Exit codes: 0 success, 1 runtime failure (e.g. database unreachable), 2 bad config or usage.
)";
}

}  // namespace outboxd::cli
