// Layering probe: a plugin sees only include/outboxd/plugin.h and plugins/common, so with a
// plugin's include path this must not compile.
#include "core/errors.hpp"
