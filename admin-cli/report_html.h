// The monthly report as one self-contained HTML document (`medmij-admin report`): the figures
// of ops::MonthReport in tables, and charts drawn as inline SVG.
//
// The page and its stylesheet are admin-cli/templates/report.html.mustache and report.css,
// embedded in the binary at build time and rendered with kainjow::mustache (every value
// escaped). The document loads nothing and runs nothing: no script, no external resource, no
// style attribute; its own Content-Security-Policy (default-src 'none') admits only its one
// <style> element, by hash, so a browser that opens it (or Chromium printing it to PDF) fetches
// nothing either.
#pragma once

#include <string>

#include "registry/common/time.h"
#include "registry/ops/report.h"

namespace medmij::cli {

// REQUIRES: `r` as BuildMonthReport gives it (one DayFigure per day of the month).
std::string RenderReportHtml(const ops::MonthReport& r, Time generated_at);

}  // namespace medmij::cli
