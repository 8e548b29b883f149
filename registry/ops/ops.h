// Registry operations: the commands foundation staff run, shared by the admin CLI and `import`.
//
// Each operation validates its input (messages name the field: "kvk: must be exactly 8 digits"),
// reads what the policy needs through the given write transaction, asks registry/domain/policy
// for the decision, and writes the result into the transaction. Operations never commit: the
// caller commits (or, for import, appends one event per record and commits once), so a refused
// or invalid operation changes nothing.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "registry/common/status.h"
#include "registry/common/time.h"
#include "registry/domain/types.h"
#include "registry/store/store.h"

namespace medmij::ops {

// Who acts, and when. `now` comes from the caller's clock (the CLI's wall clock).
struct Actor {
  std::string operator_name;
  Time now{};
};

struct EnrolInput {
  std::string id;
  std::string legal_name;
  std::string kvk;
  std::string email;
  std::vector<std::string> roles;  // "dvp" / "dva", at least one
};
Status Enrol(store::WriteTxn& txn, const Actor& actor, const EnrolInput& in);

struct CertificateInput {
  std::string participant;
  std::string number;
  std::string body;
  bool accredited = false;
  bool registered = false;
  Time valid_from{};
  Time valid_until{};
  std::string scope;
};
Status AddCertificate(store::WriteTxn& txn, const Actor& actor, const CertificateInput& in);

struct AuditStatementInput {
  std::string participant;
  Time date{};
  std::string auditor;
  std::string outcome;  // "conform" | "nonconform"
  bool pentest = false;
};
Status AddAuditStatement(store::WriteTxn& txn, const Actor& actor, const AuditStatementInput& in);

Status AddQualification(store::WriteTxn& txn, const Actor& actor, const std::string& participant,
                        const std::string& service_id);
Status WithdrawQualification(store::WriteTxn& txn, const Actor& actor,
                             const std::string& participant, const std::string& service_id,
                             const std::string& reason);

Status GrantLabel(store::WriteTxn& txn, const Actor& actor, const std::string& participant,
                  const std::string& reason);
Status WithdrawLabel(store::WriteTxn& txn, const Actor& actor, const std::string& participant,
                     const std::string& reason);

Status Activate(store::WriteTxn& txn, const Actor& actor, const std::string& participant,
                const std::string& reason);
Status Suspend(store::WriteTxn& txn, const Actor& actor, const std::string& participant,
               const std::string& reason);
Status Reinstate(store::WriteTxn& txn, const Actor& actor, const std::string& participant,
                 const std::string& reason);
// First half of the two-person rule. Returns the new request's id ("term-<n>").
Result<std::string> RequestTermination(store::WriteTxn& txn, const Actor& actor,
                                       const std::string& participant, const std::string& reason,
                                       const std::string& case_id = "");
// Second half: a different operator approves; the participant is terminated and every open
// case of it is closed. Returns the participant id.
Result<std::string> ApproveTermination(store::WriteTxn& txn, const Actor& actor,
                                       const std::string& request_id);

Status AddNode(store::WriteTxn& txn, const Actor& actor, const std::string& participant,
               const std::string& hostname);
Status RemoveNode(store::WriteTxn& txn, const Actor& actor, const std::string& participant,
                  const std::string& hostname);

Status AddOAuthClient(store::WriteTxn& txn, const Actor& actor, const std::string& participant,
                      const std::string& hostname, const std::string& organisation_name);
Status RemoveOAuthClient(store::WriteTxn& txn, const Actor& actor, const std::string& participant,
                         const std::string& hostname);
Status TransferOAuthClient(store::WriteTxn& txn, const Actor& actor, const std::string& hostname,
                           const std::string& to, const std::string& reason);

Status AddService(store::WriteTxn& txn, const Actor& actor, const std::string& id,
                  const std::string& display_name);

// Abonneren of a data service (ZAL release3): both fields are required.
struct SubscriptionInput {
  int64_t max_days = 0;  // MaximaleDuur, 1-3650
  std::string uri;       // back channel; its host must be a node of the DVA
};

struct ProviderServiceInput {
  std::string provider;
  std::string service_id;
  std::string authorization_uri;
  std::string token_uri;
  std::vector<std::pair<std::string, std::string>> roles;  // code, resource URI
  // InterfaceversieId values, any order, each once; stored in InterfaceVersionLess order.
  std::vector<std::string> interface_versions;
  std::optional<SubscriptionInput> subscription;
};

struct ProviderInput {
  std::string name;
  std::string dva;
  std::string type = "ZA";                         // "ZA" | "BAZB"
  std::map<std::string, std::string> identifiers;  // kIdentifierKinds key -> value
  // Data services to add with the provider (import): checked like PutProviderService, written
  // with the provider in one record. Their `provider` field is ignored.
  std::vector<ProviderServiceInput> services;
};
Status AddProvider(store::WriteTxn& txn, const Actor& actor, const ProviderInput& in);
Status RemoveProvider(store::WriteTxn& txn, const Actor& actor, const std::string& name,
                      const std::string& reason);
// Adds or replaces one data service of a provider.
Status PutProviderService(store::WriteTxn& txn, const Actor& actor, const ProviderServiceInput& in);
Status RemoveProviderService(store::WriteTxn& txn, const Actor& actor, const std::string& provider,
                             const std::string& service_id);
// Changes a provider's aanbiedertype and identifiers (`provider set`). Each identifier given
// replaces that kind's value; an empty value removes the kind (refused when the provider has
// none). Refused when nothing is given to change.
struct ProviderUpdate {
  std::string name;
  std::optional<std::string> type;                 // "ZA" | "BAZB"
  std::map<std::string, std::string> identifiers;  // kind -> value ("" removes)
};
Status UpdateProvider(store::WriteTxn& txn, const Actor& actor, const ProviderUpdate& in);
// Changes the release3 fields of an existing data service of a provider (`provider service
// set`): `interface_versions` replaces the list when given (empty clears it); a subscription is
// set from both fields, or one field of an existing subscription is changed, or it is removed.
// Refused when nothing is given to change, or when removal and new values are both given.
struct ProviderServiceUpdate {
  std::string provider;
  std::string service_id;
  std::optional<std::vector<std::string>> interface_versions;
  std::optional<int64_t> subscription_max_days;
  std::optional<std::string> subscription_uri;
  bool remove_subscription = false;
};
Status UpdateProviderService(store::WriteTxn& txn, const Actor& actor,
                             const ProviderServiceUpdate& in);
// Moves a provider to another DVA in good standing; its back-channel hosts must be nodes of the
// new DVA.
Status TransferProvider(store::WriteTxn& txn, const Actor& actor, const std::string& name,
                        const std::string& to, const std::string& reason);

// Compliance cases (Nalevingsbeleid). Returns the new case id ("case-<n>").
Result<std::string> OpenCase(store::WriteTxn& txn, const Actor& actor,
                             const std::string& participant, const std::string& type,
                             const std::string& finding);
struct CaseStepResult {
  std::string participant;
  std::string termination_request;  // set when the step requested termination
};
// A suspension step suspends the participant (if active); a termination step files a
// termination request that a different operator must approve.
Result<CaseStepResult> StepCase(store::WriteTxn& txn, const Actor& actor,
                                const std::string& case_id, const std::string& step,
                                const std::string& reason, std::optional<Time> deadline,
                                bool immediate);
Status CloseCase(store::WriteTxn& txn, const Actor& actor, const std::string& case_id,
                 const std::string& reason);

// Reads: a participant or NotFound naming it.
Result<Participant> FindParticipant(const store::Reader& r, const std::string& id);

}  // namespace medmij::ops
