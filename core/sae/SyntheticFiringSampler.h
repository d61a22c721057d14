#pragma once

#include "math/UniformStream.h"

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace featurescope {

// Feature activations with correlated firing and per-feature magnitude laws, as SAELens's synthetic
// ActivationGenerator draws them:
//   firing: a Gaussian copula. z ~ N(0, Σ) with Σ a correlation matrix; feature i fires when z_i > Φ⁻¹(1 − p_i), so
//           each feature keeps its probability p_i while pairs fire together (ρ > 0) or apart (ρ < 0).
//   Σ:      SAELens's generate_random_correlation_matrix: of all pairs 30 % uncorrelated, the rest ±ρ (half each
//           sign) with |ρ| uniform in [min(0.1, s), s] for a strength s; then made positive semi-definite
//           (eigenvalues clipped at 1e-6, unit diagonal restored).
//   magnitude of a firing feature: max(0, mean_i + std_i · N(0, 1)).
// Without correlation (s = 0) features fire independently. Immutable; all randomness from the caller's stream.
class SyntheticFiringSampler {
public:
    struct Settings {
        std::vector<double> probability;    // p_i per feature
        double correlation = 0.0;           // s in [0, 1): the largest |ρ| between two features; 0 = independent
        std::vector<double> meanMagnitude;  // per feature
        std::vector<double> stdMagnitude;   // per feature (0: every firing has magnitude mean_i)
        std::uint64_t seed = 0;             // draws Σ
    };

    explicit SyntheticFiringSampler(const Settings& settings); // throws InputError

    int featureCount() const { return int(m_threshold.size()); }
    // The correlation matrix used (F x F; the identity without correlation).
    Eigen::MatrixXd correlationMatrix() const;
    // Coefficients F x batch: the magnitude of each firing feature, 0 elsewhere.
    void sample(Eigen::MatrixXf& coefficients, int batch, UniformStream& stream) const;

    // Φ⁻¹(q) for q in (0, 1) (Acklam's rational approximation refined by one Halley step: ~1e-15 relative).
    static double inverseNormalCdf(double q);
    // SAELens's constant and linear magnitude laws: `value` for every feature, or from `first` to `last` linearly.
    static std::vector<double> linearProfile(double first, double last, int features);

private:
    std::vector<double> m_threshold;  // Φ⁻¹(1 − p_i); +inf for p = 0, −inf for p = 1
    std::vector<float> m_probability; // independent firing
    Eigen::MatrixXf m_mixing;         // z = M g with g ~ N(0, I): Σ = M Mᵀ (empty when independent)
    std::vector<float> m_mean, m_std;
};

} // namespace featurescope
