#include "sae/SaeInputNormalizer.h"

#include <cmath>

namespace featurescope {

SaeInputNormalizer::Undo SaeInputNormalizer::normalize(SaeInputNormalization mode, Eigen::MatrixXf& X)
{
    Undo undo;
    const Eigen::Index count = X.cols();
    const float d = float(X.rows());
    switch (mode) {
    case SaeInputNormalization::None:
        break;
    case SaeInputNormalization::ConstantNormRescale:
        undo.outScale.resize(count);
        for (Eigen::Index i = 0; i < count; ++i) {
            const float norm = X.col(i).norm();
            const float coefficient = norm > 0.0f ? std::sqrt(d) / norm : 1.0f;
            X.col(i) *= coefficient;
            undo.outScale[i] = 1.0f / coefficient;
        }
        break;
    case SaeInputNormalization::LayerNorm:
        undo.outScale.resize(count);
        undo.shift.resize(count);
        for (Eigen::Index i = 0; i < count; ++i) {
            const float mu = X.col(i).mean();
            X.col(i).array() -= mu;
            const float sigma = X.rows() > 1 ? std::sqrt(X.col(i).squaredNorm() / (d - 1.0f)) : 0.0f;
            X.col(i) /= sigma + 1e-5f;
            undo.outScale[i] = sigma;
            undo.shift[i] = mu;
        }
        break;
    }
    return undo;
}

void SaeInputNormalizer::denormalize(const Undo& undo, Eigen::MatrixXf& Xhat)
{
    if (undo.outScale.size())
        Xhat.array().rowwise() *= undo.outScale.array();
    if (undo.shift.size())
        Xhat.array().rowwise() += undo.shift.array();
}

void SaeInputNormalizer::trainingTarget(SaeInputNormalization mode, const Eigen::MatrixXf& normalized, const Undo& undo,
                                        Eigen::MatrixXf* target, Eigen::VectorXf* weight)
{
    target->resize(0, 0);
    weight->resize(normalized.cols());
    for (Eigen::Index i = 0; i < normalized.cols(); ++i)
        (*weight)[i] = undo.outScale.size() ? undo.outScale[i] * undo.outScale[i] : 1.0f;
    if (mode != SaeInputNormalization::LayerNorm)
        return;
    // t = x'·(σ + 1e-5)/σ = (x − μ)/σ; σ = 0 leaves t = x' at weight 0.
    *target = normalized;
    for (Eigen::Index i = 0; i < normalized.cols(); ++i) {
        const float sigma = undo.outScale[i];
        if (sigma > 0.0f)
            target->col(i) *= (sigma + 1e-5f) / sigma;
    }
}

} // namespace featurescope
