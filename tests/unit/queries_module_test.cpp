// The source tree keeps its one place for queries (core/queries.hpp): every sql/queries/*.sql has
// its typed function there, and nothing else in core, api or daemon runs a statement by name.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/source_paths.hpp"

namespace outboxd {
namespace {

namespace fs = std::filesystem;

std::string read_source(const fs::path &path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot open " << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool is_query_module(const fs::path &path) {
  const std::string stem = path.stem().string();
  return path.parent_path().filename() == "core" && (stem == "named_query" || stem == "queries");
}

TEST(QueriesModule, NothingButTheQueryModuleRunsAStatementByName) {
  for (const char *layer : {"core", "api", "daemon"}) {
    for (const auto &entry : fs::directory_iterator(test::source_path(layer))) {
      const fs::path &path = entry.path();
      if (path.extension() != ".cpp" && path.extension() != ".hpp") continue;
      if (is_query_module(path)) continue;
      std::ifstream in(path);
      int number = 0;
      for (std::string line; std::getline(in, line);) {
        ++number;
        for (const char *call : {"exec_query", "exec_statement", "exec_prepared"})
          EXPECT_EQ(line.find(call), std::string::npos)
              << layer << "/" << path.filename().string() << ":" << number << " calls " << call
              << ": give the query a typed function in core/queries.hpp and call that (docs/hacking.md)";
      }
    }
  }
}

TEST(QueriesModule, EveryEmbeddedQueryHasItsTypedFunction) {
  const std::string header = read_source(test::source_path("core/queries.hpp"));
  const std::string source = read_source(test::source_path("core/queries.cpp"));
  int queries = 0;
  for (const auto &entry : fs::directory_iterator(test::source_path("sql/queries"))) {
    if (entry.path().extension() != ".sql") continue;
    ++queries;
    const std::string name = entry.path().stem().string();
    EXPECT_NE(header.find(" " + name + "("), std::string::npos)
        << "sql/queries/" << name << ".sql has no function " << name << "() in core/queries.hpp";
    EXPECT_NE(source.find("\"" + name + "\""), std::string::npos)
        << "core/queries.cpp never runs sql/queries/" << name << ".sql";
  }
  EXPECT_GT(queries, 0) << "no queries found under " << test::source_path("sql/queries");
}

}  // namespace
}  // namespace outboxd
