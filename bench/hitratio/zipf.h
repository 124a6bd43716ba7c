// Exact Zipf sampling over ranks 1..n with P(k) ∝ k^-alpha, by rejection-inversion
// (Hörmann & Derflinger, "Rejection-inversion to generate variates from monotone discrete
// distributions", 1996) — O(1) per sample, no table, any alpha > 0 including 1.
#pragma once

#include "random.h"

#include <cstdint>

namespace zcache::sim {

class ZipfSampler {
 public:
  ZipfSampler(std::uint64_t n, double alpha);

  // A rank in [1, n]; rank 1 is the most popular.
  std::uint64_t sample(SplitMix64& rng) const noexcept;

  std::uint64_t n() const noexcept { return n_; }
  double alpha() const noexcept { return alpha_; }

 private:
  double h(double x) const noexcept;
  double h_integral(double x) const noexcept;
  double h_integral_inverse(double x) const noexcept;

  std::uint64_t n_;
  double alpha_;
  double h_integral_x1_;
  double h_integral_n_;
  double s_;
};

}  // namespace zcache::sim
