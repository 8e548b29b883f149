#include "fetch/report.h"

#include <cstdio>

namespace medmij::fetch {

namespace {

using json = nlohmann::json;

std::string UnixSeconds(const std::optional<Time>& t) {
  if (!t) return "0";
  const int64_t ms = ToMillis(*t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%03lld", static_cast<long long>(ms / 1000),
                static_cast<long long>(ms % 1000));
  return buf;
}

json TimeOrNull(const std::optional<Time>& t) {
  return t ? json(FormatTime(*t)) : json(nullptr);
}

void Family(std::string& out, const char* name, const char* type, const char* help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

}  // namespace

bool IsStale(const ListRecord& record, Time now, Millis max_stale) {
  return !record.last_confirmed || now - *record.last_confirmed >= max_stale;
}

int ExitCode(const std::vector<ListRun>& runs, Time now, Millis max_stale) {
  bool failed = false;
  for (const ListRun& r : runs) {
    if (IsStale(r.record, now, max_stale)) return kExitStale;
    failed = failed || r.outcome == Outcome::kFailed;
  }
  return failed ? kExitFailed : kExitCurrent;
}

std::string MetricsText(const std::vector<ListRun>& runs) {
  std::string out;
  const auto series = [&](const char* name, const ListRun& r, const std::string& value) {
    out.append(name).append("{list=\"").append(ToString(r.list)).append("\"} ").append(value);
    out.append("\n");
  };
  Family(out, "medmij_fetch_volgnummer", "gauge",
         "Volgnummer of the installed list (0: none installed).");
  for (const ListRun& r : runs) {
    series("medmij_fetch_volgnummer", r,
           std::to_string(r.record.installed ? r.record.installed->volgnummer : 0));
  }
  Family(out, "medmij_fetch_last_confirmed_timestamp_seconds", "gauge",
         "When the server last confirmed the installed list current (200 or 304), Unix time "
         "(0: never).");
  for (const ListRun& r : runs) {
    series("medmij_fetch_last_confirmed_timestamp_seconds", r,
           UnixSeconds(r.record.last_confirmed));
  }
  Family(out, "medmij_fetch_last_change_timestamp_seconds", "gauge",
         "When a new version of the list was last installed, Unix time (0: never).");
  for (const ListRun& r : runs) {
    series("medmij_fetch_last_change_timestamp_seconds", r, UnixSeconds(r.record.last_change));
  }
  Family(out, "medmij_fetch_failures_total", "counter",
         "Runs in which fetching the list failed, by the reason of the last attempt.");
  for (const ListRun& r : runs) {
    for (Reason reason : kAllReasons) {
      auto it = r.record.failures.find(reason);
      out.append("medmij_fetch_failures_total{list=\"")
          .append(ToString(r.list))
          .append("\",reason=\"")
          .append(ToString(reason))
          .append("\"} ")
          .append(std::to_string(it == r.record.failures.end() ? 0 : it->second))
          .append("\n");
    }
  }
  return out;
}

json RunJson(const std::vector<ListRun>& runs, Time now, Millis max_stale, int exit_code) {
  json lists = json::array();
  for (const ListRun& r : runs) {
    json e{
        {"list", std::string(ToString(r.list))},
        {"url", r.url},
        {"outcome", std::string(ToString(r.outcome))},
        {"attempts", r.attempts},
        {"volgnummer", r.record.installed ? json(r.record.installed->volgnummer) : json(nullptr)},
        {"previous_volgnummer", r.previous ? json(*r.previous) : json(nullptr)},
        {"tijdstempel", r.record.installed ? json(r.record.installed->tijdstempel) : json(nullptr)},
        {"etag", r.record.etag.empty() ? json(nullptr) : json(r.record.etag)},
        {"last_confirmed", TimeOrNull(r.record.last_confirmed)},
        {"last_change", TimeOrNull(r.record.last_change)},
        {"stale", IsStale(r.record, now, max_stale)},
        {"error", nullptr}};
    if (r.failure) {
      e["error"] = {{"reason", std::string(ToString(r.failure->reason))},
                    {"message", r.failure->message}};
    }
    lists.push_back(std::move(e));
  }
  return json{{"exit_code", exit_code},
              {"now", FormatTime(now)},
              {"max_stale_seconds", max_stale.count() / 1000},
              {"lists", lists}};
}

}  // namespace medmij::fetch
