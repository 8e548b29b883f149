// Field validation against the MedMij value patterns (schemas/reference/*.xsd) and the
// registry's own domain rules. Each function returns ok() or kInvalidArgument with one line that
// names `field` and the rule, e.g. "--kvk: must be exactly 8 digits, got '1234'".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "registry/common/status.h"

namespace medmij {

Status ValidateParticipantId(std::string_view v, std::string_view field);  // [a-z0-9-]{3,40}
Status ValidateLegalName(std::string_view v, std::string_view field);      // 1-200, no controls
Status ValidateKvk(std::string_view v, std::string_view field);            // exactly 8 digits
Status ValidateEmail(std::string_view v, std::string_view field);          // local@domain.tld
// Whitelist/OCL Hostname: (([a-z0-9])([a-z0-9-])*(\.))+([a-z0-9])([a-z0-9-])*([a-z0-9]),
// at most 253 characters, labels at most 63. Upper case is refused, not folded.
Status ValidateHostname(std::string_view v, std::string_view field);
Status ValidateOrganisationName(std::string_view v, std::string_view field);  // 3-50
Status ValidateServiceId(std::string_view v, std::string_view field);         // 1-30
Status ValidateDisplayName(std::string_view v, std::string_view field);       // 3-50
Status ValidateProviderName(std::string_view v, std::string_view field);    // [a-z]+@medmij, 10-57
Status ValidateSystemRoleCode(std::string_view v, std::string_view field);  // 1-30
// Frontchanneluri: https://host(/segment)* with no port, query or fragment.
Status ValidateFrontChannelUri(std::string_view v, std::string_view field);
// Backchanneluri: https://host[:port](/segment)* with port 1-65535, no query or fragment.
Status ValidateBackChannelUri(std::string_view v, std::string_view field);
// A provider identifier (kIdentifierKinds): agb, ura and kvk exactly 8 digits, oin exactly 20
// digits, hrn 1-30 letters and digits. Messages name "<field>.<kind>" ("identifiers.agb: ...");
// an unknown kind names `field` and lists the kinds.
Status ValidateIdentifier(std::string_view kind, std::string_view value, std::string_view field);
// InterfaceversieId: 1-30 characters of letters, digits, '.' and '-', beginning and ending with a
// letter or digit ("1.4.0").
Status ValidateInterfaceVersion(std::string_view v, std::string_view field);
// MaximaleDuur of a subscription, in days: 1-3650 (ten years).
Status ValidateSubscriptionDays(int64_t days, std::string_view field);
Status ValidateOperator(std::string_view v, std::string_view field);  // 1-64, printable
// Reasons and findings: like ValidateSingleLineText, but may span lines ("\n"; no other line
// break), 1-2000 characters, and may start or end with white space.
Status ValidateReason(std::string_view v, std::string_view field);
// The rule for every single-line text field (names, numbers, bodies, ids, codes): min-max
// characters (not bytes) of valid UTF-8, no line breaks (LF, CR, NEL, U+2028, U+2029), no other
// control characters (C0, DEL, C1), no Unicode format characters (IsFormatCharacter in
// registry/common/text.h: bidi controls U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C,
// zero-width characters, U+FEFF, ...), none of U+FFFE/U+FFFF, not blank, no white space at either
// end. The message names `field`, the rule and the offending code point ("U+202E").
Status ValidateSingleLineText(std::string_view v, std::string_view field, size_t min, size_t max);

// The host of a front- or back-channel URI that passed validation ("https://a.b:8443/x" ->
// "a.b").
std::string UriHost(std::string_view uri);

}  // namespace medmij
