#include "registry/ops/history.h"

#include <string>

namespace medmij::ops {

bool EventTouchesParticipant(const store::JournalEvent& event, std::string_view id) {
  constexpr std::string_view kPrefix = "participant:";
  const std::string& subject = event.meta.subject;
  if (subject.size() == kPrefix.size() + id.size() && subject.starts_with(kPrefix) &&
      std::string_view(subject).substr(kPrefix.size()) == id) {
    return true;
  }
  for (const auto& c : event.changes) {
    if (c.table == store::Table::kParticipants && c.key == id) return true;
    for (const auto* v : {&c.before, &c.after}) {
      if (!*v || !(*v)->is_object()) continue;
      for (const char* field : {"participant", "dva"}) {
        auto it = (*v)->find(field);
        if (it != (*v)->end() && it->is_string() && it->get_ref<const std::string&>() == id) {
          return true;
        }
      }
    }
  }
  return false;
}

}  // namespace medmij::ops
