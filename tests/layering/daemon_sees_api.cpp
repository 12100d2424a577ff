// Layering probe: compiled with the daemon's include path, this must compile (daemon sits on api).
#include "api/routes.hpp"
#include "daemon/cli_args.hpp"
