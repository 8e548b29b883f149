#include "admin-cli/report_html.h"

#include <algorithm>
#include <cstdio>
#include <string_view>

#include <kainjow/mustache.hpp>

#include "registry/common/base64.h"
#include "registry/common/sha256.h"

namespace medmij::cli {

std::string_view ReportTemplate();    // report_template.cc (generated)
std::string_view ReportStylesheet();  // report_template.cc (generated)

namespace {

using kainjow::mustache::data;

// Text and attribute values inside SVG built here (the template escapes everything else).
std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// A coordinate with one decimal ("12.5", "3").
std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  std::string s(buf);
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  if (s == "-0") s = "0";
  return s;
}

// A step of 1, 2 or 5 times a power of ten that divides [0, max] in at most `ticks` parts.
long NiceStep(long max, int ticks) {
  long step = 1;
  while (true) {
    for (long m : {1L, 2L, 5L}) {
      if (step * m * ticks >= max) return step * m;
    }
    step *= 10;
  }
}

// A chart frame: the plot area inside margins, the y axis from 0 to a nice maximum.
struct Frame {
  double width, height, left, right, top, bottom;
  long y_max = 1;
  long y_step = 1;
  double PlotWidth() const { return width - left - right; }
  double PlotHeight() const { return height - top - bottom; }
  double Y(double v) const { return top + PlotHeight() * (1.0 - v / static_cast<double>(y_max)); }
};

std::string Open(const Frame& f, const std::string& id, const std::string& title,
                 const std::string& desc) {
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"";
  out.append(Num(f.width)).append("\" height=\"").append(Num(f.height));
  out.append("\" viewBox=\"0 0 ").append(Num(f.width)).append(" ").append(Num(f.height));
  out.append("\" aria-labelledby=\"").append(id).append("-title ").append(id).append("-desc\">");
  out.append("<title id=\"").append(id).append("-title\">").append(Escape(title));
  out.append("</title><desc id=\"").append(id).append("-desc\">").append(Escape(desc));
  out.append("</desc>");
  return out;
}

// Horizontal grid lines with their values, and the axes.
std::string YAxis(Frame& f, long max_value) {
  f.y_step = NiceStep(std::max(max_value, 1L), 5);
  f.y_max = std::max(f.y_step, (std::max(max_value, 1L) + f.y_step - 1) / f.y_step * f.y_step);
  std::string out;
  for (long v = 0; v <= f.y_max; v += f.y_step) {
    const std::string y = Num(f.Y(static_cast<double>(v)));
    out.append("<line class=\"grid\" x1=\"").append(Num(f.left)).append("\" y1=\"").append(y);
    out.append("\" x2=\"").append(Num(f.width - f.right)).append("\" y2=\"").append(y);
    out.append("\"/><text x=\"").append(Num(f.left - 4)).append("\" y=\"");
    out.append(Num(f.Y(static_cast<double>(v)) + 3.5)).append("\" text-anchor=\"end\">");
    out.append(std::to_string(v)).append("</text>");
  }
  const std::string base = Num(f.Y(0));
  out.append("<line class=\"axis\" x1=\"").append(Num(f.left)).append("\" y1=\"").append(base);
  out.append("\" x2=\"").append(Num(f.width - f.right)).append("\" y2=\"").append(base);
  out.append("\"/>");
  return out;
}

std::string Rect(std::string_view cls, double x, double y, double w, double h,
                 const std::string& tip) {
  std::string out = "<rect class=\"";
  out.append(cls).append("\" x=\"").append(Num(x)).append("\" y=\"").append(Num(y));
  out.append("\" width=\"").append(Num(w)).append("\" height=\"").append(Num(h)).append("\">");
  out.append("<title>").append(Escape(tip)).append("</title></rect>");
  return out;
}

std::string Label(double x, double y, const std::string& text, std::string_view anchor) {
  std::string out = "<text x=\"";
  out.append(Num(x)).append("\" y=\"").append(Num(y)).append("\" text-anchor=\"");
  out.append(anchor).append("\">").append(Escape(text)).append("</text>");
  return out;
}

// Stacked bars per day: in good standing, then not.
std::string StandingChart(const ops::MonthReport& r) {
  Frame f{680, 220, 40, 8, 10, 30};
  long max = 0;
  for (const auto& d : r.journal.days) {
    max = std::max(max, static_cast<long>(d.good_standing + d.not_good_standing));
  }
  std::string out = Open(f, "chart-standing", "Participants in good standing per day",
                         "Bars per day of " + r.month.name +
                             ": participants in good standing, and on top of them those not "
                             "in good standing, at the end of the day.");
  out += YAxis(f, max);
  const size_t n = r.journal.days.size();
  const double slot = f.PlotWidth() / static_cast<double>(std::max<size_t>(n, 1));
  for (size_t i = 0; i < n; ++i) {
    const auto& d = r.journal.days[i];
    const double x = f.left + slot * static_cast<double>(i) + slot * 0.1;
    const double w = slot * 0.8;
    const std::string date = FormatDate(d.day);
    const double y_good = f.Y(d.good_standing);
    const double y_all = f.Y(d.good_standing + d.not_good_standing);
    if (d.good_standing > 0) {
      out += Rect("good", x, y_good, w, f.Y(0) - y_good,
                  date + ": " + std::to_string(d.good_standing) + " in good standing");
    }
    if (d.not_good_standing > 0) {
      out += Rect("notgood", x, y_all, w, y_good - y_all,
                  date + ": " + std::to_string(d.not_good_standing) + " not in good standing");
    }
    const int day = static_cast<int>(i) + 1;
    if (day == 1 || day % 5 == 0 || i + 1 == n) {
      out += Label(x + w / 2, f.height - f.bottom + 14, std::to_string(day), "middle");
    }
  }
  out += Label(f.left + f.PlotWidth() / 2, f.height - 3, "day of " + r.month.name, "middle");
  out += "</svg>";
  return out;
}

// Grouped bars per week: entries, exits, changed entries.
std::string WeeksChart(const ops::MonthReport& r) {
  Frame f{680, 200, 40, 8, 10, 30};
  long max = 0;
  for (const auto& w : r.weeks)
    max = std::max({max, long{w.entries}, long{w.exits}, long{w.changed}});
  std::string out = Open(f, "chart-weeks", "List changes per week",
                         "Per ISO week of " + r.month.name +
                             ": entries, exits and changed entries of all lists together.");
  out += YAxis(f, max);
  const size_t n = r.weeks.size();
  const double slot = f.PlotWidth() / static_cast<double>(std::max<size_t>(n, 1));
  for (size_t i = 0; i < n; ++i) {
    const auto& w = r.weeks[i];
    const double x0 = f.left + slot * static_cast<double>(i) + slot * 0.15;
    const double bar = slot * 0.7 / 3;
    const std::pair<const char*, int> bars[] = {
        {"entries", w.entries}, {"exits", w.exits}, {"changed", w.changed}};
    for (size_t b = 0; b < 3; ++b) {
      const auto& [cls, value] = bars[b];
      if (value == 0) continue;
      out += Rect(cls, x0 + bar * static_cast<double>(b), f.Y(value), bar, f.Y(0) - f.Y(value),
                  w.label + ": " + std::to_string(value) + " " + cls);
    }
    out += Label(x0 + bar * 1.5, f.height - f.bottom + 14, w.label, "middle");
  }
  out += "</svg>";
  return out;
}

// The Volgnummer of one list over the month, as steps: the current version at each instant.
std::string VolgnummerChart(const ops::MonthReport& r, const ops::ListMonth& l, int index) {
  Frame f{330, 120, 44, 10, 10, 22};
  const std::string name(ToString(l.list));
  std::string out = Open(f, "chart-volgnummer-" + std::to_string(index), "Volgnummer of " + name,
                         "The Volgnummer of the current " + name + " version during " +
                             r.month.name + ", and a dot for each version published.");
  std::vector<std::pair<Time, uint64_t>> points;
  if (l.volgnummer_at_start) points.emplace_back(r.month.start, *l.volgnummer_at_start);
  for (const auto& v : l.versions) points.emplace_back(v.tijdstempel, v.volgnummer);
  const double span = static_cast<double>((r.month.end - r.month.start).count());
  auto x_of = [&](Time t) {
    return f.left + f.PlotWidth() * static_cast<double>((t - r.month.start).count()) / span;
  };
  const std::string base = Num(f.height - f.bottom);
  out.append("<line class=\"axis\" x1=\"").append(Num(f.left)).append("\" y1=\"").append(base);
  out.append("\" x2=\"").append(Num(f.width - f.right)).append("\" y2=\"").append(base);
  out.append("\"/>");
  out += Label(f.left, f.height - 6, "1", "middle");
  out += Label(f.width - f.right, f.height - 6, std::to_string(r.month.days), "middle");
  if (points.empty()) {
    out += Label(f.left + f.PlotWidth() / 2, f.top + f.PlotHeight() / 2, "not published", "middle");
    return out + "</svg>";
  }
  uint64_t lo = points.front().second;
  uint64_t hi = points.back().second;
  for (const auto& p : points) {
    lo = std::min(lo, p.second);
    hi = std::max(hi, p.second);
  }
  // A list that did not change is drawn as a level line in the middle.
  const double bottom = static_cast<double>(lo) - (hi == lo ? 1 : 0);
  const double top = static_cast<double>(hi) + (hi == lo ? 1 : 0);
  auto y_of = [&](uint64_t v) {
    return f.top + f.PlotHeight() * (1.0 - (static_cast<double>(v) - bottom) / (top - bottom));
  };
  out += Label(f.left - 4, y_of(lo) + 3.5, std::to_string(lo), "end");
  if (hi != lo) out += Label(f.left - 4, y_of(hi) + 3.5, std::to_string(hi), "end");
  std::string path = "M" + Num(x_of(points.front().first)) + " " + Num(y_of(points.front().second));
  for (size_t i = 1; i < points.size(); ++i) {
    path.append(" H").append(Num(x_of(points[i].first)));
    path.append(" V").append(Num(y_of(points[i].second)));
  }
  path.append(" H").append(Num(f.width - f.right));
  out.append("<path class=\"step\" d=\"").append(path).append("\"/>");
  for (const auto& v : l.versions) {
    out.append("<circle class=\"dot\" cx=\"").append(Num(x_of(v.tijdstempel)));
    out.append("\" cy=\"").append(Num(y_of(v.volgnummer))).append("\" r=\"2.5\"><title>");
    out.append(Escape("Volgnummer " + std::to_string(v.volgnummer) + " at " +
                      FormatTijdstempel(v.tijdstempel)));
    out.append("</title></circle>");
  }
  return out + "</svg>";
}

std::string Joined(const std::vector<std::string>& keys) {
  std::string out;
  for (const auto& k : keys) {
    if (!out.empty()) out += ", ";
    out += k;
  }
  return out;
}

std::string OrDash(const std::optional<uint64_t>& v) {
  return v ? std::to_string(*v) : "-";
}

// An event's instant: `at` as recorded (the <time> element's datetime), `shown` to the second.
void SetTime(data& row, Time t) {
  row.set("at", FormatTime(t));
  row.set("shown", FormatTijdstempel(t));
}

data CaseRows(const std::vector<ops::CaseEvent>& events) {
  data rows{data::type::list};
  for (const auto& e : events) {
    data row;
    SetTime(row, e.at);
    row.set("case", e.case_id);
    row.set("participant", e.participant);
    row.set("type", e.type);
    row.set("step", std::string(ToString(e.step)));
    row.set("reason", e.reason);
    row.set("operator", e.operator_name);
    row.set("seq", std::to_string(e.seq));
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

std::string RenderReportHtml(const ops::MonthReport& r, Time generated_at) {
  const ops::JournalFigures& j = r.journal;
  const std::string css(ReportStylesheet());
  data view;
  view.set("css", css);
  const Sha256Digest digest = Sha256(css);
  view.set("style_hash", Base64Encode(std::string_view(reinterpret_cast<const char*>(digest.data()),
                                                       digest.size())));
  view.set("month", r.month.name);
  view.set("from", FormatTime(r.month.start));
  view.set("to", FormatTime(r.month.end));
  view.set("last_instant", FormatTime(r.month.end - Millis(1)));
  view.set("generated_at", FormatTime(generated_at));
  view.set("journal_range",
           r.last_seq == 0 ? std::string("(none in the month)")
                           : std::to_string(r.first_seq) + " to " + std::to_string(r.last_seq));
  view.set("journal_events", std::to_string(r.last_seq == 0 ? 0 : r.last_seq - r.first_seq + 1));
  view.set("journal_before_end", std::to_string(r.events_before_end));

  int total = 0;
  data by_status{data::type::list};
  for (const char* s : {"candidate", "active", "suspended", "terminated"}) {
    auto it = j.by_status_at_end.find(s);
    const int n = it == j.by_status_at_end.end() ? 0 : it->second;
    total += n;
    data row;
    row.set("status", std::string(s));
    row.set("count", std::to_string(n));
    by_status.push_back(row);
  }
  view.set("by_status", by_status);
  view.set("total", std::to_string(total));
  view.set("good", std::to_string(j.good_standing_at_end));
  view.set("not_good", std::to_string(j.not_good_standing_at_end));
  view.set("chart_standing", StandingChart(r));

  std::map<std::string, int> counts;
  data changes{data::type::list};
  for (const auto& e : j.status_changes) {
    counts[std::string(ops::KindOf(e))]++;
    data row;
    SetTime(row, e.at);
    row.set("kind", std::string(ops::KindOf(e)));
    row.set("participant", e.participant);
    row.set("from", e.from ? std::string(ToString(*e.from)) : std::string("-"));
    row.set("to", std::string(ToString(e.to)));
    row.set("operator", e.operator_name);
    row.set("reason", e.reason);
    row.set("seq", std::to_string(e.seq));
    changes.push_back(row);
  }
  view.set("status_changes", changes);
  data change_counts{data::type::list};
  for (const auto& [kind, label] : std::initializer_list<std::pair<const char*, const char*>>{
           {"enrolment", "enrolments"},
           {"activation", "activations"},
           {"suspension", "suspensions"},
           {"reinstatement", "reinstatements"},
           {"termination", "terminations"}}) {
    data c;
    c.set("kind", std::string(kind));
    c.set("label", std::string(label));
    c.set("count", std::to_string(counts[kind]));
    change_counts.push_back(c);
  }
  view.set("change_counts", change_counts);

  view.set("cases_opened", CaseRows(j.cases_opened));
  view.set("cases_closed", CaseRows(j.cases_closed));
  view.set("cases_opened_count", std::to_string(j.cases_opened.size()));
  view.set("cases_closed_count", std::to_string(j.cases_closed.size()));

  data lapses{data::type::list};
  for (const auto& l : j.lapses) {
    data row;
    SetTime(row, l.at);
    row.set("participant", l.participant);
    row.set("kind", std::string(policy::ToString(l.kind)));
    row.set("what", l.what);
    lapses.push_back(row);
  }
  view.set("lapses", lapses);
  view.set("lapses_count", std::to_string(j.lapses.size()));

  data lists{data::type::list};
  data versions{data::type::list};
  data charts{data::type::list};
  int index = 0;
  for (const auto& l : r.lists) {
    const std::string name(ToString(l.list));
    data row;
    row.set("list", name);
    row.set("at_start", OrDash(l.volgnummer_at_start));
    row.set("at_end", OrDash(l.volgnummer_at_end));
    row.set("versions", std::to_string(l.versions.size()));
    row.set("entries", std::to_string(l.entries()));
    row.set("exits", std::to_string(l.exits()));
    row.set("changed", std::to_string(l.changed()));
    lists.push_back(row);
    for (const auto& v : l.versions) {
      data vr;
      vr.set("list", name);
      vr.set("volgnummer", std::to_string(v.volgnummer));
      vr.set("tijdstempel", FormatTijdstempel(v.tijdstempel));
      vr.set("added", Joined(v.added));
      vr.set("removed", Joined(v.removed));
      vr.set("changed", Joined(v.changed));
      versions.push_back(vr);
    }
    data chart;
    chart.set("list", name);
    chart.set("svg", VolgnummerChart(r, l, ++index));
    charts.push_back(chart);
  }
  view.set("lists", lists);
  view.set("list_versions", versions);
  view.set("volgnummer_charts", charts);
  view.set("chart_weeks", WeeksChart(r));

  data days{data::type::list};
  for (const auto& d : j.days) {
    data row;
    row.set("date", FormatDate(d.day));
    row.set("good", std::to_string(d.good_standing));
    row.set("not_good", std::to_string(d.not_good_standing));
    days.push_back(row);
  }
  view.set("days", days);
  data weeks{data::type::list};
  for (const auto& w : r.weeks) {
    data row;
    row.set("week", w.label);
    row.set("from", FormatDate(w.from));
    row.set("to", FormatDate(w.to - Millis(1)));
    row.set("versions", std::to_string(w.versions));
    row.set("entries", std::to_string(w.entries));
    row.set("exits", std::to_string(w.exits));
    row.set("changed", std::to_string(w.changed));
    weeks.push_back(row);
  }
  view.set("weeks", weeks);

  kainjow::mustache::mustache tmpl{std::string(ReportTemplate())};
  return tmpl.render(view);
}

}  // namespace medmij::cli
