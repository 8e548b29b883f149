#include "registry/http/register_pages.h"

#include <string>

#include "registry/http/http_util.h"
#include "registry/web/render.h"
#include "registry/web/search.h"

namespace medmij::http {
namespace {

constexpr std::string_view kHtml = "text/html; charset=utf-8";
// Pages change with every publication that changes what they show: caches revalidate each time
// (a 304 costs what serving a list's 304 costs).
constexpr std::string_view kPageCaching = "Cache-Control: public, max-age=0, must-revalidate\r\n";
constexpr std::string_view kParticipantPrefix = "/deelnemers/";
constexpr std::string_view kStaticPrefix = "/static/";

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string PageHeaders() {
  std::string h(kPageCaching);
  h += web::kPageSecurityHeaders;
  return h;
}

Reply Page(const Request& request, int status, std::string_view content_type,
           std::shared_ptr<const ServedBody> body) {
  Reply r;
  r.status = status;
  r.content_type = std::string(content_type);
  r.headers = "ETag: " + body->etag() + "\r\n" + PageHeaders();
  if (status == 200) {
    if (auto inm = request.Header("If-None-Match"); inm && IfNoneMatchMatches(*inm, body->etag())) {
      r.status = 304;
      r.no_content = true;
      return r;
    }
  }
  r.shared_body = std::move(body);
  return r;
}

Reply HtmlNotFound(const Snapshot& snap) {
  Reply r;
  r.status = 404;
  r.content_type = std::string(kHtml);
  r.headers = "Cache-Control: no-store\r\n" + std::string(web::kPageSecurityHeaders);
  r.shared_body = snap.pages->not_found;
  return r;
}

Reply Overview(const Snapshot& snap, const Request& request) {
  if (auto bad = RejectQuery(request, {"q", "role"})) return *bad;
  auto search = web::ParseSearch(request.QueryParam("q"), request.QueryParam("role"));
  if (!search.ok()) return ErrorReply(search.status());
  if (search->empty()) {
    return Page(request, 200, kHtml, snap.pages->by_path.find("/")->second.body);
  }
  // A search is rendered per request from the prepared view: no store access, no signing.
  Reply r;
  r.content_type = std::string(kHtml);
  r.headers = "Cache-Control: no-cache\r\n" + std::string(web::kPageSecurityHeaders);
  r.body = web::RenderOverview(*snap.pages->view, *search);
  return r;
}

}  // namespace

std::shared_ptr<const RegisterPages> PreparePages(web::RegisterView view) {
  web::RenderedSite site = web::RenderSite(view);
  auto pages = std::make_shared<RegisterPages>();
  auto add = [&](std::string path, std::string_view type, std::string bytes) {
    pages->by_path.emplace(
        std::move(path), RegisterPages::Page{std::string(type),
                                             std::make_shared<const ServedBody>(std::move(bytes))});
  };
  add("/", kHtml, std::move(site.overview));
  add("/lijsten", kHtml, std::move(site.lists));
  for (auto& [id, html] : site.participants) {
    add(std::string(kParticipantPrefix) + id, kHtml, std::move(html));
  }
  for (const web::StaticAsset& a : web::StaticAssets()) {
    add(std::string(a.path), a.content_type, std::string(a.bytes));
  }
  pages->not_found = std::make_shared<const ServedBody>(std::move(site.not_found));
  pages->view = std::make_shared<const web::RegisterView>(std::move(view));
  return pages;
}

bool IsRegisterPath(std::string_view path) {
  return path == "/" || path == "/lijsten" || StartsWith(path, kParticipantPrefix) ||
         StartsWith(path, kStaticPrefix);
}

Reply ServeRegisterPage(const Snapshot& snap, const Request& request) {
  if (snap.pages == nullptr) {
    Reply r = TextReply(503, "the register has not been published yet");
    r.headers += "Retry-After: 5\r\n";
    return r;
  }
  if (request.path == "/") return Overview(snap, request);
  if (auto bad = RejectQuery(request, {})) return *bad;
  auto it = snap.pages->by_path.find(request.path);
  if (it == snap.pages->by_path.end()) return HtmlNotFound(snap);
  return Page(request, 200, it->second.content_type, it->second.body);
}

Reply NotFoundFor(const Snapshot& snap, const Request& request) {
  auto accept = request.Header("Accept");
  if (snap.pages != nullptr && accept && accept->find("text/html") != std::string_view::npos) {
    return HtmlNotFound(snap);
  }
  return NotFound();
}

}  // namespace medmij::http
