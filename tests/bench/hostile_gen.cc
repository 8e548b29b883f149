// medmij-hostile-gen: the hostile documents of issue 8 item 6, and genuine lists to compare
// them with (tests/bench/hostile_bench.sh).
//
//   medmij-hostile-gen genuine BYTES OUT [TIJDSTEMPEL]
//                                               an unsigned ZAL of about BYTES bytes
//   medmij-hostile-gen CASE SIGNED OUT          SIGNED (a signed list) made hostile, CASE one of
//     attributes-40k     40 000 attributes on one element
//     attributes-200k    200 000 attributes on one element
//     certificates-9000  9 000 junk certificates in KeyInfo
//     xmlns-200k         200 000 unused namespace declarations on the root
//     signature-15m      15 million empty elements inside ds:Signature
//     content-15m        15 million empty elements in the list's content (not in the issue:
//                        the node limits outside the signature)
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace {

std::string ReadAll(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool Insert(std::string& doc, const std::string& before, const std::string& what) {
  const size_t at = doc.find(before);
  if (at == std::string::npos) return false;
  doc.insert(at, what);
  return true;
}

std::string Letters(size_t i) {
  std::string s;
  do {
    s.insert(s.begin(), static_cast<char>('a' + i % 26));
    i /= 26;
  } while (i > 0);
  return s;
}

// Shaped like the reference example and tests/bench/verify_bench.sh's list.
std::string Genuine(size_t bytes, const std::string& tijdstempel) {
  std::string x =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Zorgaanbiederslijst "
      "xmlns=\"xmlns://afsprakenstelsel.medmij.nl/zorgaanbiederslijst/release2/\">\n"
      "    <Tijdstempel>" +
      tijdstempel + "</Tijdstempel>\n    <Volgnummer>1</Volgnummer>\n    <Zorgaanbieders>\n";
  for (size_t i = 0; x.size() < bytes; ++i) {
    const std::string host = "dva" + std::to_string(i % 500) + ".example.nl";
    x += "        <Zorgaanbieder>\n            <Zorgaanbiedernaam>zorgaanbieder" + Letters(i) +
         "@medmij</Zorgaanbiedernaam>\n            <Gegevensdiensten>\n"
         "                <Gegevensdienst>\n                    <GegevensdienstId>4"
         "</GegevensdienstId>\n                    <AuthorizationEndpoint>\n"
         "                        <AuthorizationEndpointuri>https://" +
         host +
         "/oauth/authorize</AuthorizationEndpointuri>\n"
         "                    </AuthorizationEndpoint>\n                    <TokenEndpoint>\n"
         "                        <TokenEndpointuri>https://" +
         host +
         ":8443/oauth/token</TokenEndpointuri>\n                    </TokenEndpoint>\n"
         "                    <Systeemrollen>\n                        <Systeemrol>\n"
         "                            <Systeemrolcode>LAB-1.0.0-LRB-FHIR</Systeemrolcode>\n"
         "                            <ResourceEndpoint>\n"
         "                                <ResourceEndpointuri>https://" +
         host +
         "/fhir</ResourceEndpointuri>\n                            </ResourceEndpoint>\n"
         "                        </Systeemrol>\n                    </Systeemrollen>\n"
         "                </Gegevensdienst>\n            </Gegevensdiensten>\n"
         "        </Zorgaanbieder>\n";
  }
  return x + "    </Zorgaanbieders>\n</Zorgaanbiederslijst>\n";
}

std::string Attributes(size_t n, const char* name) {
  std::string s;
  for (size_t i = 0; i < n; ++i)
    s.append(" ").append(name).append(std::to_string(i)).append("=\"\"");
  return s;
}

// Base64 that decodes to bytes which are not a certificate.
std::string JunkCertificate(size_t i) {
  static const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string s = "<ds:X509Certificate>";
  uint64_t x = 0x9e3779b97f4a7c15ULL * (i + 1);
  for (int line = 0; line < 22; ++line) {
    for (int c = 0; c < 64; ++c) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      s += kB64[x % 64];
    }
    s += '\n';
  }
  return s + "</ds:X509Certificate>";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 && !(argc == 5 && std::string(argv[1]) == "genuine")) {
    std::cerr << "usage: medmij-hostile-gen genuine BYTES OUT | CASE SIGNED OUT\n";
    return 2;
  }
  const std::string what = argv[1];
  std::string doc;
  bool ok = true;
  if (what == "genuine") {
    doc = Genuine(std::stoull(argv[2]), argc == 5 ? argv[4] : "2026-11-22T10:00:00Z");
  } else {
    doc = ReadAll(argv[2]);
    if (what == "attributes-40k" || what == "attributes-200k") {
      ok = Insert(doc, "<Zorgaanbieder>",
                  "<Zorgaanbieder" + Attributes(what == "attributes-40k" ? 40000 : 200000, "a") +
                      "></Zorgaanbieder>");
    } else if (what == "certificates-9000") {
      std::string junk;
      for (size_t i = 0; i < 9000; ++i) junk += JunkCertificate(i);
      ok = Insert(doc, "</ds:X509Data>", junk);
    } else if (what == "xmlns-200k") {
      ok = Insert(doc, " xmlns=\"xmlns://", Attributes(200000, "xmlns:n"));
    } else if (what == "signature-15m" || what == "content-15m") {
      const bool in_signature = what == "signature-15m";
      std::string empties;
      empties.reserve(15'000'000 * 4 + 32);
      if (in_signature) empties += "<ds:Object>";
      for (size_t i = 0; i < 15'000'000; ++i) empties += "<x/>";
      if (in_signature) empties += "</ds:Object>";
      ok = Insert(doc, in_signature ? "</ds:Signature>" : "</Zorgaanbieders>", empties);
    } else {
      std::cerr << "medmij-hostile-gen: unknown case " << what << "\n";
      return 2;
    }
  }
  if (!ok) {
    std::cerr << "medmij-hostile-gen: " << argv[2] << " is not a signed list\n";
    return 1;
  }
  std::ofstream out(argv[3], std::ios::binary | std::ios::trunc);
  out << doc;
  return out ? 0 : 1;
}
