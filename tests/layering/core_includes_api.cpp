// Layering probe: core may not include api/, so with core's include path this must not compile.
#include "api/routes.hpp"
