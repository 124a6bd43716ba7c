// A fill ticket handed to JS.
#pragma once

#include <napi.h>
#include <zcache/cache.h>

namespace zatabase_node {

// A ticket as a JS external. Whoever drops it unused (the finalizer of a garbage-collected
// external) fails its flight with Cancelled, so waiters are never left hanging.
Napi::Value TicketValue(Napi::Env env, zcache::Ticket ticket);
// Moves the ticket out of its external; TypeError for anything else, InvalidArgument when it
// was already used.
zcache::Ticket TakeTicket(Napi::Env env, Napi::Value value);

}  // namespace zatabase_node
