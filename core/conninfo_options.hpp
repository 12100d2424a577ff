// A libpq connection string as libpq itself reads it (PQconninfoParse): which keys it really sets,
// the same string with a default added, and why it cannot be read, without ever repeating libpq's
// own message about it (which quotes the text, password included).
#pragma once

#include <map>
#include <optional>
#include <string>

namespace outboxd {

// The keys `conninfo` (key=value or postgresql:// URL) sets, with their values as libpq reads them
// (quotes, escapes and percent-encoding undone); nullopt when libpq cannot parse it. A key counts
// as set only where libpq sees it: "connect_timeout" inside a password does not set it.
std::optional<std::map<std::string, std::string>> conninfo_options(const std::string &conninfo);

// Why libpq cannot parse `conninfo`, in words that quote none of it: "not a valid libpq connection
// string or postgresql:// URL (<hint>)". nullopt when it parses.
std::optional<std::string> conninfo_problem(const std::string &conninfo);

// The options as a key=value string libpq reads back to the same options, values quoted where needed.
std::string conninfo_from_options(const std::map<std::string, std::string> &options);

}  // namespace outboxd
