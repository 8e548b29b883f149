#include "registry/store/tables.h"

namespace medmij::store {

std::string_view TableName(Table t) {
  return internal::kTables[internal::DbiOf(t)].name;
}

std::optional<Table> ParseTableName(std::string_view name) {
  for (const internal::TableSpec& t : internal::kTables) {
    if (t.name == name) return t.table;
  }
  return std::nullopt;
}

namespace internal {

std::string IndexKey(std::string_view owner, std::string_view key) {
  std::string k(owner);
  k += '\0';
  k += key;
  return k;
}

std::string Printable(std::string_view index_key) {
  std::string s(index_key);
  for (char& c : s) {
    if (c == '\0') c = '/';
  }
  return s;
}

std::string ListKey(ListKind list, uint64_t volgnummer) {
  return ListKeyBeside(std::string(ToString(list)) + "/", volgnummer);
}

std::string ListKeyBeside(std::string_view list_key, uint64_t volgnummer) {
  std::string n = std::to_string(volgnummer);
  return std::string(list_key.substr(0, list_key.rfind('/') + 1)) +
         std::string(20 - n.size(), '0') + n;
}

std::string TreeKey(int level, uint64_t index) {
  std::string key(9, '\0');
  key[0] = static_cast<char>(level);
  for (int i = 8; i >= 1; --i) {
    key[static_cast<size_t>(i)] = static_cast<char>(index & 0xff);
    index >>= 8;
  }
  return key;
}

std::string Where(Table t, std::string_view key) {
  return std::string(TableName(t)) + "/" + std::string(key);
}

}  // namespace internal
}  // namespace medmij::store
