// The dashboard's files (ui/, embedded at build time by cmake/embed_ui.cmake) as answers of the
// HTTP API, with the headers that keep the page from running anything but its own script.
#pragma once

#include <string>

#include "api/api_types.hpp"

namespace outboxd::api {

// What the dashboard may load and do: its own script and style only (no inline script, no other
// origin), requests to its own origin only, never framed (clickjacking), no form posts anywhere.
inline constexpr const char *kUiContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

// GET /ui: a redirect to "ui/", relative so that it keeps whatever path prefix a reverse proxy
// serves the daemon under (/outboxd/ui -> /outboxd/ui/), where the page's relative links work.
ApiResponse ui_redirect();

// GET /ui/<name>: the file, "" being index.html; a 404 for a name ui/ does not hold.
ApiResponse ui_file(const std::string &name);

}  // namespace outboxd::api
