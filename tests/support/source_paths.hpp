// Paths into the source and build trees that tests need (fixtures, etc/outboxd.yaml, plugins).
#pragma once

#include <string>

namespace outboxd::test {

// The source root (OUTBOXD_TEST_SOURCE_DIR), joined with `relative` when it is not empty:
// source_path("etc/outboxd.yaml") -> "<source root>/etc/outboxd.yaml".
std::string source_path(const std::string &relative = "");

}  // namespace outboxd::test
