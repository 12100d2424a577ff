// Indexes the embedded SQL files and prepares the queries on a connection.
#include "core/sql_catalog.hpp"

#include <map>
#include <pqxx/pqxx>
#include <stdexcept>

#include "outboxd/sql_embedded.hpp"

namespace outboxd {
namespace {

const std::string kUpSuffix = ".up.sql";

std::string strip_suffix(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0
             ? s.substr(0, s.size() - suffix.size())
             : s;
}

std::map<std::string, std::string> load_queries() {
  std::map<std::string, std::string> out;
  for (const auto *f = sql::kQueries; f->name != nullptr; ++f) out[strip_suffix(f->name, ".sql")] = f->text;
  return out;
}

std::vector<Migration> load_migrations() {
  std::vector<Migration> out;
  for (const auto *f = sql::kMigrations; f->name != nullptr; ++f) {
    std::string file = f->name;
    if (file.size() <= kUpSuffix.size() || strip_suffix(file, kUpSuffix) == file) continue;
    std::string stem = strip_suffix(file, kUpSuffix);  // "0001_create_outbox"
    auto underscore = stem.find('_');
    out.push_back(Migration{std::stoi(stem.substr(0, underscore)),
                            underscore == std::string::npos ? stem : stem.substr(underscore + 1),
                            f->text});
  }
  return out;  // kMigrations is sorted by file name, and names start with the zero-padded version
}

}  // namespace

const std::vector<Migration> &embedded_migrations() {
  static const std::vector<Migration> migrations = load_migrations();
  return migrations;
}

const std::string &query_text(const std::string &name) {
  static const std::map<std::string, std::string> queries = load_queries();
  auto it = queries.find(name);
  if (it == queries.end()) throw std::logic_error("no embedded query named " + name);
  return it->second;
}

void prepare_queries(pqxx::connection_base &conn) {
  for (const auto *f = sql::kQueries; f->name != nullptr; ++f)
    conn.prepare(strip_suffix(f->name, ".sql"), f->text);
}

}  // namespace outboxd
