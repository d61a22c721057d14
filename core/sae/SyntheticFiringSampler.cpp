#include "sae/SyntheticFiringSampler.h"

#include "common/InputError.h"
#include "math/Rng.h"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace featurescope {

namespace {

// Larger dictionaries of correlated features would need an F x F eigendecomposition too slow to wait for.
constexpr int kMaxCorrelatedFeatures = 2048;

// Standard normals into out[0..count) from the stream (Box-Muller on pairs; 1 − u lies in (0, 1]).
void fillNormals(float* out, std::size_t count, UniformStream& stream, std::vector<float>& scratch)
{
    const std::size_t pairs = (count + 1) / 2;
    scratch.resize(2 * pairs);
    stream.fill(scratch.data(), scratch.size());
    for (std::size_t p = 0; p < pairs; ++p) {
        const float radius = std::sqrt(-2.0f * std::log(1.0f - scratch[2 * p]));
        const float angle = 2.0f * std::numbers::pi_v<float> * scratch[2 * p + 1];
        out[2 * p] = radius * std::cos(angle);
        if (2 * p + 1 < count)
            out[2 * p + 1] = radius * std::sin(angle);
    }
}

} // namespace

double SyntheticFiringSampler::inverseNormalCdf(double q)
{
    if (!(q > 0.0))
        return -std::numeric_limits<double>::infinity();
    if (!(q < 1.0))
        return std::numeric_limits<double>::infinity();
    // Acklam's coefficients (a public-domain rational approximation, relative error < 1.2e-9).
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                               1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                               6.680131188771972e+01,  -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                               -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                               3.754408661907416e+00};
    const double low = 0.02425;
    double x;
    if (q < low) {
        const double r = std::sqrt(-2.0 * std::log(q));
        x = (((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5]) /
            ((((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1.0);
    } else if (q <= 1.0 - low) {
        const double r = q - 0.5, t = r * r;
        x = (((((a[0] * t + a[1]) * t + a[2]) * t + a[3]) * t + a[4]) * t + a[5]) * r /
            (((((b[0] * t + b[1]) * t + b[2]) * t + b[3]) * t + b[4]) * t + 1.0);
    } else {
        const double r = std::sqrt(-2.0 * std::log(1.0 - q));
        x = -(((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5]) /
            ((((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1.0);
    }
    // One Halley step on Φ(x) − q, Φ(x) = erfc(−x/√2)/2.
    const double e = 0.5 * std::erfc(-x / std::numbers::sqrt2) - q;
    const double u = e * std::sqrt(2.0 * std::numbers::pi) * std::exp(0.5 * x * x);
    return x - u / (1.0 + 0.5 * x * u);
}

std::vector<double> SyntheticFiringSampler::linearProfile(double first, double last, int features)
{
    std::vector<double> values(std::size_t(std::max(features, 0)));
    for (int i = 0; i < features; ++i)
        values[std::size_t(i)] = features == 1 ? first : first + (last - first) * double(i) / double(features - 1);
    return values;
}

SyntheticFiringSampler::SyntheticFiringSampler(const Settings& settings)
{
    const int features = int(settings.probability.size());
    if (features < 1 || features > 1 << 20)
        throw InputError("the firing sampler needs between 1 and 1048576 features");
    if (!(settings.correlation >= 0.0 && settings.correlation < 1.0))
        throw InputError("the feature correlation strength must be in [0, 1)");
    if (settings.correlation > 0.0 && features > kMaxCorrelatedFeatures)
        throw InputError("correlated features are limited to " + std::to_string(kMaxCorrelatedFeatures) +
                         " true features (got " + std::to_string(features) + ")");
    if (settings.meanMagnitude.size() != std::size_t(features) || settings.stdMagnitude.size() != std::size_t(features))
        throw InputError("the magnitude laws need one mean and one standard deviation per feature");
    for (int i = 0; i < features; ++i) {
        const double p = settings.probability[std::size_t(i)];
        const double mean = settings.meanMagnitude[std::size_t(i)], sd = settings.stdMagnitude[std::size_t(i)];
        if (!(p >= 0.0 && p <= 1.0))
            throw InputError("feature firing probabilities must be in [0, 1]");
        if (!std::isfinite(mean) || !std::isfinite(sd) || sd < 0.0 || std::abs(mean) > 1e6 || sd > 1e6)
            throw InputError("firing magnitudes need a finite mean and a non-negative standard deviation (at most 1e6)");
        m_threshold.push_back(inverseNormalCdf(1.0 - p));
        m_probability.push_back(float(p));
        m_mean.push_back(float(mean));
        m_std.push_back(float(sd));
    }
    if (settings.correlation <= 0.0)
        return;

    // SAELens's random correlations: 30 % of the pairs uncorrelated, the others ±ρ, half of each sign.
    Rng rng(Rng::deriveSeed(settings.seed, 0xC022));
    const std::size_t total = std::size_t(features) * std::size_t(features - 1) / 2;
    std::vector<std::uint32_t> order(total);
    for (std::size_t t = 0; t < total; ++t)
        order[t] = std::uint32_t(t);
    for (std::size_t t = total; t > 1; --t) // Fisher-Yates
        std::swap(order[t - 1], order[std::size_t(rng.below(t))]);
    const std::size_t uncorrelated = std::size_t(double(total) * 0.3);
    const std::size_t correlated = total - uncorrelated;
    const std::size_t positive = correlated / 2;
    std::vector<double> pairValue(total, 0.0);
    const double strongest = settings.correlation, weakest = std::min(0.1, strongest);
    for (std::size_t t = 0; t < correlated; ++t) // `order` is already random: its first `positive` get +
        pairValue[order[t]] = (t < positive ? 1.0 : -1.0) * (weakest + (strongest - weakest) * rng.uniform());
    Eigen::MatrixXd sigma = Eigen::MatrixXd::Identity(features, features);
    std::size_t t = 0;
    for (int i = 0; i < features; ++i)
        for (int j = i + 1; j < features; ++j, ++t)
            sigma(i, j) = sigma(j, i) = pairValue[t];
    // Made positive semi-definite as SAELens does: eigenvalues clipped at 1e-6, then unit diagonal again.
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(sigma);
    Eigen::VectorXd lambda = solver.eigenvalues();
    if (lambda.minCoeff() < -1e-6) {
        lambda = lambda.cwiseMax(1e-6);
        sigma = solver.eigenvectors() * lambda.asDiagonal() * solver.eigenvectors().transpose();
        const Eigen::VectorXd scale = sigma.diagonal().cwiseSqrt().cwiseInverse();
        sigma = scale.asDiagonal() * sigma * scale.asDiagonal();
        solver.compute(sigma);
        lambda = solver.eigenvalues();
    }
    // z = V Λ^½ g has covariance V Λ Vᵀ = Σ.
    m_mixing = (solver.eigenvectors() * lambda.cwiseMax(0.0).cwiseSqrt().asDiagonal()).cast<float>();
}

Eigen::MatrixXd SyntheticFiringSampler::correlationMatrix() const
{
    if (m_mixing.size() == 0)
        return Eigen::MatrixXd::Identity(featureCount(), featureCount());
    const Eigen::MatrixXd m = m_mixing.cast<double>();
    return m * m.transpose();
}

void SyntheticFiringSampler::sample(Eigen::MatrixXf& coefficients, int batch, UniformStream& stream) const
{
    const int features = featureCount();
    const std::size_t count = std::size_t(features) * std::size_t(std::max(batch, 0));
    coefficients.resize(features, batch);
    std::vector<float> scratch;
    Eigen::MatrixXf gate(features, batch);
    if (m_mixing.size()) {
        Eigen::MatrixXf g(features, batch);
        fillNormals(g.data(), count, stream, scratch);
        gate.noalias() = m_mixing * g;
    } else {
        stream.fill(gate.data(), count);
    }
    Eigen::MatrixXf noise(features, batch);
    fillNormals(noise.data(), count, stream, scratch);
    for (int s = 0; s < batch; ++s)
        for (int i = 0; i < features; ++i) {
            const bool fires = m_mixing.size() ? double(gate(i, s)) > m_threshold[std::size_t(i)]
                                               : gate(i, s) < m_probability[std::size_t(i)];
            coefficients(i, s) =
                fires ? std::max(0.0f, m_mean[std::size_t(i)] + m_std[std::size_t(i)] * noise(i, s)) : 0.0f;
        }
}

} // namespace featurescope
