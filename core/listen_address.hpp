// api.listen addresses: parsed once here for the config loader and the HTTP server.
#pragma once

#include <string>

namespace outboxd {

// Splits "host:port" ("127.0.0.1:3080", "localhost:0", "[::1]:3080") into host and port; false with
// `error` saying why when the text is not such an address. The host comes back without brackets.
bool parse_listen_address(const std::string &text, std::string &host, int &port, std::string &error);

// True for localhost, 127.0.0.0/8 and ::1.
bool is_loopback_host(const std::string &host);

}  // namespace outboxd
