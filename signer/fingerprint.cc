// CertificateFingerprintSha256: how people compare a CA certificate with the one published.
#include <openssl/x509.h>

#include <string>

#include "registry/common/sha256.h"
#include "signer/signer.h"
#include "signer/x509_util.h"

namespace medmij::signer {

Result<std::string> CertificateFingerprintSha256(const std::filesystem::path& pem,
                                                 const std::string& what) {
  const std::string named = what + " " + pem.string();
  MEDMIJ_ASSIGN_OR_RETURN(std::string text, x509::ReadFile(pem, named));
  MEDMIJ_ASSIGN_OR_RETURN(auto certificates, x509::ParseCertificates(text, named));
  unsigned char* der = nullptr;
  const int len = i2d_X509(certificates.front().get(), &der);
  if (len <= 0) return Status::Invalid(named + ": cannot encode the certificate");
  const Sha256Digest digest =
      Sha256(std::string_view(reinterpret_cast<const char*>(der), static_cast<size_t>(len)));
  OPENSSL_free(der);
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(digest.size() * 3);
  for (unsigned char b : digest) {
    if (!out.empty()) out += ':';
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  return out;
}

}  // namespace medmij::signer
