// The dashboard's files as answers (api/ui_assets.hpp).
#include "api/ui_assets.hpp"

#include <cstring>

#include "outboxd/ui_embedded.hpp"

namespace outboxd::api {
namespace {

const ui::EmbeddedAsset *find_asset(const std::string &name) {
  for (const ui::EmbeddedAsset *a = ui::kAssets; a->name; ++a)
    if (name == a->name) return a;
  return nullptr;
}

// Every dashboard answer, the 404 included: a page must never be framed or sniffed into
// something else, and sends no Referer (the hash holds message ids and filters).
void add_page_headers(ApiResponse &res) {
  res.headers.emplace_back("Content-Security-Policy", kUiContentSecurityPolicy);
  res.headers.emplace_back("Referrer-Policy", "no-referrer");
  res.headers.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
  res.headers.emplace_back("Cross-Origin-Resource-Policy", "same-origin");
}

}  // namespace

ApiResponse ui_redirect() {
  ApiResponse res;
  res.status = 302;
  res.body = {{"location", "ui/"}};
  res.headers.emplace_back("Location", "ui/");
  add_page_headers(res);
  return res;
}

ApiResponse ui_file(const std::string &name) {
  ApiResponse res;
  const ui::EmbeddedAsset *asset = find_asset(name.empty() ? "index.html" : name);
  if (!asset) {
    res.status = 404;
    res.body = {{"error", "not_found"}, {"detail", "no file ui/" + name.substr(0, 100) + " in the dashboard"}};
  } else {
    res.text = std::string(asset->text);
    res.text_content_type = asset->content_type;
  }
  add_page_headers(res);
  return res;
}

}  // namespace outboxd::api
