#include "registry/lists/lists.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <map>
#include <memory>
#include <stdexcept>
#include <unordered_map>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "registry/domain/policy.h"

namespace medmij::lists {
namespace {

// Capacity left after a rendered document for the enveloped signature the publisher inserts in
// place (SignedInfo, SignatureValue and a certificate chain: a few KB).
constexpr size_t kSignatureRoom = 16 * 1024;

constexpr std::string_view kSpaces =
    "                                                                ";

// Appends XML-escaped text. Element content only: quotes need no escaping there.
void AppendEscaped(std::string& out, std::string_view text) {
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    std::string_view rep;
    switch (text[i]) {
      case '&':
        rep = "&amp;";
        break;
      case '<':
        rep = "&lt;";
        break;
      case '>':
        rep = "&gt;";
        break;
      default:
        continue;
    }
    out.append(text.substr(start, i - start));
    out.append(rep);
    start = i + 1;
  }
  out.append(text.substr(start));
}

void Indent(std::string& out, size_t depth) {
  out.append(kSpaces.substr(0, depth * 4));
}

// <name>
void Open(std::string& out, size_t depth, std::string_view name) {
  Indent(out, depth);
  out += '<';
  out.append(name);
  out.append(">\n");
}

// </name>
void Close(std::string& out, size_t depth, std::string_view name) {
  Indent(out, depth);
  out.append("</");
  out.append(name);
  out.append(">\n");
}

// <name>text</name>
void Leaf(std::string& out, size_t depth, std::string_view name, std::string_view text) {
  Indent(out, depth);
  out += '<';
  out.append(name);
  out += '>';
  AppendEscaped(out, text);
  out.append("</");
  out.append(name);
  out.append(">\n");
}

// Participants in good standing at t, by id. Evaluated once per participant, not per entry.
std::unordered_map<std::string_view, const Participant*> InGoodStanding(const RegistryState& state,
                                                                        Time t) {
  std::unordered_map<std::string_view, const Participant*> good;
  for (const auto& [id, p] : state.participants) {
    if (policy::EvaluateStanding(p, t).good) good.emplace(id, &p);
  }
  return good;
}

}  // namespace

void AppendWhitelistEntry(std::string& out, std::string_view hostname) {
  Open(out, 2, "MedMijNode");
  Leaf(out, 3, "Hostname", hostname);
  Close(out, 2, "MedMijNode");
}

bool AppendOclEntry(std::string& out, std::string_view hostname, const OAuthClient& client,
                    const Participant& dvp) {
  if (!dvp.HasRole(Role::kDvp)) return false;
  Open(out, 2, "OAuthclient");
  Leaf(out, 3, "Hostname", hostname);
  Leaf(out, 3, "OAuthclientOrganisatienaam", client.organisation_name);
  Close(out, 2, "OAuthclient");
  return true;
}

void AppendGnlEntry(std::string& out, std::string_view id, const DataService& service) {
  Open(out, 2, "Gegevensdienst");
  Leaf(out, 3, "GegevensdienstId", id);
  Leaf(out, 3, "Weergavenaam", service.display_name);
  Close(out, 2, "Gegevensdienst");
}

namespace {

void DeriveWhitelist(const RegistryState& state, Time t, ListContent& c) {
  auto good = InGoodStanding(state, t);
  c.entries_xml.reserve(state.nodes.size() * 96);
  for (const auto& [hostname, node] : state.nodes) {
    if (!good.contains(node.participant)) continue;
    AppendWhitelistEntry(c.entries_xml, hostname);
    ++c.entry_count;
  }
}

void DeriveOcl(const RegistryState& state, Time t, ListContent& c) {
  auto good = InGoodStanding(state, t);
  c.entries_xml.reserve(state.oauth_clients.size() * 192);
  for (const auto& [hostname, client] : state.oauth_clients) {
    auto it = good.find(client.participant);
    if (it == good.end() || !AppendOclEntry(c.entries_xml, hostname, client, *it->second)) {
      continue;
    }
    ++c.entry_count;
  }
}

// AuthorizationEndpoint, TokenEndpoint, [Abonneren,] Systeemrollen of one Gegevensdienst, at
// `depth` (the Gegevensdienst's children). Abonneren is in the ZAL release3 only.
void AppendServiceEndpoints(std::string& out, size_t depth, const ProviderService& s,
                            bool with_subscription) {
  Open(out, depth, "AuthorizationEndpoint");
  Leaf(out, depth + 1, "AuthorizationEndpointuri", s.authorization_uri);
  Close(out, depth, "AuthorizationEndpoint");
  Open(out, depth, "TokenEndpoint");
  Leaf(out, depth + 1, "TokenEndpointuri", s.token_uri);
  Close(out, depth, "TokenEndpoint");
  if (with_subscription && s.subscription) {
    Open(out, depth, "Abonneren");
    Leaf(out, depth + 1, "MaximaleDuur", std::to_string(s.subscription->max_days));
    Leaf(out, depth + 1, "SubscriptionEndpointuri", s.subscription->endpoint_uri);
    Close(out, depth, "Abonneren");
  }
  Open(out, depth, "Systeemrollen");
  std::vector<const SystemRole*> roles;
  roles.reserve(s.roles.size());
  for (const SystemRole& r : s.roles) roles.push_back(&r);
  std::stable_sort(roles.begin(), roles.end(),
                   [](const SystemRole* a, const SystemRole* b) { return a->code < b->code; });
  for (const SystemRole* r : roles) {
    Open(out, depth + 1, "Systeemrol");
    Leaf(out, depth + 2, "Systeemrolcode", r->code);
    Open(out, depth + 2, "ResourceEndpoint");
    Leaf(out, depth + 3, "ResourceEndpointuri", r->resource_uri);
    Close(out, depth + 2, "ResourceEndpoint");
    Close(out, depth + 1, "Systeemrol");
  }
  Close(out, depth, "Systeemrollen");
}

// The interface versions of `services`, each once, in InterfaceVersionLess order.
std::vector<std::string_view> InterfaceVersions(
    const std::vector<const ProviderService*>& services) {
  std::vector<std::string_view> out;
  for (const ProviderService* s : services) {
    out.insert(out.end(), s->interface_versions.begin(), s->interface_versions.end());
  }
  std::sort(out.begin(), out.end(), InterfaceVersionLess);
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool Offers(const ProviderService& s, std::string_view version) {
  return std::find(s.interface_versions.begin(), s.interface_versions.end(), version) !=
         s.interface_versions.end();
}

// One Zorgaanbieder of the ZAL release2: its data services with their endpoints.
void AppendZalEntry(std::string& out, const Provider& provider,
                    const std::vector<const ProviderService*>& services) {
  Open(out, 2, "Zorgaanbieder");
  Leaf(out, 3, "Zorgaanbiedernaam", provider.name);
  Open(out, 3, "Gegevensdiensten");
  for (const ProviderService* s : services) {
    Open(out, 4, "Gegevensdienst");
    Leaf(out, 5, "GegevensdienstId", s->service_id);
    AppendServiceEndpoints(out, 5, *s, /*with_subscription=*/false);
    Close(out, 4, "Gegevensdienst");
  }
  Close(out, 3, "Gegevensdiensten");
  Close(out, 2, "Zorgaanbieder");
}

// One Zorgaanbieder of the ZAL release3: its Aanbiedertype, then per interface version the data
// services that offer it, with their endpoints and subscription.
void AppendZal3Entry(std::string& out, const Provider& provider,
                     const std::vector<const ProviderService*>& services) {
  Open(out, 2, "Zorgaanbieder");
  Leaf(out, 3, "Zorgaanbiedernaam", provider.name);
  Leaf(out, 3, "Aanbiedertype", ToString(provider.type));
  Open(out, 3, "Interfaceversies");
  for (std::string_view version : InterfaceVersions(services)) {
    Open(out, 4, "Interfaceversie");
    Leaf(out, 5, "InterfaceversieId", version);
    Open(out, 5, "Gegevensdiensten");
    for (const ProviderService* s : services) {
      if (!Offers(*s, version)) continue;
      Open(out, 6, "Gegevensdienst");
      Leaf(out, 7, "GegevensdienstId", s->service_id);
      AppendServiceEndpoints(out, 7, *s, /*with_subscription=*/true);
      Close(out, 6, "Gegevensdienst");
    }
    Close(out, 5, "Gegevensdiensten");
    Close(out, 4, "Interfaceversie");
  }
  Close(out, 3, "Interfaceversies");
  Close(out, 2, "Zorgaanbieder");
}

// One Zorgaanbieder of the ZAKL: its identifiers, then its data services with their display
// names (from the catalogue) and interface versions.
void AppendZaklEntry(std::string& out, const Provider& provider,
                     const std::vector<const ProviderService*>& services,
                     const std::map<std::string, DataService>& catalogue) {
  Open(out, 2, "Zorgaanbieder");
  Leaf(out, 3, "Zorgaanbiedernaam", provider.name);
  Open(out, 3, "IdentificerendeKenmerken");
  for (const auto& [kind, value] : provider.identifiers) {
    const IdentifierKind* k = FindIdentifierKind(kind);
    if (k == nullptr) continue;  // ListProvider counted only known kinds
    Open(out, 4, "IdentificerendKenmerk");
    Leaf(out, 5, k->element, value);
    Close(out, 4, "IdentificerendKenmerk");
  }
  Close(out, 3, "IdentificerendeKenmerken");
  Open(out, 3, "Gegevensdiensten");
  for (const ProviderService* s : services) {
    Open(out, 4, "Gegevensdienst");
    Leaf(out, 5, "GegevensdienstId", s->service_id);
    Leaf(out, 5, "Weergavenaam", catalogue.at(s->service_id).display_name);
    Open(out, 5, "Interfaceversies");
    for (std::string_view version : InterfaceVersions({s})) {
      Open(out, 6, "Interfaceversie");
      Leaf(out, 7, "InterfaceversieId", version);
      Close(out, 6, "Interfaceversie");
    }
    Close(out, 5, "Interfaceversies");
    Close(out, 4, "Gegevensdienst");
  }
  Close(out, 3, "Gegevensdiensten");
  Close(out, 2, "Zorgaanbieder");
}

}  // namespace

bool AppendProviderEntry(std::string& out, ListKind list, const Provider& provider,
                         const Participant& dva,
                         const std::map<std::string, DataService>& catalogue) {
  if (!dva.HasRole(Role::kDva)) return false;
  const policy::ProviderListing listing = policy::ListProvider(list, provider, dva, catalogue);
  if (!listing.listed) return false;
  switch (list) {
    case ListKind::kZorgaanbiederslijstRelease3:
      AppendZal3Entry(out, provider, listing.services);
      break;
    case ListKind::kZorgaanbiederskoppellijst:
      AppendZaklEntry(out, provider, listing.services, catalogue);
      break;
    default:
      AppendZalEntry(out, provider, listing.services);
      break;
  }
  return true;
}

namespace {

// A provider list (policy::IsProviderList): every provider whose DVA is a DVA in good standing,
// as policy::ListProvider decides. Each entry depends on the provider, its DVA and the catalogue
// only, so an entry can be rendered (and cached) on its own.
void DeriveProviders(ListKind list, const RegistryState& state, Time t, ListContent& c) {
  auto good = InGoodStanding(state, t);
  std::string& out = c.entries_xml;
  // A provider with one service and one role takes about 1 KB, with two about 2 KB (release3
  // and the ZAKL about as much). Reserving generously avoids regrowth (a copy) of a string that
  // reaches 150 MB; capacity never written costs address space only (large blocks are mmapped,
  // untouched pages are not resident), and the slack later holds the document head and the
  // signature (RenderTakingEntries).
  out.reserve(state.providers.size() * 2048 + kSignatureRoom);
  for (const auto& [name, provider] : state.providers) {
    auto it = good.find(provider.dva);
    if (it == good.end() ||
        !AppendProviderEntry(out, list, provider, *it->second, state.services)) {
      continue;
    }
    ++c.entry_count;
  }
}

void DeriveGnl(const RegistryState& state, ListContent& c) {
  c.entries_xml.reserve(state.services.size() * 192);
  for (const auto& [id, service] : state.services) {
    AppendGnlEntry(c.entries_xml, id, service);
    ++c.entry_count;
  }
}

std::string_view EntriesElement(ListKind list) {
  return Spec(list).entries;
}

std::string_view KeyElement(ListKind list) {
  return Spec(list).key;
}

// ---- Diff: libxml2, parsed as untrusted input -------------------------------------------------

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocFree>;

std::string_view Name(const xmlNode* n) {
  return reinterpret_cast<const char*>(n->name);
}

bool InNamespace(const xmlNode* n, std::string_view ns) {
  return n->ns != nullptr && n->ns->href != nullptr &&
         std::string_view(reinterpret_cast<const char*>(n->ns->href)) == ns;
}

const xmlNode* FirstChildElement(const xmlNode* parent, std::string_view name) {
  for (const xmlNode* n = parent->children; n != nullptr; n = n->next) {
    if (n->type == XML_ELEMENT_NODE && Name(n) == name) return n;
  }
  return nullptr;
}

std::string TextOf(const xmlNode* n) {
  xmlChar* s = xmlNodeGetContent(n);
  std::string out = s != nullptr ? reinterpret_cast<const char*>(s) : "";
  xmlFree(s);
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\n' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\n' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// A form of an entry that ignores indentation: element names and trimmed text, nested.
void Canonical(const xmlNode* n, std::string& out) {
  for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) {
      out.append(Name(c));
      out += '(';
      Canonical(c, out);
      out += ')';
    } else if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      out.append(Trim(reinterpret_cast<const char*>(c->content)));
    }
  }
}

struct ParsedList {
  uint64_t volgnummer = 0;
  std::map<std::string, std::string> entries;  // key -> canonical content
};

Result<ParsedList> ParseList(ListKind list, std::string_view xml, std::string_view label) {
  auto bad = [&](std::string why) {
    return Status::Invalid("list " + std::string(label) + ": " + why);
  };
  if (xml.size() > static_cast<size_t>(INT_MAX)) return bad("document too large");
  // NONET and no DTD loading or entity substitution: nothing outside the bytes is read.
  DocPtr doc(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "list.xml", nullptr,
                           XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (!doc) {
    const xmlError* e = xmlGetLastError();
    std::string msg(e != nullptr && e->message != nullptr ? Trim(e->message) : "parse error");
    return bad("not well-formed XML (" + msg + ")");
  }
  if (doc->intSubset != nullptr || doc->extSubset != nullptr) return bad("DOCTYPE not allowed");
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr || Name(root) != RootElement(list) || !InNamespace(root, Namespace(list))) {
    return bad("root is not " + std::string(RootElement(list)) + " in namespace " +
               std::string(Namespace(list)));
  }
  ParsedList parsed;
  if (const xmlNode* v = FirstChildElement(root, "Volgnummer")) {
    std::string text = TextOf(v);
    std::string_view t = Trim(text);
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), parsed.volgnummer);
    if (ec != std::errc() || p != t.data() + t.size()) return bad("Volgnummer is not a number");
  } else {
    return bad("no Volgnummer");
  }
  const xmlNode* entries = FirstChildElement(root, EntriesElement(list));
  if (entries == nullptr) return bad("no " + std::string(EntriesElement(list)) + " element");
  for (const xmlNode* e = entries->children; e != nullptr; e = e->next) {
    if (e->type != XML_ELEMENT_NODE) continue;
    const xmlNode* key = FirstChildElement(e, KeyElement(list));
    if (key == nullptr) {
      return bad("an entry has no " + std::string(KeyElement(list)) + " (line " +
                 std::to_string(e->line) + ")");
    }
    std::string k(Trim(TextOf(key)));
    std::string content;
    Canonical(e, content);
    if (!parsed.entries.emplace(std::move(k), std::move(content)).second) {
      return bad("duplicate entry key (line " + std::to_string(key->line) + ")");
    }
  }
  return parsed;
}

}  // namespace

std::string_view RootElement(ListKind list) {
  return Spec(list).root;
}

std::string_view Namespace(ListKind list) {
  return Spec(list).ns;
}

ListContent Derive(ListKind list, const RegistryState& state, Time t) {
  ListContent c;
  c.list = list;
  switch (list) {
    case ListKind::kWhitelist:
      DeriveWhitelist(state, t, c);
      break;
    case ListKind::kOAuthClientList:
      DeriveOcl(state, t, c);
      break;
    case ListKind::kZorgaanbiederslijst:
    case ListKind::kZorgaanbiederslijstRelease3:
    case ListKind::kZorgaanbiederskoppellijst:
      DeriveProviders(list, state, t, c);
      break;
    case ListKind::kGegevensdienstnamenlijst:
      DeriveGnl(state, c);
      break;
  }
  // No shrink_to_fit: it would copy the entries, and the slack is wanted (see DeriveProviders).
  c.digest = Sha256Hex(c.entries_xml);
  return c;
}

namespace {

// Everything before the entries: declaration, root start tag, Tijdstempel, Volgnummer, and the
// entries element's start tag (or its empty-element tag when there are no entries).
std::string Head(ListKind list, bool empty, Time tijdstempel, uint64_t volgnummer) {
  std::string out;
  out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<");
  out.append(RootElement(list));
  out.append(" xmlns=\"");
  out.append(Namespace(list));
  out.append("\">\n");
  Leaf(out, 1, "Tijdstempel", FormatTijdstempel(tijdstempel));
  Leaf(out, 1, "Volgnummer", std::to_string(volgnummer));
  if (empty) {
    Indent(out, 1);
    out += '<';
    out.append(EntriesElement(list));
    out.append("/>\n");
  } else {
    Open(out, 1, EntriesElement(list));
  }
  return out;
}

// Everything after the entries.
std::string Tail(ListKind list, bool empty) {
  std::string out;
  if (!empty) Close(out, 1, EntriesElement(list));
  out.append("</");
  out.append(RootElement(list));
  out.append(">\n");
  return out;
}

}  // namespace

std::string Render(const ListContent& content, Time tijdstempel, uint64_t volgnummer) {
  const bool empty = content.entries_xml.empty();
  std::string head = Head(content.list, empty, tijdstempel, volgnummer);
  std::string tail = Tail(content.list, empty);
  std::string out;
  out.reserve(head.size() + content.entries_xml.size() + tail.size() + kSignatureRoom);
  out.append(head);
  out.append(content.entries_xml);
  out.append(tail);
  return out;
}

std::string RenderTakingEntries(ListContent& content, Time tijdstempel, uint64_t volgnummer) {
  const bool empty = content.entries_xml.empty();
  std::string head = Head(content.list, empty, tijdstempel, volgnummer);
  std::string tail = Tail(content.list, empty);
  std::string out = std::move(content.entries_xml);
  content.entries_xml = std::string();
  // A no-op when Derive left room; otherwise one reallocation.
  out.reserve(head.size() + out.size() + tail.size() + kSignatureRoom);
  out.insert(0, head);  // in place: moves the entries up within the buffer
  out.append(tail);
  return out;
}

Status SetVolgnummer(std::string& document, uint64_t volgnummer) {
  constexpr std::string_view kOpen = "\n    <Volgnummer>";
  size_t start = document.find(kOpen);
  size_t end = start == std::string::npos ? start : document.find('<', start + kOpen.size());
  if (end == std::string::npos) return Status::Internal("SetVolgnummer: no Volgnummer element");
  start += kOpen.size();
  document.replace(start, end - start, std::to_string(volgnummer));
  return Status::Ok();
}

Result<ListDiff> Diff(ListKind list, std::string_view xml_a, std::string_view xml_b) {
  MEDMIJ_ASSIGN_OR_RETURN(ParsedList a, ParseList(list, xml_a, "A"));
  MEDMIJ_ASSIGN_OR_RETURN(ParsedList b, ParseList(list, xml_b, "B"));
  ListDiff d;
  d.list = list;
  d.volgnummer_a = a.volgnummer;
  d.volgnummer_b = b.volgnummer;
  // Both maps are ordered by key: one merge pass.
  auto ia = a.entries.begin();
  auto ib = b.entries.begin();
  while (ia != a.entries.end() || ib != b.entries.end()) {
    if (ib == b.entries.end() || (ia != a.entries.end() && ia->first < ib->first)) {
      d.removed.push_back(ia->first);
      ++ia;
    } else if (ia == a.entries.end() || ib->first < ia->first) {
      d.added.push_back(ib->first);
      ++ib;
    } else {
      if (ia->second != ib->second) d.changed.push_back(ia->first);
      ++ia;
      ++ib;
    }
  }
  return d;
}

Result<std::vector<std::string>> EntryKeys(ListKind list, std::string_view xml) {
  MEDMIJ_ASSIGN_OR_RETURN(ParsedList parsed, ParseList(list, xml, "document"));
  std::vector<std::string> keys;
  keys.reserve(parsed.entries.size());
  for (auto& [key, content] : parsed.entries) keys.push_back(key);
  return keys;
}

}  // namespace medmij::lists
