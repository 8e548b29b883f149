#include "registry/store/archive_event.h"

#include <nlohmann/json.hpp>
#include <string>

#include "registry/common/text.h"
#include "registry/store/journal.h"
#include "registry/store/tables.h"

namespace medmij::store {

Result<ListVersion> ArchivedListVersion(std::string_view stored_event, ListKind list,
                                        uint64_t volgnummer) {
  const std::string key = internal::ListKey(list, volgnummer);
  const std::string what = std::string(ToString(list)) + " version " + std::to_string(volgnummer);
  JournalEvent event;
  try {
    event = journal::Decode(stored_event);
  } catch (const nlohmann::json::exception& e) {
    return Status::Invalid("logged entry: not a journal event: " + EscapeForDisplay(e.what()));
  }
  const Change* version_change = nullptr;
  const Change* bytes_change = nullptr;
  for (const Change& c : event.changes) {
    if (c.key != key) continue;
    if (c.table == Table::kListVersions) version_change = &c;
    if (c.table == Table::kListBytes) bytes_change = &c;
  }
  const std::string event_name = "logged entry (journal event " + std::to_string(event.seq) + ")";
  if (version_change == nullptr || version_change->before || !version_change->after) {
    return Status::Invalid(event_name + " does not archive " + what);
  }
  ListVersion v;
  try {
    v = version_change->after->get<ListVersion>();
  } catch (const nlohmann::json::exception& e) {
    return Status::Invalid(event_name + ": list_versions " + key + ": " +
                           EscapeForDisplay(e.what()));
  }
  if (v.list != list || v.volgnummer != volgnummer) {
    return Status::Invalid(event_name + ": list_versions " + key + " names " +
                           std::string(ToString(v.list)) + " version " +
                           std::to_string(v.volgnummer));
  }
  const nlohmann::json expected_bytes = {{"sha256", v.sha256}, {"size", v.size}};
  if (bytes_change == nullptr || bytes_change->before || !bytes_change->after ||
      *bytes_change->after != expected_bytes) {
    return Status::Invalid(event_name + " does not archive the bytes of " + what + " (list_bytes " +
                           key + ")");
  }
  return v;
}

}  // namespace medmij::store
