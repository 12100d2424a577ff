// Layering probe: compiled with api's include path, this must compile (api sits on core).
#include "api/routes.hpp"
#include "core/errors.hpp"
