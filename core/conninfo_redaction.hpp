// Hiding the password of a libpq connection string before it is logged.
#pragma once

#include <string>

namespace outboxd {

// The conninfo with every password replaced by ***: in key=value form the value of `password` and
// `sslpassword` (any case, quoted or with backslash escapes, as libpq reads them); in a
// postgresql:// URL the password of user:password@ and the value of a password query parameter
// (also when its name is percent-encoded). Text that libpq could not parse either is hidden from
// where the parse fails, since it cannot be told apart from a password.
std::string redact_conninfo(const std::string &conninfo);

// `text` (libpq's message about a failed connection) with every password of `conninfo` replaced by
// ***: as written in it (quoted, escaped, percent-encoded), percent-decoded, and as libpq reads it.
// libpq's messages quote option values, and a password mistyped into another option is one.
std::string hide_conninfo_secrets(std::string text, const std::string &conninfo);

}  // namespace outboxd
