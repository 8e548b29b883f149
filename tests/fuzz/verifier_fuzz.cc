// Fuzz target: a participant's checks (signer/participant.h) on arbitrary bytes as a list.
// Nothing may crash, hang or grow beyond the parser limits; and for any document that verifies,
// the invariants the callers rely on hold: the signature's byte range is a ds:Signature, the
// strict form passes CheckStrict, and the kind check accepts exactly the kind found.
// The trust anchor and the verification time come from data/ (see data/README.md); the seeds
// in corpus/verifier/ are lists signed under that anchor, so mutations start from valid input.
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "registry/common/time.h"
#include "signer/participant.h"
#include "signer/signer.h"

namespace {

using namespace medmij;
using namespace medmij::signer;

struct Fixture {
  std::unique_ptr<Libraries> libraries;
  std::unique_ptr<Verifier> verifier;
  Time at;
};
Fixture* fixture = nullptr;

[[noreturn]] void Fail(const std::string& why) {
  std::fprintf(stderr, "verifier_fuzz: %s\n", why.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  fixture = new Fixture();
  auto libs = Libraries::Init();
  if (!libs.ok()) Fail(libs.status().message());
  fixture->libraries = std::move(libs).value();
  auto v = Verifier::Load(std::string(MEDMIJ_FUZZ_DATA_DIR) + "/ca.pem");
  if (!v.ok()) Fail(v.status().message());
  fixture->verifier = std::move(v).value();
  std::ifstream in(std::string(MEDMIJ_FUZZ_DATA_DIR) + "/verify-at.txt");
  std::string at;
  std::getline(in, at);
  auto t = ParseTime(at, "verify-at.txt");
  if (!t.ok()) Fail(t.status().message());
  fixture->at = *t;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view doc(reinterpret_cast<const char*>(data), size);
  auto checked = CheckList(*fixture->verifier, doc, fixture->at, {});
  if (!checked.ok()) return 0;
  const VerifiedList& v = checked->list;
  if (v.signature_begin >= v.signature_end || v.signature_end > doc.size() ||
      !doc.substr(v.signature_begin).starts_with("<ds:Signature")) {
    Fail("accepted with a bad signature range");
  }
  const std::string strict = StrictForm(doc, v);
  CheckOptions with_strict;
  with_strict.strict = strict;
  if (!CheckList(*fixture->verifier, doc, fixture->at, with_strict).ok()) {
    Fail("the strict form of an accepted list is refused");
  }
  for (ListKind k : kAllLists) {
    if (fixture->verifier->Verify(doc, fixture->at, k).ok() != (k == v.list)) {
      Fail("the expected-kind check disagrees with the kind found");
    }
  }
  return 0;
}
