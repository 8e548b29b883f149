// Fuzz target: the domain JSON codec (registry/domain/json.h), the store's record format, on
// arbitrary bytes as a record of one type.
//
// Input: the type's name (as in kTypes below: "participant", "certificate", ...), a newline,
// then the JSON text, parsed as the store parses a record (nlohmann, no exceptions). Nothing may
// crash or throw out of DecodeJson (any exception is a finding), a refusal is one printable line
// (no control character) that names what was decoded, and whatever decodes re-encodes to a value
// that
//   - decodes again, from the value and from its dumped bytes, to an equal value (operator==),
//   - and encodes to the same bytes (the encoding is canonical: equal values, equal bytes).
// Seeds (corpus/json/): one record of every type as the store holds it, plus edge cases.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "registry/domain/json.h"
#include "registry/domain/types.h"

namespace {

using namespace medmij;
using nlohmann::json;

[[noreturn]] void Fail(const std::string& why, std::string_view context) {
  std::fprintf(stderr, "json_fuzz: %s\n%.*s\n", why.c_str(),
               static_cast<int>(std::min<size_t>(context.size(), 2000)), context.data());
  std::abort();
}

template <typename T>
void RoundTrip(std::string_view name, const json& j) {
  const std::string what = "fuzz " + std::string(name);
  Result<T> decoded = DecodeJson<T>(j, what);
  if (!decoded.ok()) {
    const std::string& m = decoded.status().message();
    if (m.size() <= what.size() + 2 || m.compare(0, what.size() + 2, what + ": ") != 0) {
      Fail("a refusal that does not name what was decoded", m);
    }
    for (unsigned char c : m) {
      if (c < 0x20 || c == 0x7f) Fail("a refusal that is not one printable line", m);
    }
    return;
  }
  const json encoded = *decoded;
  const std::string bytes = encoded.dump();
  Result<T> again = DecodeJson<T>(encoded, what);
  if (!again.ok()) Fail("its own encoding does not decode: " + again.status().message(), bytes);
  if (!(*again == *decoded)) Fail("decodes to another value after re-encoding", bytes);
  const json parsed = json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) Fail("its own encoding is not JSON", bytes);
  Result<T> stored = DecodeJson<T>(parsed, what);
  if (!stored.ok() || !(*stored == *decoded)) {
    Fail("its dumped encoding decodes to another value", bytes);
  }
  if (json(*again).dump() != bytes) Fail("equal values, different bytes", bytes);
}

struct Type {
  std::string_view name;
  void (*run)(std::string_view, const json&);
};

// Every type with a from_json in json.h (the enums are covered inside the records).
constexpr Type kTypes[] = {
    {"provenance", RoundTrip<Provenance>},
    {"certificate", RoundTrip<Certificate>},
    {"audit_statement", RoundTrip<AuditStatement>},
    {"qualification", RoundTrip<QualificationEvent>},
    {"label", RoundTrip<LabelEvent>},
    {"status_change", RoundTrip<StatusChange>},
    {"participant", RoundTrip<Participant>},
    {"node", RoundTrip<Node>},
    {"oauth_client", RoundTrip<OAuthClient>},
    {"service", RoundTrip<DataService>},
    {"system_role", RoundTrip<SystemRole>},
    {"subscription", RoundTrip<Subscription>},
    {"provider_service", RoundTrip<ProviderService>},
    {"provider", RoundTrip<Provider>},
    {"case_step", RoundTrip<CaseStepRecord>},
    {"case", RoundTrip<ComplianceCase>},
    {"termination_request", RoundTrip<TerminationRequest>},
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nl = input.find('\n');
  if (nl == std::string_view::npos) return 0;
  const std::string_view name = input.substr(0, nl);
  const json j = json::parse(input.substr(nl + 1), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  for (const Type& t : kTypes) {
    if (t.name == name) t.run(name, j);
  }
  return 0;
}
