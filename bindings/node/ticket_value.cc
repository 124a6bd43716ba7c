#include "ticket_value.h"

#include "errors.h"

namespace zatabase_node {
namespace {

// Marks externals made by this addon as tickets (napi_type_tag_object), so that no other
// external can be passed off as one.
constexpr napi_type_tag kTicketTag = {0x7a6361636865746bULL, 0x5469636b65742e31ULL};

}  // namespace

Napi::Value TicketValue(Napi::Env env, zcache::Ticket ticket) {
  auto* held = new zcache::Ticket(std::move(ticket));
  Napi::External<zcache::Ticket> external;
  try {
    external = Napi::External<zcache::Ticket>::New(env, held, [](Napi::Env, zcache::Ticket* t) { delete t; });
  } catch (...) {
    delete held;
    throw;
  }
  external.TypeTag(&kTicketTag);
  return external;
}

zcache::Ticket TakeTicket(Napi::Env env, Napi::Value value) {
  if (!value.IsExternal() || !value.As<Napi::External<zcache::Ticket>>().CheckTypeTag(&kTicketTag))
    ThrowTypeError(env, "ticket", "a ticket from lookup()");
  zcache::Ticket* held = value.As<Napi::External<zcache::Ticket>>().Data();
  if (!*held) throw MakeError(env, JsErrorKind::InvalidArgument, "this ticket was already used");
  return std::move(*held);
}

}  // namespace zatabase_node
