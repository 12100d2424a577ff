// Layering probe: api may not include daemon/, so with api's include path this must not compile.
#include "daemon/cli_args.hpp"
