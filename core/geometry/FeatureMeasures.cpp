#include "FeatureMeasures.h"

#include <algorithm>
#include <cmath>

namespace featurescope {

namespace {
// Norm at which a norm bar reaches full colour; below it the colour ramps down linearly to 0.
constexpr float kColourFullNorm = 0.5f;
} // namespace

FeatureMeasures computeFeatureMeasures(const Eigen::MatrixXf& W, float normEpsilon)
{
    const Eigen::Index m = W.rows();
    const Eigen::Index n = W.cols();

    FeatureMeasures result;
    result.norms = Eigen::VectorXf::Zero(n);
    result.dimensionality = Eigen::VectorXf::Zero(n);
    result.superposition = Eigen::VectorXf::Zero(n);

    // Everything below is a function of the Gram matrix G = W^T W: (Ŵ_i . W_j)^2 = G_ij^2 / G_ii. Double keeps the
    // sums of squares accurate for nearly-orthogonal features (G_ij ~ 1e-4 would vanish next to G_ii in float).
    const Eigen::MatrixXd Wd = W.cast<double>();
    Eigen::MatrixXd gram(n, n);
    gram.setZero();
    gram.selfadjointView<Eigen::Lower>().rankUpdate(Wd.transpose());
    gram.triangularView<Eigen::StrictlyUpper>() = gram.transpose();

    const double eps2 = static_cast<double>(normEpsilon) * static_cast<double>(normEpsilon);
    double frobenius = 0, capped = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
        const double gii = gram(i, i);
        frobenius += gii;
        capped += std::min(gii, 1.0);
        result.norms[i] = static_cast<float>(std::sqrt(gii));
        if (!(gii > eps2))
            continue;
        // Sum the off-diagonal terms separately: D_i = G_ii^2 / (G_ii^2 + off) avoids cancellation and stays in [0,1].
        double offDiagonal = 0;
        for (Eigen::Index j = 0; j < n; ++j) {
            if (j != i)
                offDiagonal += gram(i, j) * gram(i, j);
        }
        result.superposition[i] = static_cast<float>(offDiagonal / gii);
        result.dimensionality[i] = static_cast<float>(gii * gii / (gii * gii + offDiagonal));
    }

    result.frobeniusSquared = frobenius;
    result.featuresPerDimension = m > 0 ? frobenius / static_cast<double>(m) : 0.0;
    result.dimensionsPerFeature = frobenius > 0 ? static_cast<double>(m) / frobenius : 0.0;
    result.unitNormPerDimension = m > 0 ? capped / static_cast<double>(m) : 0.0;
    result.maxNorm = n > 0 ? double(result.norms.maxCoeff()) : 0.0;
    return result;
}

float superpositionColourValue(float superposition, float norm)
{
    if (!std::isfinite(superposition) || !std::isfinite(norm))
        return 0.0f;
    const float value = std::clamp(std::sqrt(std::max(superposition, 0.0f)), 0.0f, 1.0f);
    const float gate = std::clamp(norm / kColourFullNorm, 0.0f, 1.0f);
    return value * gate;
}

} // namespace featurescope
