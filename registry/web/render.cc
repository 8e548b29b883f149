#include "registry/web/render.h"

#include <kainjow/mustache.hpp>

#include <stdexcept>

#include "registry/web/embedded.h"

namespace medmij::web {
namespace {

using kainjow::mustache::data;
using kainjow::mustache::mustache;
using kainjow::mustache::partial;

std::string Template(std::string_view name) {
  auto text = EmbeddedWebFile("templates/" + std::string(name) + ".mustache");
  // The embedded table is fixed at build time: a missing template is a build defect.
  if (!text) throw std::logic_error("template not embedded: " + std::string(name));
  return std::string(*text);
}

std::string_view RoleName(Role r) {
  return r == Role::kDvp ? "DVP (PGO)" : "DVA";
}

std::string Roles(const PublicParticipant& p) {
  std::string out;
  for (Role r : p.roles) {
    if (!out.empty()) out += ", ";
    out += RoleName(r);
  }
  return out;
}

std::string_view StatusName(Lifecycle s) {
  switch (s) {
    case Lifecycle::kCandidate:
      return "kandidaat";
    case Lifecycle::kActive:
      return "actief";
    case Lifecycle::kSuspended:
      return "geschorst";
    case Lifecycle::kTerminated:
      return "beëindigd";
  }
  return "";
}

// The overview's "Staat" column: why a participant is not on the lists, without reasons.
std::string_view InactiveState(const PublicParticipant& p) {
  if (p.status == Lifecycle::kActive) return "niet in goede staat";
  return StatusName(p.status);
}

std::string_view EventName(PublicEventKind k) {
  switch (k) {
    case PublicEventKind::kLabelGranted:
      return "MedMij-label verleend";
    case PublicEventKind::kLabelWithdrawn:
      return "MedMij-label ingetrokken";
    case PublicEventKind::kActivated:
      return "Geactiveerd (deelnemersovereenkomst)";
    case PublicEventKind::kSuspended:
      return "Geschorst";
    case PublicEventKind::kReinstated:
      return "Heropgenomen na schorsing";
    case PublicEventKind::kTerminated:
      return "Beëindigd (uitgesloten)";
  }
  return "";
}

std::string_view ListTitle(ListKind k) {
  switch (k) {
    case ListKind::kWhitelist:
      return "Whitelist";
    case ListKind::kOAuthClientList:
      return "OAuth Client List";
    case ListKind::kZorgaanbiederslijst:
      return "Zorgaanbiederslijst";
    case ListKind::kGegevensdienstnamenlijst:
      return "Gegevensdienstnamenlijst";
    case ListKind::kZorgaanbiederslijstRelease3:
      return "Zorgaanbiederslijst (release 3)";
    case ListKind::kZorgaanbiederskoppellijst:
      return "Zorgaanbiederskoppellijst";
  }
  return "";
}

std::string Joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& s : parts) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

// The latest Tijdstempel among the published lists ("" without any): the footer's "as of", so
// that a page changes only when what it shows changes.
std::string AsOf(const RegisterView& view) {
  std::string latest;
  for (const PublishedList& l : view.lists) latest = std::max(latest, l.tijdstempel);
  return latest;
}

// The layout partials and the page title: the context every page template renders in.
data PageContext(const RegisterView& view, std::string_view title) {
  data d;
  d.set("title", std::string(title));
  d.set("head", partial([] { return Template("head"); }));
  d.set("foot", partial([] { return Template("foot"); }));
  const std::string as_of = AsOf(view);
  if (!as_of.empty()) d.set("as_of", as_of);
  return d;
}

std::string Render(std::string_view template_name, const data& d) {
  mustache tmpl{Template(template_name)};
  if (!tmpl.is_valid()) {
    throw std::logic_error("template " + std::string(template_name) + ": " + tmpl.error_message());
  }
  std::string out = tmpl.render(d);
  if (!tmpl.error_message().empty()) {
    throw std::logic_error("template " + std::string(template_name) + ": " + tmpl.error_message());
  }
  return out;
}

data Flag(bool b) {
  return b ? data(data::type::bool_true) : data(data::type::bool_false);
}

std::string RenderParticipant(const RegisterView& view, const PublicParticipant& p) {
  data d = PageContext(view, p.legal_name);
  d.set("id", p.id);
  d.set("name", p.legal_name);
  d.set("roles", Roles(p));
  d.set("status", std::string(StatusName(p.status)));
  d.set("standing", p.good_standing ? "ja" : "nee");
  std::string label = p.label_granted ? "verleend" : "niet verleend";
  if (p.label_granted && p.label_since) label += " sinds " + FormatDate(*p.label_since);
  d.set("label", label);
  std::vector<std::string> lists;
  for (ListKind k : p.on_lists) lists.emplace_back(ListTitle(k));
  d.set("has_lists", Flag(!lists.empty()));
  d.set("lists", Joined(lists));
  d.set("is_dva", Flag(p.roles.count(Role::kDva) != 0));
  d.set("is_dvp", Flag(p.roles.count(Role::kDvp) != 0));
  if (!p.qualified_services.empty()) d.set("services", Joined(p.qualified_services));
  data nodes{data::type::list};
  for (const std::string& n : p.nodes) nodes.push_back(data(n));
  d.set("has_nodes", Flag(!p.nodes.empty()));
  d.set("nodes", nodes);
  data clients{data::type::list};
  for (const PublicOAuthClient& c : p.oauth_clients) {
    data row;
    row.set("hostname", c.hostname);
    row.set("organisation", c.organisation_name);
    clients.push_back(row);
  }
  d.set("has_clients", Flag(!p.oauth_clients.empty()));
  d.set("clients", clients);
  data providers{data::type::list};
  for (const PublicProvider& pr : p.providers) {
    data row;
    row.set("name", pr.name);
    row.set("services", Joined(pr.services));
    providers.push_back(row);
  }
  d.set("has_providers", Flag(!p.providers.empty()));
  d.set("providers", providers);
  data history{data::type::list};
  for (const PublicEvent& e : p.history) {
    data row;
    row.set("date", FormatDate(e.at));
    row.set("what", std::string(EventName(e.kind)));
    history.push_back(row);
  }
  d.set("has_history", Flag(!p.history.empty()));
  d.set("history", history);
  return Render("participant", d);
}

std::string RenderLists(const RegisterView& view) {
  data d = PageContext(view, "Lijsten");
  data lists{data::type::list};
  for (const PublishedList& l : view.lists) {
    data row;
    row.set("title", std::string(ListTitle(l.list)));
    row.set("name", std::string(Spec(l.list).name));
    row.set("file", std::string(Spec(l.list).file_name));
    row.set("volgnummer", std::to_string(l.volgnummer));
    row.set("tijdstempel", l.tijdstempel);
    row.set("signed_size", std::to_string(l.signed_size));
    row.set("signed_sha256", l.signed_sha256);
    lists.push_back(row);
  }
  d.set("has_lists", Flag(!view.lists.empty()));
  d.set("lists", lists);
  if (!view.trust_anchor_sha256.empty()) d.set("trust_anchor", view.trust_anchor_sha256);
  return Render("lists", d);
}

}  // namespace

std::string RenderOverview(const RegisterView& view, const Search& search) {
  data d = PageContext(view, "Deelnemers");
  d.set("query", search.text);
  d.set("role_any", Flag(!search.role));
  d.set("role_dvp", Flag(search.role == Role::kDvp));
  d.set("role_dva", Flag(search.role == Role::kDva));
  data active{data::type::list}, inactive{data::type::list};
  size_t n_active = 0, n_inactive = 0;
  for (const PublicParticipant& p : view.participants) {
    if (!search.Matches(p)) continue;
    data row;
    row.set("id", p.id);
    row.set("name", p.legal_name);
    row.set("roles", Roles(p));
    if (p.good_standing) {
      if (p.label_since) row.set("label_since", FormatDate(*p.label_since));
      row.set("is_dva", Flag(p.roles.count(Role::kDva) != 0));
      row.set("services",
              p.qualified_services.empty() ? std::string("–") : Joined(p.qualified_services));
      row.set("provider_count", std::to_string(p.providers.size()));
      active.push_back(row);
      ++n_active;
    } else {
      row.set("state", std::string(InactiveState(p)));
      if (p.left_lists_at) row.set("left_at", FormatDate(*p.left_lists_at));
      inactive.push_back(row);
      ++n_inactive;
    }
  }
  d.set("active", active);
  d.set("has_active", Flag(n_active != 0));
  d.set("inactive", inactive);
  d.set("has_inactive", Flag(n_inactive != 0));
  d.set("searching", Flag(!search.empty()));
  d.set("match_count", std::to_string(n_active + n_inactive));
  return Render("overview", d);
}

RenderedSite RenderSite(const RegisterView& view) {
  RenderedSite site;
  site.overview = RenderOverview(view, Search{});
  site.lists = RenderLists(view);
  site.not_found = Render("not_found", PageContext(view, "Niet gevonden"));
  for (const PublicParticipant& p : view.participants) {
    site.participants[p.id] = RenderParticipant(view, p);
  }
  return site;
}

const std::vector<StaticAsset>& StaticAssets() {
  static const std::vector<StaticAsset> kAssets = {
      {"/static/register.css", "text/css; charset=utf-8",
       EmbeddedWebFile("static/register.css").value()},
  };
  return kAssets;
}

}  // namespace medmij::web
