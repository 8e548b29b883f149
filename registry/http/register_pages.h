// The public register for people over HTTP (issue 13): /, /deelnemers/{id}, /lijsten and
// /static/..., served from pages rendered once per publication (PreparePages), and the HTML 404
// page. Only a search (/?q=TEXT&role=dvp|dva) renders per request, from the prepared view.
// Every page and asset is sent with web::kPageSecurityHeaders (no script, nothing but the
// registry's own files), a strong ETag (304 on If-None-Match) and must-revalidate caching.
#pragma once

#include <memory>
#include <string_view>

#include "registry/common/time.h"
#include "registry/http/reply.h"
#include "registry/http/request.h"
#include "registry/http/served.h"
#include "registry/web/register_view.h"

namespace medmij::http {

// Renders every page of `view` and the static assets into servable bodies. Throws only on a
// template defect (a build error, not an input error).
std::shared_ptr<const RegisterPages> PreparePages(web::RegisterView view);

// True for the paths the register answers: "/", "/lijsten", "/deelnemers/..." and "/static/...".
bool IsRegisterPath(std::string_view path);

// The reply for a register path (IsRegisterPath), REQUIRES a GET or HEAD request. Unknown
// participants and assets get the HTML 404 page; a malformed search 400.
Reply ServeRegisterPage(const Snapshot& snap, const Request& request);

// 404 for a path nobody serves: the HTML page for a client that accepts text/html (a browser),
// plain text otherwise.
Reply NotFoundFor(const Snapshot& snap, const Request& request);

}  // namespace medmij::http
