// The public register's pages, rendered from a RegisterView with the Mustache templates in
// registry/web/templates/ (kainjow mustache: every {{value}} is HTML-escaped; the templates use
// no unescaped tags). Pure: no I/O, no clock. Safe for concurrent use.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "registry/web/register_view.h"
#include "registry/web/search.h"

namespace medmij::web {

// Every page of the site as of one view, rendered once per publication.
struct RenderedSite {
  std::string overview;                             // /
  std::string lists;                                // /lijsten
  std::string not_found;                            // the 404 page
  std::map<std::string, std::string> participants;  // /deelnemers/{id}, by id
};
RenderedSite RenderSite(const RegisterView& view);

// The overview narrowed to `search` (GET /?q=&role=); RenderOverview(view, {}) is
// RenderSite(view).overview.
std::string RenderOverview(const RegisterView& view, const Search& search);

// A file served under /static/ (and written to the export dir's static/).
struct StaticAsset {
  std::string_view path;  // "/static/register.css"
  std::string_view content_type;
  std::string_view bytes;
};
const std::vector<StaticAsset>& StaticAssets();

// The headers every page and static asset is served with (complete lines), by the service and,
// with the same values, by deploy/nginx: the pages load nothing but the registry's own files and
// run no script.
inline constexpr std::string_view kPageSecurityHeaders =
    "Content-Security-Policy: default-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'\r\n"
    "Referrer-Policy: no-referrer\r\n";

}  // namespace medmij::web
