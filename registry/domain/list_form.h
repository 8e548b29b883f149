// The two forms of a published list (DESIGN.md, Lists), and where each is published.
//
//   strict: valid against the official release XSD unchanged. Every existing consumer library
//           validates what it fetches against that XSD, which admits no signature, so this is
//           what the official names serve by default.
//   signed: the same bytes with the enveloped ds:Signature the signer inserted; removing it
//           gives the strict form byte for byte. Verifying nodes use this form.
//
// `[publish] default_form` chooses the form of the official names (/MedMij_*.xml and the
// export dir's top-level files): "strict" until the foundation publishes a schema that admits
// the signature. The signed form is always also at /signed/MedMij_*.xml (export dir: signed/).
// Pure; no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "registry/domain/types.h"

namespace medmij {

enum class ListForm { kStrict, kSigned };

std::string_view ToString(ListForm form);  // "strict" | "signed"
std::optional<ListForm> ParseListForm(std::string_view text);

// The path of the signed form, "/signed/MedMij_Whitelist.xml".
std::string SignedListPath(ListKind list);
// The official path, "/MedMij_Whitelist.xml" (serving `default_form`).
std::string OfficialListPath(ListKind list);

// The request target that names `form` of `list` without relying on a default: the signed
// form is "/signed/<name>"; the strict form is "/<name>" when it is the default form, else
// "/<name>?signed=false".
std::string CanonicalListTarget(ListKind list, ListForm form, ListForm default_form);

// The Link header value of a response serving `served` of `list`: the other form,
// `</signed/MedMij_Whitelist.xml>; rel="alternate"`.
std::string AlternateListLink(ListKind list, ListForm served, ListForm default_form);

// The export dir holds the official names' form at its top level ("MedMij_Whitelist.xml") and
// the signed form in this subdirectory ("signed/MedMij_Whitelist.xml"), so that a web server
// serving the directory answers the same paths as the service.
inline constexpr std::string_view kSignedExportSubdir = "signed";

}  // namespace medmij
