// Rejection-inversion as in Apache Commons RNG's RejectionInversionZipfSampler: sample x by
// inverting the integral H of the continuous hat h(x) = x^-alpha, round to the nearest rank k,
// and accept if the point falls under the step of the exact pmf (most do: the hat is tight).
#include "zipf.h"

#include <cmath>
#include <stdexcept>

namespace zcache::sim {
namespace {

// log1p(x)/x, continuous at 0.
double helper1(double x) noexcept {
  return std::abs(x) > 1e-8 ? std::log1p(x) / x : 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
}

// expm1(x)/x, continuous at 0.
double helper2(double x) noexcept {
  return std::abs(x) > 1e-8 ? std::expm1(x) / x : 1.0 + x * 0.5 * (1.0 + x * (1.0 / 3.0) * (1.0 + 0.25 * x));
}

}  // namespace

ZipfSampler::ZipfSampler(std::uint64_t n, double alpha) : n_(n), alpha_(alpha) {
  if (n == 0) throw std::invalid_argument("ZipfSampler: n must be at least 1");
  if (!(alpha > 0)) throw std::invalid_argument("ZipfSampler: alpha must be positive");
  h_integral_x1_ = h_integral(1.5) - 1.0;
  h_integral_n_ = h_integral(static_cast<double>(n) + 0.5);
  s_ = 2.0 - h_integral_inverse(h_integral(2.5) - h(2.0));
}

double ZipfSampler::h(double x) const noexcept { return std::exp(-alpha_ * std::log(x)); }

// ∫ x^-alpha dx = (x^(1-alpha) - 1) / (1 - alpha), written to stay exact near alpha = 1.
double ZipfSampler::h_integral(double x) const noexcept {
  const double log_x = std::log(x);
  return helper2((1.0 - alpha_) * log_x) * log_x;
}

double ZipfSampler::h_integral_inverse(double x) const noexcept {
  double t = x * (1.0 - alpha_);
  if (t < -1.0) t = -1.0;  // rounding guard: the exact value is never below -1
  return std::exp(helper1(t) * x);
}

std::uint64_t ZipfSampler::sample(SplitMix64& rng) const noexcept {
  for (;;) {
    const double u = h_integral_n_ + rng.next_double() * (h_integral_x1_ - h_integral_n_);
    const double x = h_integral_inverse(u);
    double kd = std::floor(x + 0.5);
    if (kd < 1.0) kd = 1.0;
    if (kd > static_cast<double>(n_)) kd = static_cast<double>(n_);
    if (kd - x <= s_ || u >= h_integral(kd + 0.5) - h(kd)) return static_cast<std::uint64_t>(kd);
  }
}

}  // namespace zcache::sim
