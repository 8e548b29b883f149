// C2SP signed notes and checkpoints: the Go note package's published example (key, key id,
// deterministic Ed25519 signature), signatures checked by the stock `openssl pkeyutl`, base64
// edge cases, malformed notes and checkpoints.

#include "registry/common/note.h"

#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "registry/common/base64.h"
#include "registry/common/checkpoint.h"
#include "tests/support/process.h"

namespace medmij::note {
namespace {

using medmij::testing::RunProcess;
using medmij::testing::TempDir;

// golang.org/x/mod/sumdb/note's documented example: its signer key
// "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz" (0x01 and the
// Ed25519 seed), verifier key and signed note.
constexpr std::string_view kGoSeed = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr std::string_view kGoVkey =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr std::string_view kGoText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr std::string_view kGoSignatureLine =
    "\xE2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

Signer GoSigner() {
  auto raw = Base64Decode(kGoSeed);
  EXPECT_TRUE(raw && raw->size() == 33);
  auto s = Signer::FromSeed("PeterNeumann", raw->substr(1));
  EXPECT_TRUE(s.ok()) << s.status().message();
  return *s;
}

void Write(const std::filesystem::path& p, std::string_view bytes) {
  std::ofstream out(p, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

TEST(NoteTest, GoExampleKeyIdVerifierKeyAndSignature) {
  Signer s = GoSigner();
  EXPECT_EQ(s.verifier().ToString(), kGoVkey);
  EXPECT_EQ(s.verifier().key_id(), 0xc74f20a3u);
  auto note = s.Sign(kGoText);
  ASSERT_TRUE(note.ok()) << note.status().message();
  EXPECT_EQ(*note, std::string(kGoText) + "\n" + std::string(kGoSignatureLine));

  auto v = Verifier::Parse(kGoVkey);
  ASSERT_TRUE(v.ok()) << v.status().message();
  auto text = Open(*note, *v);
  ASSERT_TRUE(text.ok()) << text.status().message();
  EXPECT_EQ(*text, kGoText);
}

TEST(NoteTest, TamperedTextOrSignatureIsRefused) {
  auto v = Verifier::Parse(kGoVkey);
  ASSERT_TRUE(v.ok());
  std::string note = std::string(kGoText) + "\n" + std::string(kGoSignatureLine);
  std::string text_changed = note;
  text_changed[3] = 'X';
  auto r = Open(text_changed, *v);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("does not verify"), std::string::npos);

  std::string sig_changed = note;
  sig_changed[note.size() - 10] = sig_changed[note.size() - 10] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(Open(sig_changed, *v).ok());
}

TEST(NoteTest, OtherKeysSignaturesAreIgnoredButOneOfOursIsRequired) {
  Signer ours = GoSigner();
  auto other = Signer::FromSeed("other.example/log", std::string(32, '\x07'));
  ASSERT_TRUE(other.ok());
  auto by_other = other->Sign(kGoText);
  ASSERT_TRUE(by_other.ok());
  auto r = Open(*by_other, ours.verifier());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no signature by PeterNeumann+c74f20a3"), std::string::npos);

  // Both signatures: ours verifies, the other is ignored.
  std::string both = *by_other + std::string(kGoSignatureLine);
  auto text = Open(both, ours.verifier());
  ASSERT_TRUE(text.ok()) << text.status().message();
  EXPECT_EQ(*text, kGoText);

  // Same name, another key (so another key id): ignored, not a failure of ours.
  auto same_name = Signer::FromSeed("PeterNeumann", std::string(32, '\x09'));
  ASSERT_TRUE(same_name.ok());
  EXPECT_FALSE(Open(*same_name->Sign(kGoText), ours.verifier()).ok());
}

TEST(NoteTest, MalformedNotesAreRefused) {
  Signer s = GoSigner();
  const std::string good = *s.Sign(kGoText);
  for (const std::string& bad : {
           std::string(kGoText),                                       // no signatures
           good.substr(0, good.size() - 1),                            // no final newline
           std::string(kGoText) + "\n-- PeterNeumann AAAA\n",          // not an em dash
           std::string(kGoText) + "\n\xE2\x80\x94 PeterNeumann\n",     // no signature
           std::string(kGoText) + "\n\xE2\x80\x94 PeterNeumann !!\n",  // not base64
           std::string("a\tb\n") + good.substr(kGoText.size()),        // control character
           std::string("\xC3\n") + good.substr(kGoText.size()),        // not UTF-8
       }) {
    EXPECT_FALSE(Open(bad, s.verifier()).ok()) << bad;
  }
  EXPECT_FALSE(s.Sign("no newline").ok());
  EXPECT_FALSE(s.Sign("tab\there\n").ok());
}

TEST(NoteTest, UnverifiedTextChecksOnlyTheForm) {
  auto other = Signer::FromSeed("other.example/log", std::string(32, '\x07'));
  ASSERT_TRUE(other.ok());
  auto text = UnverifiedText(*other->Sign(kGoText));
  ASSERT_TRUE(text.ok()) << text.status().message();
  EXPECT_EQ(*text, kGoText);
  auto unsigned_text = UnverifiedText(std::string(kGoText));
  ASSERT_FALSE(unsigned_text.ok());
  EXPECT_EQ(unsigned_text.status().message(), "note: no signatures");
}

TEST(NoteTest, VerifierKeyParsingChecksEveryPart) {
  EXPECT_TRUE(Verifier::Parse(kGoVkey).ok());
  EXPECT_TRUE(
      Verifier::Parse("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").ok());
  for (std::string_view bad : {
           "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  // wrong id
           "PeterNeumanm+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  // wrong name
           "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",   // short id
           "PeterNeumann+c74f20a3+Apc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",   // not 0x01
           "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",   // not base64
           "PeterNeumann+c74f20a3",                                               // no key
           "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",              // no name
       }) {
    EXPECT_FALSE(Verifier::Parse(bad).ok()) << bad;
  }
}

TEST(NoteTest, KeyNames) {
  EXPECT_TRUE(CheckKeyName("registry.example.nl/medmij-log").ok());
  EXPECT_FALSE(CheckKeyName("").ok());
  EXPECT_FALSE(CheckKeyName("a b").ok());
  EXPECT_FALSE(CheckKeyName("a+b").ok());
  EXPECT_FALSE(CheckKeyName("a\nb").ok());
  EXPECT_FALSE(Signer::FromSeed("a+b", std::string(32, '\x01')).ok());
}

// A key from the stock `openssl genpkey`, our signature checked by the stock `openssl pkeyutl`
// over the note text, our key id from the public key openssl derives.
TEST(NoteTest, OpensslKeySignsWhatOpensslVerifies) {
  TempDir dir;
  const std::string key = (dir / "log.key").string(), pub = (dir / "log.pub").string();
  ASSERT_EQ(
      RunProcess({"/usr/bin/openssl", "genpkey", "-algorithm", "ed25519", "-out", key}).exit_code,
      0);
  ASSERT_EQ(RunProcess({"/usr/bin/openssl", "pkey", "-in", key, "-pubout", "-out", pub}).exit_code,
            0);
  auto signer = Signer::LoadPem(key, "registry.example/log");
  ASSERT_TRUE(signer.ok()) << signer.status().message();
  const std::string text =
      "registry.example/log\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
  auto note = signer->Sign(text);
  ASSERT_TRUE(note.ok());
  const std::string prefix = text + "\n\xE2\x80\x94 registry.example/log ";
  ASSERT_EQ(note->substr(0, prefix.size()), prefix);
  auto blob = Base64Decode(note->substr(prefix.size(), note->size() - prefix.size() - 1));
  ASSERT_TRUE(blob && blob->size() == 68);
  Write(dir / "text", text);
  Write(dir / "sig", blob->substr(4));
  auto verify =
      RunProcess({"/usr/bin/openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pub, "-rawin",
                  "-in", (dir / "text").string(), "-sigfile", (dir / "sig").string()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  Write(dir / "text", text + "x");
  EXPECT_NE(RunProcess({"/usr/bin/openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pub, "-rawin",
                        "-in", (dir / "text").string(), "-sigfile", (dir / "sig").string()})
                .exit_code,
            0);

  // Key id: SHA-256("registry.example/log\n" 0x01 key)[:4], the key being the last 32 bytes of
  // the DER SubjectPublicKeyInfo openssl writes, hashed by `openssl dgst`.
  auto der = RunProcess({"/usr/bin/openssl", "pkey", "-in", key, "-pubout", "-outform", "DER"});
  ASSERT_EQ(der.exit_code, 0);
  ASSERT_EQ(der.out.size(), 44u);
  Write(dir / "idinput", "registry.example/log\n\x01" + der.out.substr(12));
  auto dgst = RunProcess({"/usr/bin/openssl", "dgst", "-sha256", "-r", (dir / "idinput").string()});
  ASSERT_EQ(dgst.exit_code, 0);
  char id_hex[9];
  std::snprintf(id_hex, sizeof id_hex, "%08x", signer->verifier().key_id());
  EXPECT_EQ(dgst.out.substr(0, 8), id_hex);
  // The signature's first four bytes are that key id, big-endian.
  std::string id_bytes;
  for (size_t i = 0; i < 8; i += 2) {
    id_bytes.push_back(static_cast<char>(std::stoul(dgst.out.substr(i, 2), nullptr, 16)));
  }
  EXPECT_EQ(blob->substr(0, 4), id_bytes);
}

TEST(NoteTest, LoadPemRefusesOtherKeysAndNonKeys) {
  TempDir dir;
  const std::string rsa = (dir / "rsa.key").string();
  ASSERT_EQ(RunProcess({"/usr/bin/openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-out", rsa})
                .exit_code,
            0);
  auto ec = Signer::LoadPem(rsa, "x.example/log");
  ASSERT_FALSE(ec.ok());
  EXPECT_NE(ec.status().message().find("not an Ed25519 key"), std::string::npos)
      << ec.status().message();
  Write(dir / "junk.key", "hello\n");
  auto junk = Signer::LoadPem(dir / "junk.key", "x.example/log");
  ASSERT_FALSE(junk.ok());
  EXPECT_NE(junk.status().message().find("not a PEM private key"), std::string::npos);
  auto missing = Signer::LoadPem(dir / "absent.key", "x.example/log");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("cannot read"), std::string::npos);
}

TEST(Base64Test, RoundTripAndCanonicalOnly) {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    EXPECT_EQ(Base64Decode(Base64Encode(s)), s);
  }
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Decode("Zm9="), std::nullopt);  // non-zero spare bits
  EXPECT_EQ(Base64Decode("Zm8"), std::nullopt);   // unpadded
  EXPECT_EQ(Base64Decode("Zm=8"), std::nullopt);
  EXPECT_EQ(Base64Decode("Zm-8"), std::nullopt);
  EXPECT_EQ(Base64Decode("===="), std::nullopt);
}

TEST(CheckpointTest, FormatAndParse) {
  checkpoint::Checkpoint c;
  c.origin = "registry.example/log";
  c.size = 20852163;
  c.root.fill(0xab);
  std::string text = checkpoint::Format(c);
  EXPECT_EQ(text, "registry.example/log\n20852163\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n");
  auto back = checkpoint::Parse(text);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, c);
  auto ext = checkpoint::Parse(text + "extension\n");
  ASSERT_TRUE(ext.ok());
  EXPECT_EQ(ext->extensions, std::vector<std::string>{"extension"});

  checkpoint::Checkpoint empty;
  empty.origin = "o";
  empty.size = 0;
  EXPECT_EQ(checkpoint::Format(empty).substr(0, 4), "o\n0\n");
}

TEST(CheckpointTest, MalformedTextsAreRefused) {
  const std::string root = "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n";
  for (const std::string& bad : std::vector<std::string>{
           "o\n5\n" + root.substr(0, root.size() - 1),  // no final newline
           "o\n5\n",                                    // two lines
           "\n5\n" + root,                              // empty origin
           "o\n05\n" + root,                            // leading zero
           "o\n-5\n" + root,                            // sign
           "o\n99999999999999999999\n" + root,          // above 2^64
           "o\n5\nq6ur\n",                              // short hash
           "o\n5\n" + root + "\n",                      // empty extension line
       }) {
    EXPECT_FALSE(checkpoint::Parse(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace medmij::note
