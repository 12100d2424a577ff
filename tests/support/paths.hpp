// Where the tests find built plugins: <dir>/<name>.so, for OUTBOXD_TEST_PLUGIN_DIR and friends.
#pragma once

#include <string>

// outboxd_test_plugin_path(OUTBOXD_TEST_FIXTURE_PLUGIN_DIR, "scripted") → ".../scripted.so".
// Spelled out here rather than via resolve_plugin_path so loader tests do not test the loader with
// itself.
std::string outboxd_test_plugin_path(const std::string &dir, const std::string &name);
