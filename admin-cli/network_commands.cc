// node add|remove|list, oauth-client add|remove|transfer|list, service add|list,
// provider add|set|remove|show|list|transfer, provider service add|set|remove
#include <iostream>

#include "admin-cli/commands.h"
#include "registry/domain/json.h"
#include "registry/domain/policy.h"

namespace medmij::cli {
namespace {

using nlohmann::json;

// Runs `fn` with a read transaction, reporting failures to open it.
int WithRead(Context& ctx, const std::function<int(const store::Reader&)>& fn) {
  auto txn = ctx.BeginRead();
  if (!txn.ok()) return ctx.Fail(txn.status());
  return fn(**txn);
}

void PrintProvider(const Provider& p) {
  std::cout << "name:        " << Shown(p.name) << "\n"
            << "dva:         " << Shown(p.dva) << "\n"
            << "type:        " << ToString(p.type) << "\n";
  for (const auto& [kind, value] : p.identifiers) {
    std::cout << "identifier:  " << Shown(kind) << " " << Shown(value) << "\n";
  }
  for (const auto& [id, s] : p.services) {
    std::cout << "service " << Shown(id) << ":\n"
              << "  authorization: " << Shown(s.authorization_uri) << "\n"
              << "  token:         " << Shown(s.token_uri) << "\n";
    for (const auto& r : s.roles)
      std::cout << "  role " << Shown(r.code) << ": " << Shown(r.resource_uri) << "\n";
    std::cout << "  interface versions:";
    if (s.interface_versions.empty()) std::cout << " - (ZAL release2 only)";
    for (const auto& v : s.interface_versions) std::cout << " " << Shown(v);
    std::cout << "\n";
    if (s.subscription) {
      std::cout << "  subscription:  " << Shown(s.subscription->endpoint_uri) << ", at most "
                << s.subscription->max_days << " days\n";
    }
  }
}

// "KIND=VALUE" options into `out`; an empty VALUE only where `allow_empty` (removal).
Status ParseIdentifiers(const std::vector<std::string>& args, bool allow_empty,
                        std::map<std::string, std::string>& out) {
  for (const auto& kv : args) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0 || (!allow_empty && eq + 1 == kv.size())) {
      return Status::Invalid("--identifier: expected KIND=VALUE, got '" + kv + "'");
    }
    std::string kind = kv.substr(0, eq);
    if (out.count(kind) != 0) {
      return Status::Invalid("--identifier: " + kind + " is given more than once");
    }
    out[kind] = kv.substr(eq + 1);
  }
  return Status::Ok();
}

}  // namespace

void AddNetworkCommands(CLI::App& app, Context& ctx, Action& action) {
  {
    auto* group = app.add_subcommand("node", "whitelist nodes");
    group->require_subcommand(1);
    auto id = std::make_shared<std::string>();
    auto host = std::make_shared<std::string>();
    auto* add = group->add_subcommand("add", "add a whitelist node");
    add->add_option("ID", *id)->required();
    add->add_option("HOSTNAME", *host)->required();
    OnRun(add, action, [&ctx, id, host] {
      return ctx.Mutate(
          "node add", "node:" + *host, "",
          [&](store::WriteTxn& t, json&) { return ops::AddNode(t, ctx.actor(), *id, *host); },
          "node " + *host + " added to " + *id);
    });
    auto* remove = group->add_subcommand("remove", "remove a whitelist node");
    remove->add_option("ID", *id)->required();
    remove->add_option("HOSTNAME", *host)->required();
    OnRun(remove, action, [&ctx, id, host] {
      return ctx.Mutate(
          "node remove", "node:" + *host, "",
          [&](store::WriteTxn& t, json&) { return ops::RemoveNode(t, ctx.actor(), *id, *host); },
          "node " + *host + " removed from " + *id);
    });
    auto* list = group->add_subcommand("list", "list a participant's nodes");
    list->add_option("ID", *id)->required();
    OnRun(list, action, [&ctx, id] {
      return WithRead(ctx, [&](const store::Reader& r) {
        auto p = ops::FindParticipant(r, *id);
        if (!p.ok()) return ctx.Fail(p.status());
        MEDMIJ_ASSIGN_OR_FAIL(ctx, const auto nodes, r.NodesOf(*id));
        return ctx.Print(json(nodes), [&] {
          for (const auto& n : nodes) std::cout << Shown(n.hostname) << "\n";
        });
      });
    });
  }
  {
    auto* group = app.add_subcommand("oauth-client", "OAuth clients of DVPs (OCL)");
    group->require_subcommand(1);
    auto id = std::make_shared<std::string>();
    auto host = std::make_shared<std::string>();
    auto org = std::make_shared<std::string>();
    auto reason = std::make_shared<std::string>();
    auto* add = group->add_subcommand("add", "add an OAuth client");
    add->add_option("ID", *id)->required();
    add->add_option("HOSTNAME", *host)->required();
    add->add_option("--org-name", *org, "OAuthclientOrganisatienaam (3-50)")->required();
    OnRun(add, action, [&ctx, id, host, org] {
      return ctx.Mutate(
          "oauth-client add", "oauth-client:" + *host, "",
          [&](store::WriteTxn& t, json&) {
            return ops::AddOAuthClient(t, ctx.actor(), *id, *host, *org);
          },
          "OAuth client " + *host + " added to " + *id);
    });
    auto* remove = group->add_subcommand("remove", "remove an OAuth client");
    remove->add_option("ID", *id)->required();
    remove->add_option("HOSTNAME", *host)->required();
    OnRun(remove, action, [&ctx, id, host] {
      return ctx.Mutate(
          "oauth-client remove", "oauth-client:" + *host, "",
          [&](store::WriteTxn& t, json&) {
            return ops::RemoveOAuthClient(t, ctx.actor(), *id, *host);
          },
          "OAuth client " + *host + " removed from " + *id);
    });
    auto* transfer = group->add_subcommand("transfer", "move an OAuth client to another DVP");
    auto to = std::make_shared<std::string>();
    transfer->add_option("HOSTNAME", *host)->required();
    transfer->add_option("--to", *to, "participant in good standing")->required();
    transfer->add_option("--reason", *reason, "why")->required();
    OnRun(transfer, action, [&ctx, host, to, reason] {
      return ctx.Mutate(
          "oauth-client transfer", "oauth-client:" + *host, *reason,
          [&](store::WriteTxn& t, json&) {
            return ops::TransferOAuthClient(t, ctx.actor(), *host, *to, *reason);
          },
          "OAuth client " + *host + " transferred to " + *to);
    });
    auto* list = group->add_subcommand("list", "list a participant's OAuth clients");
    list->add_option("ID", *id)->required();
    OnRun(list, action, [&ctx, id] {
      return WithRead(ctx, [&](const store::Reader& r) {
        auto p = ops::FindParticipant(r, *id);
        if (!p.ok()) return ctx.Fail(p.status());
        MEDMIJ_ASSIGN_OR_FAIL(ctx, const auto clients, r.OAuthClientsOf(*id));
        return ctx.Print(json(clients), [&] {
          for (const auto& c : clients) {
            std::cout << Shown(c.hostname) << "  " << Shown(c.organisation_name) << "\n";
          }
        });
      });
    });
  }
  {
    auto* group = app.add_subcommand("service", "the data-service catalogue (GNL)");
    group->require_subcommand(1);
    auto gid = std::make_shared<std::string>();
    auto name = std::make_shared<std::string>();
    auto* add = group->add_subcommand("add", "add a data service to the catalogue");
    add->add_option("GID", *gid, "GegevensdienstId (1-30)")->required();
    add->add_option("--name", *name, "Weergavenaam (3-50)")->required();
    OnRun(add, action, [&ctx, gid, name] {
      return ctx.Mutate(
          "service add", "service:" + *gid, "",
          [&](store::WriteTxn& t, json&) { return ops::AddService(t, ctx.actor(), *gid, *name); },
          "data service " + *gid + " (" + *name + ") added");
    });
    auto* list = group->add_subcommand("list", "list the catalogue");
    OnRun(list, action, [&ctx] {
      return WithRead(ctx, [&](const store::Reader& r) {
        std::vector<store::CorruptRecord> corrupt;
        MEDMIJ_ASSIGN_OR_FAIL(ctx, const auto services, r.AllServices(&corrupt));
        ctx.ReportSkipped(corrupt);
        return ctx.Print(json(services), [&] {
          for (const auto& s : services) {
            std::cout << Shown(s.id) << "  " << Shown(s.display_name) << "\n";
          }
        });
      });
    });
  }
  {
    auto* group = app.add_subcommand("provider", "zorgaanbieders (ZAL)");
    group->require_subcommand(1);
    auto name = std::make_shared<std::string>();
    auto reason = std::make_shared<std::string>();
    {
      auto* add = group->add_subcommand("add", "add a provider served by a DVA");
      auto in = std::make_shared<ops::ProviderInput>();
      auto ids = std::make_shared<std::vector<std::string>>();
      add->add_option("NAME", in->name, "Zorgaanbiedernaam ([a-z]+@medmij)")->required();
      add->add_option("--dva", in->dva, "serving DVA")->required();
      add->add_option("--type", in->type, "ZA or BAZB (default ZA)");
      add->add_option("--identifier", *ids,
                      "KIND=VALUE with KIND " + IdentifierKindsForMessages() + " (repeat)");
      OnRun(add, action, [&ctx, in, ids] {
        if (Status st = ParseIdentifiers(*ids, false, in->identifiers); !st.ok()) {
          return ctx.Fail(st);
        }
        return ctx.Mutate(
            "provider add", "provider:" + in->name, "",
            [&](store::WriteTxn& t, json&) { return ops::AddProvider(t, ctx.actor(), *in); },
            "provider " + in->name + " added, served by " + in->dva);
      });
    }
    {
      auto* set = group->add_subcommand("set", "change a provider's aanbiedertype and identifiers");
      auto in = std::make_shared<ops::ProviderUpdate>();
      auto type = std::make_shared<std::string>();
      auto ids = std::make_shared<std::vector<std::string>>();
      set->add_option("NAME", in->name, "Zorgaanbiedernaam")->required();
      set->add_option("--type", *type, "ZA or BAZB");
      set->add_option(
          "--identifier", *ids,
          "KIND=VALUE sets, KIND= removes; KIND " + IdentifierKindsForMessages() + " (repeat)");
      OnRun(set, action, [&ctx, set, in, type, ids] {
        if (set->count("--type") != 0) in->type = *type;
        if (Status st = ParseIdentifiers(*ids, true, in->identifiers); !st.ok()) {
          return ctx.Fail(st);
        }
        return ctx.Mutate(
            "provider set", "provider:" + in->name, "",
            [&](store::WriteTxn& t, json&) { return ops::UpdateProvider(t, ctx.actor(), *in); },
            "provider " + in->name + " updated");
      });
    }
    auto* remove = group->add_subcommand("remove", "remove a provider");
    remove->add_option("NAME", *name)->required();
    remove->add_option("--reason", *reason, "why");
    OnRun(remove, action, [&ctx, name, reason] {
      return ctx.Mutate(
          "provider remove", "provider:" + *name, *reason,
          [&](store::WriteTxn& t, json&) {
            return ops::RemoveProvider(t, ctx.actor(), *name, *reason);
          },
          "provider " + *name + " removed");
    });
    auto* show = group->add_subcommand("show", "show a provider");
    show->add_option("NAME", *name)->required();
    OnRun(show, action, [&ctx, name] {
      return WithRead(ctx, [&](const store::Reader& r) {
        MEDMIJ_ASSIGN_OR_FAIL(ctx, const auto p, r.GetProvider(*name));
        if (!p) return ctx.Fail(Status::NotFound("provider " + *name + " does not exist"));
        return ctx.Print(json(*p), [&] { PrintProvider(*p); });
      });
    });
    auto* list = group->add_subcommand("list", "list the providers a DVA serves");
    auto dva = std::make_shared<std::string>();
    list->add_option("--dva", *dva, "serving DVA")->required();
    OnRun(list, action, [&ctx, dva] {
      return WithRead(ctx, [&](const store::Reader& r) {
        auto p = ops::FindParticipant(r, *dva);
        if (!p.ok()) return ctx.Fail(p.status());
        MEDMIJ_ASSIGN_OR_FAIL(ctx, const auto providers, r.ProvidersOf(*dva));
        json names = json::array();
        for (const auto& pr : providers) names.push_back(pr.name);
        return ctx.Print(names, [&] {
          for (const auto& pr : providers) std::cout << Shown(pr.name) << "\n";
        });
      });
    });
    auto* transfer = group->add_subcommand("transfer", "move a provider to another DVA");
    auto to = std::make_shared<std::string>();
    transfer->add_option("NAME", *name)->required();
    transfer->add_option("--to", *to, "DVA in good standing")->required();
    transfer->add_option("--reason", *reason, "why")->required();
    OnRun(transfer, action, [&ctx, name, to, reason] {
      return ctx.Mutate(
          "provider transfer", "provider:" + *name, *reason,
          [&](store::WriteTxn& t, json&) {
            return ops::TransferProvider(t, ctx.actor(), *name, *to, *reason);
          },
          "provider " + *name + " transferred to " + *to);
    });

    auto* svc = group->add_subcommand("service", "a provider's data services");
    svc->require_subcommand(1);
    {
      auto* add = svc->add_subcommand("add", "add (or replace) a data service of a provider");
      auto in = std::make_shared<ops::ProviderServiceInput>();
      auto roles = std::make_shared<std::vector<std::string>>();
      add->add_option("NAME", in->provider, "provider name")->required();
      add->add_option("--service", in->service_id, "data service id")->required();
      add->add_option("--authorization-uri", in->authorization_uri,
                      "front channel (https, no port)")
          ->required();
      add->add_option("--token-uri", in->token_uri, "back channel (https)")->required();
      add->add_option("--role", *roles, "CODE=RESOURCE-URI (repeat)")->required();
      add->add_option("--interface-version", in->interface_versions,
                      "InterfaceversieId (repeat; without one the service is in the ZAL "
                      "release2 only)");
      auto days = std::make_shared<int64_t>(0);
      auto sub_uri = std::make_shared<std::string>();
      add->add_option("--subscription-max-days", *days, "Abonneren: MaximaleDuur in days (1-3650)");
      add->add_option("--subscription-uri", *sub_uri, "Abonneren: subscription endpoint (https)");
      OnRun(add, action, [&ctx, add, in, roles, days, sub_uri] {
        for (const auto& kv : *roles) {
          auto eq = kv.find('=');
          if (eq == std::string::npos || eq == 0) {
            return ctx.Fail(Status::Invalid("--role: expected CODE=URI, got '" + kv + "'"));
          }
          in->roles.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
        }
        const bool has_days = add->count("--subscription-max-days") != 0;
        const bool has_uri = add->count("--subscription-uri") != 0;
        if (has_days != has_uri) {
          return ctx.Fail(Status::Invalid(
              has_days ? "--subscription-uri: required with --subscription-max-days"
                       : "--subscription-max-days: required with --subscription-uri"));
        }
        if (has_days) in->subscription = ops::SubscriptionInput{*days, *sub_uri};
        return ctx.Mutate(
            "provider service add", "provider:" + in->provider, "",
            [&](store::WriteTxn& t, json&) { return ops::PutProviderService(t, ctx.actor(), *in); },
            "data service " + in->service_id + " set for " + in->provider);
      });
    }
    {
      auto* set = svc->add_subcommand(
          "set", "change the interface versions and subscription of a provider's data service");
      auto in = std::make_shared<ops::ProviderServiceUpdate>();
      auto versions = std::make_shared<std::vector<std::string>>();
      auto no_versions = std::make_shared<bool>(false);
      auto days = std::make_shared<int64_t>(0);
      auto sub_uri = std::make_shared<std::string>();
      set->add_option("NAME", in->provider, "provider name")->required();
      set->add_option("--service", in->service_id, "data service id")->required();
      set->add_option("--interface-version", *versions,
                      "InterfaceversieId (repeat; replaces the service's list)");
      set->add_flag("--no-interface-versions", *no_versions,
                    "clear the list (the service is then in the ZAL release2 only)");
      set->add_option("--subscription-max-days", *days, "Abonneren: MaximaleDuur in days (1-3650)");
      set->add_option("--subscription-uri", *sub_uri, "Abonneren: subscription endpoint (https)");
      set->add_flag("--no-subscription", in->remove_subscription, "remove the subscription");
      OnRun(set, action, [&ctx, set, in, versions, no_versions, days, sub_uri] {
        if (*no_versions && !versions->empty()) {
          return ctx.Fail(Status::Invalid(
              "--no-interface-versions: cannot be combined with --interface-version"));
        }
        if (*no_versions || !versions->empty()) in->interface_versions = *versions;
        if (set->count("--subscription-max-days") != 0) in->subscription_max_days = *days;
        if (set->count("--subscription-uri") != 0) in->subscription_uri = *sub_uri;
        return ctx.Mutate(
            "provider service set", "provider:" + in->provider, "",
            [&](store::WriteTxn& t, json&) {
              return ops::UpdateProviderService(t, ctx.actor(), *in);
            },
            "data service " + in->service_id + " of " + in->provider + " updated");
      });
    }
    {
      auto* rm = svc->add_subcommand("remove", "remove a data service of a provider");
      auto service = std::make_shared<std::string>();
      rm->add_option("NAME", *name, "provider name")->required();
      rm->add_option("--service", *service, "data service id")->required();
      OnRun(rm, action, [&ctx, name, service] {
        return ctx.Mutate(
            "provider service remove", "provider:" + *name, "",
            [&](store::WriteTxn& t, json&) {
              return ops::RemoveProviderService(t, ctx.actor(), *name, *service);
            },
            "data service " + *service + " removed from " + *name);
      });
    }
  }
}

}  // namespace medmij::cli
