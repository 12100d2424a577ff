// Layering probe: core may not include daemon/, so with core's include path this must not compile.
#include "daemon/cli_args.hpp"
