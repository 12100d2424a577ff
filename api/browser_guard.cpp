// Refusing requests made by other sites' pages (api/browser_guard.hpp).
#include "api/browser_guard.hpp"

#include <algorithm>
#include <cctype>

namespace outboxd::api {
namespace {

std::string ascii_lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// "[::1]:3080" -> "[::1]", "localhost:3080" -> "localhost".
std::string host_name(const std::string &host) {
  if (!host.empty() && host[0] == '[') return host.substr(0, host.find(']') + 1);
  return host.substr(0, host.find(':'));
}

bool is_ipv4_loopback(const std::string &name) {
  if (name.rfind("127.", 0) != 0) return false;
  int dots = 0;
  for (char c : name) {
    if (c == '.') ++dots;
    else if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return dots == 3;
}

// What a client sees of it: the text is the client's own, cut short.
std::string client_text_quoted(const std::string &text) { return "\"" + text.substr(0, 100) + "\""; }

}  // namespace

bool is_loopback_host(const std::string &host) {
  const std::string name = ascii_lowercase(host_name(host));
  if (name == "localhost" || (name.size() > 10 && name.compare(name.size() - 10, 10, ".localhost") == 0)) return true;
  return name == "[::1]" || is_ipv4_loopback(name);
}

std::optional<ApiError> refuse_foreign_page(const ApiRequest &req, bool open_api) {
  const bool from_browser = req.sec_fetch_site.has_value() || req.origin.has_value();
  if (!from_browser) return std::nullopt;
  if (req.sec_fetch_site) {
    const std::string site = ascii_lowercase(*req.sec_fetch_site);
    if (site == "cross-site" || site == "same-site")
      return ApiError{403, "cross_site",
                      "Sec-Fetch-Site: " + site +
                          ": the request came from another site's page; the API answers its own pages "
                          "(the dashboard) and programs, never another site's"};
  } else {
    // An older browser: the page's origin must be the API's own.
    const std::string &origin = *req.origin;
    const auto scheme_end = origin.find("://");
    const std::string authority = scheme_end == std::string::npos ? "" : origin.substr(scheme_end + 3);
    if (!req.host || authority.empty() || ascii_lowercase(authority) != ascii_lowercase(*req.host))
      return ApiError{403, "cross_site",
                      "Origin: " + client_text_quoted(origin) + " is not this API's (Host " +
                          (req.host ? client_text_quoted(*req.host) : std::string("none")) +
                          "): the request came from another site's page"};
  }
  if (open_api && (!req.host || !is_loopback_host(*req.host)))
    return ApiError{403, "forbidden_host",
                    "Host: " + (req.host ? client_text_quoted(*req.host) : std::string("none")) +
                        " is not a loopback name; without api.tokens the API answers browsers only at "
                        "127.0.0.1, [::1] or localhost (a page under another name could be another site's, "
                        "rebound to this machine): open it by one of those, or configure api.tokens"};
  return std::nullopt;
}

}  // namespace outboxd::api
