// The monthly report for the board and auditors (`medmij-admin report --month YYYY-MM`): every
// figure computed from the journal and the list archive alone, so anyone holding the data dir
// (or a backup) gets the same numbers.
//
// Months are calendar months in UTC: [YYYY-MM-01T00:00:00Z, the next month's first instant).
// A day is a UTC day; a week is an ISO week (Monday to Sunday) cut to the month.
//
// The computation is split so that its parts are pure functions of their inputs (no store, no
// clock): the journal part (standing per day, status changes, cases, lapses) takes the state at
// the month's start and the month's events; the list part takes a list's archived versions and
// a way to read their bytes. BuildMonthReport reads both from a store and calls them.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "registry/common/status.h"
#include "registry/common/time.h"
#include "registry/domain/policy.h"
#include "registry/domain/types.h"
#include "registry/store/store.h"

namespace medmij::ops {

// A calendar month in UTC.
struct ReportMonth {
  int year = 1970;
  unsigned month = 1;  // 1..12
  Time start{};        // the month's first instant
  Time end{};          // the next month's first instant (exclusive)
  int days = 0;        // 28..31
  std::string name;    // "2026-11"
};

// "YYYY-MM": four digits, '-', two digits 01..12; the year 1970..9998 (the month and its end
// inside the registry's time range). kInvalidArgument, one line naming `option`, for anything
// else ("26-11", "2026-13", "2026-1", "2026-11-01").
Result<ReportMonth> ParseReportMonth(std::string_view text, std::string_view option);

// The first instant of day `day` (0-based) of the month.
inline Time DayStart(const ReportMonth& m, int day) {
  return m.start + Days(day);
}

// Participants in and out of good standing (policy::EvaluateStanding) at the last instant of
// one day (its end minus one millisecond), in the state after every event of that day.
// Terminated participants count in neither.
struct DayFigure {
  Time day{};  // the day's first instant
  int good_standing = 0;
  int not_good_standing = 0;
};

// A participant's lifecycle change, from the event that made it.
struct StatusEvent {
  Time at{};
  uint64_t seq = 0;
  std::string participant;
  std::optional<Lifecycle> from;  // nullopt: enrolled by this event
  Lifecycle to = Lifecycle::kCandidate;
  std::string operator_name;
  std::string reason;
};
// "enrolment" | "activation" | "suspension" | "reinstatement" | "termination" | "change" (any
// other; the lifecycle admits none).
std::string_view KindOf(const StatusEvent& e);

// A case opened or closed in the month, from the event that did it.
struct CaseEvent {
  Time at{};
  uint64_t seq = 0;
  std::string case_id;
  std::string participant;
  std::string type;                    // the finding's type
  CaseStep step = CaseStep::kFinding;  // opened: the first step; closed: the step it closed at
  std::string operator_name;
  std::string reason;  // opened: the finding; closed: the reason given for closing
};

// Evidence that stopped counting in the month by time alone (a certificate's valid_until or an
// audit statement's 365 days passing) while the participant was not terminated: the instant
// policy::LapsingEvidence gives, in the state as it was then. Evidence that takes over without
// a gap is no lapse; a renewal recorded after the instant does not undo it.
struct LapseEvent {
  Time at{};
  std::string participant;
  policy::EvidenceKind kind = policy::EvidenceKind::kCertificate;
  std::string what;
};

// What the journal says of the month.
struct JournalFigures {
  std::vector<DayFigure> days;                  // one per day of the month, in order
  std::map<std::string, int> by_status_at_end;  // every participant once, "active" -> 3
  int good_standing_at_end = 0;                 // = days.back()
  int not_good_standing_at_end = 0;
  std::vector<StatusEvent> status_changes;  // journal order
  std::vector<CaseEvent> cases_opened;      // journal order
  std::vector<CaseEvent> cases_closed;      // journal order
  std::vector<LapseEvent> lapses;           // by instant, then participant, then kind
};

// `start_state` is the state at the month's start (the journal up to its last event before
// m.start); `events` the journal's events with m.start <= at < m.end, in seq order (REQUIRES:
// their times do not decrease). Only the participants and cases tables are read. kCorruption
// naming the event and record when a participant or case in an event does not decode.
Result<JournalFigures> ComputeJournalFigures(const ReportMonth& m, RegistryState start_state,
                                             const std::vector<store::JournalEvent>& events);

// One archived version of a list published in the month, against the version before it (the
// first version ever: against an empty list). Keys as lists::Diff gives them.
struct ListVersionChange {
  uint64_t volgnummer = 0;
  Time tijdstempel{};
  std::string sha256;
  std::vector<std::string> added;    // entries
  std::vector<std::string> removed;  // exits
  std::vector<std::string> changed;
};

struct ListMonth {
  ListKind list = ListKind::kWhitelist;
  // The current version at the month's start (the last with Tijdstempel before m.start) and
  // its Tijdstempel; nullopt when none had been published.
  std::optional<uint64_t> volgnummer_at_start;
  std::optional<Time> tijdstempel_at_start;
  std::optional<uint64_t> volgnummer_at_end;  // the current version at the month's end
  std::vector<ListVersionChange> versions;    // Tijdstempel in the month, by Volgnummer
  size_t entries() const;
  size_t exits() const;
  size_t changed() const;
};

// The signed bytes of version `volgnummer` of the list; kCorruption when the archive lacks them.
using ListBytesFn = std::function<Result<std::string>(uint64_t volgnummer)>;

// From `versions`, every archived version of `list` by ascending Volgnummer (Reader::
// ListVersions). Reads the bytes of the versions in the month and of the one before the first.
// kInvalidArgument (from lists::Diff) when archived bytes are not a document of the list.
Result<ListMonth> ComputeListMonth(ListKind list, const ReportMonth& m,
                                   const std::vector<store::ListVersion>& versions,
                                   const ListBytesFn& bytes);

// Versions published, entries, exits and changed entries of every list in one ISO week of the
// month (cut to the month: the first and last may be shorter than seven days).
struct WeekFigure {
  std::string label;  // "2026-W45"
  Time from{};        // first instant (in the month)
  Time to{};          // exclusive
  int versions = 0;
  int entries = 0;
  int exits = 0;
  int changed = 0;
};
std::vector<WeekFigure> WeeklyListChanges(const ReportMonth& m,
                                          const std::vector<ListMonth>& lists);

// ISO 8601 week label of the day holding `t` ("2026-W48").
std::string IsoWeekLabel(Time t);

struct MonthReport {
  ReportMonth month;
  // The journal events of the month: seq first..last (0 and 0 when none), and the journal's
  // length at the month's end.
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  uint64_t events_before_end = 0;
  JournalFigures journal;
  std::vector<ListMonth> lists;  // kAllLists order
  std::vector<WeekFigure> weeks;
};

// The report of month `m` from `store`: the state at m.start (Store::StateAt), one pass over the
// month's journal events, and the list archive. Event times are taken to be non-decreasing in
// seq order (the clock of the one writer); the month's events are found by binary search on them.
Result<MonthReport> BuildMonthReport(const store::Store& store, const ReportMonth& m);

// The report as JSON: every figure of the HTML report, and the numbers behind each chart
// ("good_standing_per_day", "list_changes_per_week", "volgnummer_per_list"). Documented in
// README.md ("The monthly report").
nlohmann::json ToJson(const MonthReport& r);

}  // namespace medmij::ops
