// Differential fuzz target: the signer's byte-level exclusive C14N of the plain form
// (CanonicalizePlainForm, signer/plain_form.cc, what the publisher digests without a DOM)
// against libxml2's exclusive C14N of the parsed document (what xmlsec1 and every verifier
// compute). Whenever the byte path claims a document that libxml2 parses as well-formed, the two
// must be byte-equal.
//
// Input: the first byte picks the list (its root element and namespace); the rest is the content
// between the plain form's root start tag and end tag, so most mutations stay near the plain form.
#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <libxml/xmlIO.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "signer/internal.h"
#include "signer/signer.h"

namespace {

using namespace medmij;
using namespace medmij::signer;

int Append(void* ctx, const char* buf, int len) {
  static_cast<std::string*>(ctx)->append(buf, static_cast<size_t>(len));
  return len;
}

std::unique_ptr<Libraries>* libraries = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  auto libs = Libraries::Init();
  if (!libs.ok()) std::abort();
  libraries = new std::unique_ptr<Libraries>(std::move(libs).value());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const internal::ListInfo& info = internal::InfoFor(kAllLists[data[0] % 4]);
  const std::string doc =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + internal::PlainRootStartTag(info) +
      std::string(reinterpret_cast<const char*>(data) + 1, size - 1) + "</" + info.root + ">\n";
  std::string ours;
  const std::optional<size_t> splice =
      internal::CanonicalizePlainForm(doc, info, [&](std::string_view part) {
        ours.append(part);
        return true;
      });
  if (!splice) return 0;
  if (doc.compare(*splice, 2, "</") != 0) {
    std::fprintf(stderr, "c14n_differential: the splice offset is not the root end tag\n");
    std::abort();
  }
  internal::ErrorScope errors;
  auto parsed = internal::ParseDocument(doc, "fuzz");
  if (!parsed.ok()) return 0;  // not well-formed (or over a limit): the signer refuses it too
  std::string theirs;
  xmlOutputBufferPtr out = xmlOutputBufferCreateIO(&Append, nullptr, &theirs, nullptr);
  const int rc = xmlC14NDocSaveTo(parsed->get(), nullptr, XML_C14N_EXCLUSIVE_1_0, nullptr, 0, out);
  if (xmlOutputBufferClose(out) < 0 || rc < 0) return 0;
  if (ours != theirs) {
    std::fprintf(stderr,
                 "c14n_differential: byte path and libxml2 differ\n--- document\n%s\n"
                 "--- byte path\n%s\n--- libxml2\n%s\n",
                 doc.c_str(), ours.c_str(), theirs.c_str());
    std::abort();
  }
  return 0;
}
