#include "signer/x509_util.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace medmij::signer::x509 {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

BioPtr MemBio(std::string_view s) {
  return BioPtr(BIO_new_mem_buf(s.data(), static_cast<int>(s.size())));
}

int RefusePassword(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) {
  return -1;
}

Time FromAsn1(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return Time{};
  return std::chrono::time_point_cast<Millis>(std::chrono::system_clock::from_time_t(timegm(&tm)));
}

}  // namespace

std::string OpenSslError() {
  unsigned long e = ERR_peek_last_error();
  std::string s;
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    s = buf;
  }
  ERR_clear_error();
  return s.empty() ? "unknown OpenSSL error" : s;
}

Result<std::string> ReadFile(const std::filesystem::path& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Invalid(what + ": cannot read: " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::Invalid(what + ": cannot read: " + std::strerror(errno));
  return ss.str();
}

Result<PkeyPtr> ParsePrivateKey(std::string_view pem, const std::string& what) {
  BioPtr bio = MemBio(pem);
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, &RefusePassword, nullptr));
  if (!key) {
    return Status::Invalid(what + ": not a usable PEM private key (" + OpenSslError() + ")");
  }
  return key;
}

Result<std::vector<CertPtr>> ParseCertificates(std::string_view pem, const std::string& what) {
  BioPtr bio = MemBio(pem);
  std::vector<CertPtr> out;
  while (true) {
    X509* c = PEM_read_bio_X509(bio.get(), nullptr, &RefusePassword, nullptr);
    if (c == nullptr) break;
    out.emplace_back(c);
  }
  unsigned long err = ERR_peek_last_error();
  // The loop ends with "no start line" at the end of the input; anything else is a bad block.
  if (err != 0 &&
      !(ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE)) {
    return Status::Invalid(what + ": not a PEM certificate (" + OpenSslError() + ")");
  }
  ERR_clear_error();
  if (out.empty()) return Status::Invalid(what + ": contains no PEM certificate");
  return out;
}

std::string SubjectRfc2253(const X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

Time NotBefore(const X509* cert) {
  return FromAsn1(X509_get0_notBefore(cert));
}
Time NotAfter(const X509* cert) {
  return FromAsn1(X509_get0_notAfter(cert));
}

Status CheckValidAt(const X509* cert, Time now, const std::string& what) {
  const Time from = NotBefore(cert);
  const Time until = NotAfter(cert);
  if (now < from) {
    return Status::Invalid(what + " is not yet valid: valid from " + FormatTime(from) +
                           ", now is " + FormatTime(now));
  }
  if (now >= until) {
    return Status::Invalid(what + " has expired: valid until " + FormatTime(until) + ", now is " +
                           FormatTime(now));
  }
  return Status::Ok();
}

}  // namespace medmij::signer::x509
