// medmij-sign: signs a list file the way the publisher does (development, demos, benchmarks;
// the service signs in-process).
//
//   medmij-sign --key K --cert C [--chain CH] [--list whitelist|...] IN [-o OUT]
//
// With --list the document is validated against the project's XSD on the same parse first.
// Exit 0 signed; 1 refused (one line on stderr); 2 bad usage.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "registry/common/time.h"
#include "registry/common/version.h"
#include "registry/domain/types.h"
#include "signer/signer.h"

int main(int argc, char** argv) {
  CLI::App app{"Signs a MedMij list (enveloped XML signature).", "medmij-sign"};
  std::string key, cert, chain, list, in, out;
  app.add_option("--key", key, "PEM private key (RSA or EC)")->required()->check(CLI::ExistingFile);
  app.add_option("--cert", cert, "PEM signing certificate")->required()->check(CLI::ExistingFile);
  app.add_option("--chain", chain, "PEM intermediates")->check(CLI::ExistingFile);
  app.add_option("--list", list, "validate as this list first (whitelist, oauthclientlist, ...)");
  app.add_option("file", in, "unsigned list")->required()->check(CLI::ExistingFile);
  app.add_option("-o,--output", out, "signed list (default: stdout)");
  app.set_version_flag("--version", medmij::VersionLine("medmij-sign"));
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "medmij-sign: " << e.what() << "\n";
    return 2;
  }
  std::optional<medmij::ListKind> kind;
  if (!list.empty()) {
    kind = medmij::ParseListKind(list);
    if (!kind) {
      std::cerr << "medmij-sign: --list: unknown list " << list << "\n";
      return 2;
    }
  }
  auto libs = medmij::signer::Libraries::Init();
  if (!libs.ok()) {
    std::cerr << "medmij-sign: " << libs.status().message() << "\n";
    return 1;
  }
  auto signer = medmij::signer::Signer::Load(key, cert, chain, medmij::WallClockNow());
  if (!signer.ok()) {
    std::cerr << "medmij-sign: " << signer.status().message() << "\n";
    return 1;
  }
  std::string doc;
  {
    std::ifstream f(in, std::ios::binary | std::ios::ate);
    if (f) {
      doc.resize(static_cast<size_t>(f.tellg()));
      f.seekg(0);
      f.read(doc.data(), static_cast<std::streamsize>(doc.size()));
    }
    if (!f) {
      std::cerr << "medmij-sign: " << in << ": cannot read\n";
      return 1;
    }
  }
  medmij::Result<std::string> signed_xml = std::string();
  if (kind) {
    auto schemas = medmij::signer::SchemaSet::Load();
    if (!schemas.ok()) {
      std::cerr << "medmij-sign: " << schemas.status().message() << "\n";
      return 1;
    }
    signed_xml = (*signer)->SignValidated(doc, *kind, **schemas);
  } else {
    signed_xml = (*signer)->Sign(doc);
  }
  if (!signed_xml.ok()) {
    std::cerr << "medmij-sign: " << in << ": " << signed_xml.status().message() << "\n";
    return 1;
  }
  if (out.empty()) {
    std::cout << *signed_xml;
    return std::cout ? 0 : 1;
  }
  std::ofstream o(out, std::ios::binary | std::ios::trunc);
  o << *signed_xml;
  o.close();
  if (!o) {
    std::cerr << "medmij-sign: " << out << ": cannot write\n";
    return 1;
  }
  return 0;
}
