#include "synthetic_traces.h"

#include "random.h"
#include "zipf.h"

namespace zcache::sim {

Trace zipf_trace(std::uint64_t keys, double alpha, std::uint64_t requests, std::uint64_t seed) {
  return zipf_with_scans_trace(keys, alpha, 0.0, requests, seed);
}

Trace zipf_with_scans_trace(std::uint64_t keys, double alpha, double scan_fraction, std::uint64_t requests,
                            std::uint64_t seed) {
  const ZipfSampler zipf(keys, alpha);
  SplitMix64 rng(seed);
  Trace trace;
  trace.reserve(requests);
  Key next_one_time = keys;
  for (std::uint64_t i = 0; i < requests; ++i) {
    if (scan_fraction > 0 && rng.next_double() < scan_fraction)
      trace.push_back(next_one_time++);
    else
      trace.push_back(zipf.sample(rng) - 1);
  }
  return trace;
}

Trace loop_trace(std::uint64_t keys, std::uint64_t requests) {
  Trace trace;
  trace.reserve(requests);
  for (std::uint64_t i = 0; i < requests; ++i) trace.push_back(i % keys);
  return trace;
}

}  // namespace zcache::sim
