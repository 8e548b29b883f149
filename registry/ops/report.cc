#include "registry/ops/report.h"

#include <algorithm>
#include <chrono>

#include "registry/domain/json.h"
#include "registry/lists/lists.h"

namespace medmij::ops {

using nlohmann::json;
namespace chr = std::chrono;

namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int Number(std::string_view digits) {
  int n = 0;
  for (char c : digits) n = n * 10 + (c - '0');
  return n;
}

// What `c.after` holds, decoded as T; kCorruption naming the event and the record.
template <typename T>
Result<std::optional<T>> Decoded(const store::JournalEvent& ev, const store::Change& c) {
  if (!c.after) return std::optional<T>();
  try {
    return std::optional<T>(c.after->get<T>());
  } catch (const json::exception& e) {
    std::string msg = "journal event ";
    msg.append(std::to_string(ev.seq))
        .append(": ")
        .append(store::TableName(c.table))
        .append("/")
        .append(c.key)
        .append(": does not decode: ")
        .append(e.what());
    return Status::Corruption(std::move(msg));
  }
}

}  // namespace

Result<ReportMonth> ParseReportMonth(std::string_view text, std::string_view option) {
  auto bad = [&](std::string_view why) {
    std::string msg(option);
    msg.append(": '").append(text).append("' ").append(why);
    return Status::Invalid(std::move(msg));
  };
  if (text.size() != 7 || text[4] != '-' || !AllDigits(text.substr(0, 4)) ||
      !AllDigits(text.substr(5, 2))) {
    return bad("is not a month: write YYYY-MM, e.g. 2026-11");
  }
  const int year = Number(text.substr(0, 4));
  const int month = Number(text.substr(5, 2));
  if (month < 1 || month > 12) return bad("is not a month: the month is 01 to 12");
  if (year < 1970 || year > 9998) return bad("is outside the years 1970 to 9998");
  ReportMonth m;
  m.year = year;
  m.month = static_cast<unsigned>(month);
  const chr::year_month ym{chr::year{year}, chr::month{m.month}};
  const chr::sys_days first{ym / 1};
  const chr::sys_days next{(ym + chr::months{1}) / 1};
  m.start = chr::time_point_cast<Millis>(first);
  m.end = chr::time_point_cast<Millis>(next);
  m.days = static_cast<int>((next - first).count());
  m.name = std::string(text);
  return m;
}

std::string_view KindOf(const StatusEvent& e) {
  if (!e.from) return "enrolment";
  if (e.to == Lifecycle::kTerminated) return "termination";
  if (*e.from == Lifecycle::kCandidate && e.to == Lifecycle::kActive) return "activation";
  if (*e.from == Lifecycle::kActive && e.to == Lifecycle::kSuspended) return "suspension";
  if (*e.from == Lifecycle::kSuspended && e.to == Lifecycle::kActive) return "reinstatement";
  return "change";
}

Result<JournalFigures> ComputeJournalFigures(const ReportMonth& m, RegistryState s,
                                             const std::vector<store::JournalEvent>& events) {
  JournalFigures f;
  // Per participant: the lapses its current record gives before m.end, each still to happen.
  std::map<std::string, std::vector<policy::EvidenceLapse>> pending;
  // Lapses after `t` (the instant before the record took effect) in `p`'s record.
  auto predict = [&](const Participant& p, Time t) {
    auto& slot = pending[p.id];
    slot.clear();
    if (p.status == Lifecycle::kTerminated) return;
    for (auto& l : policy::LapsingEvidence(p, t, m.end)) {
      if (l.at && *l.at < m.end) slot.push_back(std::move(l));
    }
  };
  // Records `id`'s pending lapses before `t`: they happened in the record as it was.
  auto flush = [&](const std::string& id, Time t) {
    auto it = pending.find(id);
    if (it == pending.end()) return;
    auto& slot = it->second;
    for (auto l = slot.begin(); l != slot.end();) {
      if (*l->at < t) {
        f.lapses.push_back({*l->at, id, l->kind, l->what});
        l = slot.erase(l);
      } else {
        ++l;
      }
    }
  };
  for (const auto& [id, p] : s.participants) predict(p, m.start - Millis(1));

  int day = 0;
  auto close_day = [&] {
    const Time last = DayStart(m, day + 1) - Millis(1);
    DayFigure d{DayStart(m, day), 0, 0};
    for (const auto& [id, p] : s.participants) {
      if (p.status == Lifecycle::kTerminated) continue;
      (policy::EvaluateStanding(p, last).good ? d.good_standing : d.not_good_standing)++;
    }
    f.days.push_back(d);
    ++day;
  };

  for (const store::JournalEvent& ev : events) {
    const Time at = ev.meta.at;
    while (day < m.days && at >= DayStart(m, day + 1)) close_day();
    for (const store::Change& c : ev.changes) {
      if (c.table == store::Table::kParticipants) {
        MEDMIJ_ASSIGN_OR_RETURN(std::optional<Participant> next, Decoded<Participant>(ev, c));
        flush(c.key, at);
        auto it = s.participants.find(c.key);
        std::optional<Lifecycle> from;
        if (it != s.participants.end()) from = it->second.status;
        if (!next) {
          if (it != s.participants.end()) s.participants.erase(it);
          pending.erase(c.key);
          continue;
        }
        if (!from || *from != next->status) {
          f.status_changes.push_back(
              {at, ev.seq, c.key, from, next->status, ev.meta.operator_name, ev.meta.reason});
        }
        predict(*next, at - Millis(1));
        s.participants[c.key] = std::move(*next);
      } else if (c.table == store::Table::kCases) {
        MEDMIJ_ASSIGN_OR_RETURN(std::optional<ComplianceCase> next, Decoded<ComplianceCase>(ev, c));
        auto it = s.cases.find(c.key);
        if (!next) {
          if (it != s.cases.end()) s.cases.erase(it);
          continue;
        }
        if (it == s.cases.end()) {
          f.cases_opened.push_back(
              {at, ev.seq, c.key, next->participant, next->type,
               next->steps.empty() ? CaseStep::kFinding : next->steps.front().step,
               ev.meta.operator_name, next->finding});
        }
        if (next->closed && (it == s.cases.end() || !it->second.closed)) {
          f.cases_closed.push_back({at, ev.seq, c.key, next->participant, next->type,
                                    next->CurrentStep(), ev.meta.operator_name,
                                    next->closed->reason});
        }
        s.cases[c.key] = std::move(*next);
      }
    }
  }
  while (day < m.days) close_day();
  for (const auto& [id, p] : s.participants) flush(id, m.end);

  std::stable_sort(f.lapses.begin(), f.lapses.end(), [](const LapseEvent& a, const LapseEvent& b) {
    if (a.at != b.at) return a.at < b.at;
    if (a.participant != b.participant) return a.participant < b.participant;
    return a.kind < b.kind;
  });
  for (const auto& [id, p] : s.participants) f.by_status_at_end[std::string(ToString(p.status))]++;
  if (!f.days.empty()) {
    f.good_standing_at_end = f.days.back().good_standing;
    f.not_good_standing_at_end = f.days.back().not_good_standing;
  }
  return f;
}

size_t ListMonth::entries() const {
  size_t n = 0;
  for (const auto& v : versions) n += v.added.size();
  return n;
}
size_t ListMonth::exits() const {
  size_t n = 0;
  for (const auto& v : versions) n += v.removed.size();
  return n;
}
size_t ListMonth::changed() const {
  size_t n = 0;
  for (const auto& v : versions) n += v.changed.size();
  return n;
}

Result<ListMonth> ComputeListMonth(ListKind list, const ReportMonth& m,
                                   const std::vector<store::ListVersion>& versions,
                                   const ListBytesFn& bytes) {
  ListMonth out;
  out.list = list;
  const store::ListVersion* prev = nullptr;
  std::optional<std::string> prev_bytes;
  for (const store::ListVersion& v : versions) {
    if (v.tijdstempel < m.start) {
      prev = &v;
      out.volgnummer_at_start = v.volgnummer;
      out.tijdstempel_at_start = v.tijdstempel;
      continue;
    }
    if (v.tijdstempel >= m.end) break;
    if (prev != nullptr && !prev_bytes) {
      MEDMIJ_ASSIGN_OR_RETURN(std::string before, bytes(prev->volgnummer));
      prev_bytes = std::move(before);
    }
    MEDMIJ_ASSIGN_OR_RETURN(std::string current, bytes(v.volgnummer));
    ListVersionChange change;
    change.volgnummer = v.volgnummer;
    change.tijdstempel = v.tijdstempel;
    change.sha256 = v.sha256;
    if (prev_bytes) {
      MEDMIJ_ASSIGN_OR_RETURN(lists::ListDiff d, lists::Diff(list, *prev_bytes, current));
      change.added = std::move(d.added);
      change.removed = std::move(d.removed);
      change.changed = std::move(d.changed);
    } else {
      MEDMIJ_ASSIGN_OR_RETURN(change.added, lists::EntryKeys(list, current));
    }
    out.versions.push_back(std::move(change));
    prev = &v;
    prev_bytes = std::move(current);
  }
  if (prev != nullptr) out.volgnummer_at_end = prev->volgnummer;
  return out;
}

std::string IsoWeekLabel(Time t) {
  const chr::sys_days d = chr::floor<chr::days>(t);
  const unsigned iso = chr::weekday{d}.iso_encoding();  // Monday 1 .. Sunday 7
  const chr::sys_days thursday = d + chr::days(4 - static_cast<int>(iso));
  const chr::year y = chr::year_month_day{thursday}.year();
  const chr::sys_days jan1{y / chr::January / 1};
  const int week = static_cast<int>((thursday - jan1).count() / 7 + 1);
  std::string out = std::to_string(static_cast<int>(y));
  out.append("-W");
  if (week < 10) out.append("0");
  out.append(std::to_string(week));
  return out;
}

std::vector<WeekFigure> WeeklyListChanges(const ReportMonth& m,
                                          const std::vector<ListMonth>& lists) {
  std::vector<WeekFigure> weeks;
  for (Time from = m.start; from < m.end;) {
    const chr::sys_days d = chr::floor<chr::days>(from);
    const unsigned iso = chr::weekday{d}.iso_encoding();
    const Time next_monday = chr::time_point_cast<Millis>(d + chr::days(8 - iso));
    WeekFigure w;
    w.label = IsoWeekLabel(from);
    w.from = from;
    w.to = std::min(next_monday, m.end);
    weeks.push_back(w);
    from = w.to;
  }
  for (const ListMonth& l : lists) {
    for (const ListVersionChange& v : l.versions) {
      for (WeekFigure& w : weeks) {
        if (w.from <= v.tijdstempel && v.tijdstempel < w.to) {
          w.versions++;
          w.entries += static_cast<int>(v.added.size());
          w.exits += static_cast<int>(v.removed.size());
          w.changed += static_cast<int>(v.changed.size());
        }
      }
    }
  }
  return weeks;
}

Result<MonthReport> BuildMonthReport(const store::Store& store, const ReportMonth& m) {
  MonthReport r;
  r.month = m;
  MEDMIJ_ASSIGN_OR_RETURN(auto txn, store.BeginRead());
  MEDMIJ_ASSIGN_OR_RETURN(const uint64_t length, txn->JournalLength());
  auto time_of = [&](uint64_t seq) -> Result<Time> {
    std::optional<Time> at;
    MEDMIJ_RETURN_IF_ERROR(txn->ForEachEvent(seq, [&](const store::JournalEvent& ev) {
      at = ev.meta.at;
      return false;
    }));
    if (!at) return Status::Corruption("journal event " + std::to_string(seq) + " missing");
    return *at;
  };
  // The first seq (1..length + 1) whose event is at or after `t`.
  auto first_at_or_after = [&](Time t) -> Result<uint64_t> {
    uint64_t lo = 1;
    uint64_t hi = length + 1;
    while (lo < hi) {
      const uint64_t mid = lo + (hi - lo) / 2;
      MEDMIJ_ASSIGN_OR_RETURN(const Time at, time_of(mid));
      if (at < t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  };
  MEDMIJ_ASSIGN_OR_RETURN(const uint64_t first, first_at_or_after(m.start));
  MEDMIJ_ASSIGN_OR_RETURN(const uint64_t after, first_at_or_after(m.end));
  r.events_before_end = after - 1;
  std::vector<store::JournalEvent> events;
  if (first < after) {
    r.first_seq = first;
    r.last_seq = after - 1;
    MEDMIJ_RETURN_IF_ERROR(txn->ForEachEvent(first, [&](const store::JournalEvent& ev) {
      if (ev.seq >= after) return false;
      events.push_back(ev);
      return true;
    }));
  }
  for (ListKind k : kAllLists) {
    MEDMIJ_ASSIGN_OR_RETURN(auto versions, txn->ListVersions(k));
    MEDMIJ_ASSIGN_OR_RETURN(
        ListMonth lm, ComputeListMonth(k, m, versions, [&](uint64_t n) -> Result<std::string> {
          MEDMIJ_ASSIGN_OR_RETURN(auto b, txn->GetListBytes(k, n));
          if (!b) {
            std::string msg = "list archive: the bytes of ";
            msg.append(ToString(k)).append(" version ").append(std::to_string(n));
            return Status::Corruption(msg.append(" are missing"));
          }
          return std::move(*b);
        }));
    r.lists.push_back(std::move(lm));
  }
  txn.reset();
  r.weeks = WeeklyListChanges(m, r.lists);
  // The state before the month's first event: every event before m.start.
  MEDMIJ_ASSIGN_OR_RETURN(RegistryState start, store.StateAt(m.start - Millis(1)));
  MEDMIJ_ASSIGN_OR_RETURN(r.journal, ComputeJournalFigures(m, std::move(start), events));
  return r;
}

namespace {

json OrNull(const std::optional<uint64_t>& v) {
  return v ? json(*v) : json(nullptr);
}

json ToJson(const StatusEvent& e) {
  return json{{"at", FormatTime(e.at)},
              {"seq", e.seq},
              {"participant", e.participant},
              {"kind", KindOf(e)},
              {"from", e.from ? json(ToString(*e.from)) : json(nullptr)},
              {"to", ToString(e.to)},
              {"operator", e.operator_name},
              {"reason", e.reason}};
}

json ToJson(const CaseEvent& e) {
  return json{{"at", FormatTime(e.at)},       {"seq", e.seq},      {"case", e.case_id},
              {"participant", e.participant}, {"type", e.type},    {"step", ToString(e.step)},
              {"operator", e.operator_name},  {"reason", e.reason}};
}

}  // namespace

json ToJson(const MonthReport& r) {
  const ReportMonth& m = r.month;
  const JournalFigures& f = r.journal;
  json doc;
  doc["month"] = m.name;
  doc["time_zone"] = "UTC";
  doc["from"] = FormatTime(m.start);
  doc["to"] = FormatTime(m.end);
  doc["journal"] = json{{"first_seq", r.first_seq},
                        {"last_seq", r.last_seq},
                        {"events", r.last_seq == 0 ? 0 : r.last_seq - r.first_seq + 1},
                        {"events_before_end", r.events_before_end}};
  int participants = 0;
  for (const auto& [status, n] : f.by_status_at_end) participants += n;
  doc["participants_at_end"] = json{{"total", participants},
                                    {"by_status", f.by_status_at_end},
                                    {"good_standing", f.good_standing_at_end},
                                    {"not_good_standing", f.not_good_standing_at_end}};
  json counts = json::object();
  for (const char* k :
       {"enrolment", "activation", "suspension", "reinstatement", "termination", "change"}) {
    counts[k] = 0;
  }
  json changes = json::array();
  for (const auto& e : f.status_changes) {
    changes.push_back(ToJson(e));
    counts[std::string(KindOf(e))] = counts[std::string(KindOf(e))].get<int>() + 1;
  }
  doc["status_changes"] = changes;
  doc["status_change_counts"] = counts;
  json opened = json::array();
  for (const auto& e : f.cases_opened) opened.push_back(ToJson(e));
  json closed = json::array();
  for (const auto& e : f.cases_closed) closed.push_back(ToJson(e));
  doc["cases"] = json{{"opened", opened}, {"closed", closed}};
  json lapses = json::array();
  for (const auto& l : f.lapses) {
    lapses.push_back({{"at", FormatTime(l.at)},
                      {"participant", l.participant},
                      {"kind", policy::ToString(l.kind)},
                      {"what", l.what}});
  }
  doc["lapses"] = lapses;

  json lists = json::array();
  json series = json::array();
  for (const ListMonth& l : r.lists) {
    json versions = json::array();
    json points = json::array();
    if (l.volgnummer_at_start) {
      points.push_back({{"at", FormatTime(m.start)}, {"volgnummer", *l.volgnummer_at_start}});
    }
    for (const auto& v : l.versions) {
      versions.push_back({{"volgnummer", v.volgnummer},
                          {"tijdstempel", FormatTijdstempel(v.tijdstempel)},
                          {"sha256", v.sha256},
                          {"added", v.added},
                          {"removed", v.removed},
                          {"changed", v.changed}});
      points.push_back({{"at", FormatTime(v.tijdstempel)}, {"volgnummer", v.volgnummer}});
    }
    lists.push_back({{"list", ToString(l.list)},
                     {"volgnummer_at_start", OrNull(l.volgnummer_at_start)},
                     {"volgnummer_at_end", OrNull(l.volgnummer_at_end)},
                     {"versions_published", l.versions.size()},
                     {"entries", l.entries()},
                     {"exits", l.exits()},
                     {"changed", l.changed()},
                     {"versions", versions}});
    series.push_back({{"list", ToString(l.list)}, {"points", points}});
  }
  doc["lists"] = lists;

  json days = json::array();
  for (const auto& d : f.days) {
    days.push_back({{"date", FormatDate(d.day)},
                    {"good_standing", d.good_standing},
                    {"not_good_standing", d.not_good_standing}});
  }
  json weeks = json::array();
  for (const auto& w : r.weeks) {
    weeks.push_back({{"week", w.label},
                     {"from", FormatDate(w.from)},
                     {"to", FormatDate(w.to - Millis(1))},
                     {"versions", w.versions},
                     {"entries", w.entries},
                     {"exits", w.exits},
                     {"changed", w.changed}});
  }
  doc["charts"] = json{{"good_standing_per_day", days},
                       {"list_changes_per_week", weeks},
                       {"volgnummer_per_list", series}};
  return doc;
}

}  // namespace medmij::ops
