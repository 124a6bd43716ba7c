// The call engine: attempts, retries with full-jitter backoff inside the timeout budget, the
// circuit breaker, and delivery of the result.
#include "client/client_core.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <random>

#include "client/options_check.h"
#include "client/response_mapping.h"

namespace zcache {

BrainClient::Core::Core(BrainClientOptions o)
    : options(std::move(o)),
      base_url(client::trimmed_base_url(options.base_url)),
      breaker(options.breaker_threshold, std::chrono::milliseconds(options.breaker_cooldown_ms)) {}

namespace client {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct Call {
  std::shared_ptr<BrainClient::Core> core;
  CallSpec spec;
  bool idempotent = false;
  int retries_left = 0;
  int retries_done = 0;
  Clock::time_point deadline;
  BrainClient::Callback done;
};
using CallPtr = std::shared_ptr<Call>;

// An exception escaping `done` must not take down the timer thread; the HttpClient thread catches
// its own, but the message is the same either way.
void deliver(BrainClient::Callback& done, BrainResult result) {
  try {
    done(std::move(result));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "zcache brain client: a callback threw: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "zcache brain client: a callback threw\n");
  }
}

Error closed_error() { return Error(ErrorKind::Cancelled, "the brain client was closed before the call finished"); }

void attempt(const CallPtr& call, bool on_caller_thread);

// Full jitter (uniform in [0, min(max, base * 2^n)]): spreads the retries of many clients that
// failed together, so they do not hit a recovering brain in lockstep.
milliseconds backoff_delay(const BrainClientOptions& o, int retries_done) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const std::int64_t cap = std::min<std::int64_t>(o.backoff_max_ms, o.backoff_base_ms << std::min(retries_done, 20));
  std::uniform_int_distribution<std::int64_t> pick(0, std::max<std::int64_t>(cap, 0));
  return milliseconds(pick(rng));
}

// Schedules the next attempt when the call may retry and the budget allows; false = give up.
bool schedule_retry(const CallPtr& call) {
  if (!call->idempotent || call->retries_left <= 0) return false;
  const milliseconds delay = backoff_delay(call->core->options, call->retries_done);
  if (Clock::now() + delay >= call->deadline) return false;
  --call->retries_left;
  ++call->retries_done;
  call->core->timer.post(delay, [call](bool cancelled) {
    if (cancelled) deliver(call->done, BrainResult(closed_error()));
    else attempt(call, false);
  });
  return true;
}

void on_response(const CallPtr& call, HttpResponse r) {
  auto& breaker = call->core->breaker;
  if (!r.ok()) {
    if (is_unreachable_failure(r.error)) breaker.on_transport_failure();
    else breaker.on_inconclusive();
    if (is_retryable_failure(r.error) && schedule_retry(call)) return;
    deliver(call->done, interpret_failure(r));
    return;
  }
  breaker.on_answer();
  if (is_retryable_status(r.status) && schedule_retry(call)) return;
  deliver(call->done, interpret_answer(r.status, r.body));
}

// Results that need no network: inline is fine on our own threads, never on the caller's.
void finish_without_network(const CallPtr& call, bool on_caller_thread, BrainResult result) {
  if (on_caller_thread) complete_later(call->core, std::move(result), std::move(call->done));
  else deliver(call->done, std::move(result));
}

void attempt(const CallPtr& call, bool on_caller_thread) {
  BrainClient::Core& core = *call->core;
  if (!core.breaker.allow()) {
    finish_without_network(call, on_caller_thread,
                           BrainResult(Error(ErrorKind::Unavailable, "brain unreachable (circuit open after " +
                                                                         std::to_string(core.options.breaker_threshold) +
                                                                         " consecutive failures); failing fast")));
    return;
  }
  const auto remaining = std::chrono::duration_cast<milliseconds>(call->deadline - Clock::now()).count();
  if (remaining <= 0) {
    core.breaker.on_inconclusive();
    finish_without_network(call, on_caller_thread,
                           BrainResult(Error(ErrorKind::Timeout, "brain call ran out of its " +
                                                                     std::to_string(core.options.timeout_ms) + " ms budget")));
    return;
  }
  HttpRequest req;
  req.method = call->spec.method;
  req.url = core.base_url + call->spec.path;
  req.timeout_ms = remaining;
  req.headers.add("Accept", "application/json");
  if (call->spec.authorized && !core.options.token.empty())
    req.headers.add("Authorization", "Bearer " + core.options.token);
  if (!call->spec.body.empty()) {
    req.headers.add("Content-Type", "application/json");
    req.body = call->spec.body;
  }
  try {
    core.http->send(std::move(req), [call](HttpResponse r) { on_response(call, std::move(r)); });
  } catch (const Error& e) {  // Closed: the shared HttpClient was shut down under us
    core.breaker.on_inconclusive();
    finish_without_network(call, on_caller_thread, BrainResult(Error(e.kind(), e.what())));
  }
}

}  // namespace

void complete_later(const std::shared_ptr<BrainClient::Core>& core, BrainResult result, BrainClient::Callback done) {
  // The task owns the result; on shutdown the result is still delivered (it is already known).
  auto shared = std::make_shared<std::pair<BrainResult, BrainClient::Callback>>(std::move(result), std::move(done));
  core->timer.post(milliseconds(0), [shared](bool) { deliver(shared->second, std::move(shared->first)); });
}

void start_call(const std::shared_ptr<BrainClient::Core>& core, CallSpec spec, BrainClient::Callback done) {
  auto call = std::make_shared<Call>();
  call->core = core;
  call->idempotent = std::string_view(spec.method) == "GET" || std::string_view(spec.method) == "DELETE";
  call->spec = std::move(spec);
  call->retries_left = core->options.retries;
  call->deadline = Clock::now() + milliseconds(core->options.timeout_ms);
  call->done = std::move(done);
  attempt(call, true);
}

}  // namespace client
}  // namespace zcache
