// The list builders: pure functions from (registry state, time) to the MedMij lists.
//
// A list document is built in two steps so that "did the content change?" can be answered
// without a Tijdstempel or Volgnummer in the way:
//   Derive(list, state, t)        -> the entries, already rendered as XML, and their digest;
//   Render(content, t, volgnummer) -> the full unsigned document.
// Output follows the reference release XSDs (schemas/reference/): XML declaration,
// default namespace on the root, 4-space indentation, "\n" line ends, text escaped. Entries are in
// a stable order (hostname / provider name / service id; system roles by code), so equal state
// gives byte-equal entries and an equal digest.
//
// No I/O, no clock. Safe for concurrent use (no shared state).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "registry/common/sha256.h"
#include "registry/common/status.h"
#include "registry/common/time.h"
#include "registry/domain/types.h"

namespace medmij::lists {

// The entries of one list at one instant.
struct ListContent {
  ListKind list = ListKind::kWhitelist;
  // The children of the entries element (MedMijNodes, OAuthclients, Zorgaanbieders,
  // Gegevensdiensten: Spec(list).entries), each line indented as in the final document and ended by
  // "\n". Empty when the list has no entries.
  std::string entries_xml;
  // Hex SHA-256 of entries_xml: what Volgnummer follows (equal content, equal digest).
  std::string digest;
  size_t entry_count = 0;
};

// The entries of `list` derived from `state` at `t`. Only participants in good standing at t
// (policy::EvaluateStanding) contribute:
//   Whitelist: every node of a participant in good standing;
//   OCL: every OAuth client of a DVP in good standing;
//   ZAL (release2 and release3), ZAKL: every provider whose DVA is a DVA in good standing, with
//        what policy::ListProvider publishes of it (only the data services that DVA is qualified
//        for; release3 and the ZAKL only those with an interface version; the ZAKL only
//        providers with an identifier). Release3 groups the data services by interface version
//        (versions in InterfaceVersionLess order, services by id within each); the ZAKL lists
//        identifiers by kind and each service's display name from the catalogue;
//   GNL: the whole catalogue.
ListContent Derive(ListKind list, const RegistryState& state, Time t);

// One entry each, appended to `out` exactly as Derive writes it (Derive is made of these), for
// the publisher's incremental derivation (registry/publisher/incremental.h). The caller decides
// good standing; the rest of Derive's rule is applied here:
//   Whitelist: the MedMijNode of `hostname`;
//   OCL: the OAuthclient of `client` (keyed `hostname`) when `dvp` has the DVP role (else false,
//        nothing appended);
//   provider lists: the Zorgaanbieder of `provider` in `list` when `dva` has the DVA role and
//        policy::ListProvider lists it (else false, nothing appended);
//   GNL: the Gegevensdienst `id`.
void AppendWhitelistEntry(std::string& out, std::string_view hostname);
bool AppendOclEntry(std::string& out, std::string_view hostname, const OAuthClient& client,
                    const Participant& dvp);
bool AppendProviderEntry(std::string& out, ListKind list, const Provider& provider,
                         const Participant& dva,
                         const std::map<std::string, DataService>& catalogue);
void AppendGnlEntry(std::string& out, std::string_view id, const DataService& service);

// The full unsigned document: declaration, root with its default namespace, Tijdstempel =
// FormatTijdstempel(tijdstempel) (whole seconds), Volgnummer, the entries element. REQUIRES:
// volgnummer >= 1.
std::string Render(const ListContent& content, Time tijdstempel, uint64_t volgnummer);

// Render() that takes over `content.entries_xml`'s buffer instead of copying it (left empty;
// the other fields are unchanged): a large list is then held once. Equal output.
std::string RenderTakingEntries(ListContent& content, Time tijdstempel, uint64_t volgnummer);

// Rewrites the Volgnummer of a document made by Render, in place (a publisher that lost a race
// renumbers without keeping the entries). kInternal when `document` has no Volgnummer.
Status SetVolgnummer(std::string& document, uint64_t volgnummer);

// Root element name and namespace of each list (Spec(list).root / .ns).
std::string_view RootElement(ListKind list);
std::string_view Namespace(ListKind list);

// What changed between two documents of the same list (signed or not). Entries are keyed by
// Spec(list).key: Hostname (Whitelist, OCL), Zorgaanbiedernaam (ZAL, ZAKL) or GegevensdienstId
// (GNL); an entry whose key is in both but whose content differs is "changed". Each vector is
// sorted by key.
struct ListDiff {
  ListKind list = ListKind::kWhitelist;
  uint64_t volgnummer_a = 0;
  uint64_t volgnummer_b = 0;
  std::vector<std::string> added;    // in b only
  std::vector<std::string> removed;  // in a only
  std::vector<std::string> changed;  // in both, different content
};
// kInvalidArgument naming the document ("A"/"B") and the reason when either is not well-formed,
// has a DOCTYPE, or is not a `list` document (root name or namespace).
Result<ListDiff> Diff(ListKind list, std::string_view xml_a, std::string_view xml_b);

// The keys (Spec(list).key, as for Diff) of the entries of a document of `list`, sorted.
// kInvalidArgument as for Diff ("list document: ...").
Result<std::vector<std::string>> EntryKeys(ListKind list, std::string_view xml);

}  // namespace medmij::lists
