// Layering probe (tests/CMakeLists.txt, layering.*): compiled with core's include path, this must
// compile. It proves the probes' compile line works, so the failing probes fail for the layering.
#include "core/errors.hpp"
#include "outboxd/plugin.h"
