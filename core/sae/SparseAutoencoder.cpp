#include "sae/SparseAutoencoder.h"

#include "math/Rng.h"
#include "sae/SaeInputNormalizer.h"
#include "sae/TopKSelector.h"

#include <algorithm>
#include <cmath>

namespace featurescope {

SparseAutoencoder::SparseAutoencoder(const SaeConfig& config) : m_config(config)
{
    config.validate();
    m_parameters.assign(std::size_t(parameterCount(config)), 0.0f);
}

SparseAutoencoder::MatrixMap SparseAutoencoder::encoderColumns()
{
    return MatrixMap(m_parameters.data() + encoderOffset(), inputDim(), latentDim());
}
SparseAutoencoder::ConstMatrixMap SparseAutoencoder::encoderColumns() const
{
    return ConstMatrixMap(m_parameters.data() + encoderOffset(), inputDim(), latentDim());
}
Eigen::MatrixXf SparseAutoencoder::encoderWeights() const { return encoderColumns().transpose(); }
SparseAutoencoder::VectorMap SparseAutoencoder::encoderBias()
{
    return VectorMap(m_parameters.data() + encoderBiasOffset(), latentDim());
}
SparseAutoencoder::ConstVectorMap SparseAutoencoder::encoderBias() const
{
    return ConstVectorMap(m_parameters.data() + encoderBiasOffset(), latentDim());
}
SparseAutoencoder::MatrixMap SparseAutoencoder::decoderWeights()
{
    return MatrixMap(m_parameters.data() + decoderOffset(), inputDim(), latentDim());
}
SparseAutoencoder::ConstMatrixMap SparseAutoencoder::decoderWeights() const
{
    return ConstMatrixMap(m_parameters.data() + decoderOffset(), inputDim(), latentDim());
}
SparseAutoencoder::VectorMap SparseAutoencoder::decoderBias()
{
    return VectorMap(m_parameters.data() + decoderBiasOffset(), inputDim());
}
SparseAutoencoder::ConstVectorMap SparseAutoencoder::decoderBias() const
{
    return ConstVectorMap(m_parameters.data() + decoderBiasOffset(), inputDim());
}

SparseAutoencoder::VectorMap SparseAutoencoder::logThresholds()
{
    return VectorMap(m_parameters.data() + logThresholdOffset(), m_config.learnsThresholds() ? latentDim() : 0);
}
SparseAutoencoder::ConstVectorMap SparseAutoencoder::logThresholds() const
{
    return ConstVectorMap(m_parameters.data() + logThresholdOffset(), m_config.learnsThresholds() ? latentDim() : 0);
}
Eigen::VectorXf SparseAutoencoder::thresholds() const { return logThresholds().array().exp().matrix(); }

void SparseAutoencoder::initialise(std::uint64_t seed, const Eigen::VectorXf& decoderBias)
{
    Rng rng(seed);
    auto dec = decoderWeights();
    const float norm = m_config.unitNormDecoder() ? 1.0f : 0.1f;
    for (int j = 0; j < latentDim(); ++j) {
        for (int i = 0; i < inputDim(); ++i)
            dec(i, j) = static_cast<float>(rng.normal());
        const float n = dec.col(j).norm();
        dec.col(j) *= n > 0.0f ? norm / n : 0.0f;
    }
    encoderColumns() = dec;
    encoderBias().setZero();
    if (decoderBias.size() == inputDim())
        this->decoderBias() = decoderBias;
    else
        this->decoderBias().setZero();
    logThresholds().setConstant(float(std::log(m_config.jumpInitThreshold)));
}

Eigen::MatrixXf SparseAutoencoder::preActivations(const Eigen::MatrixXf& scaledX) const
{
    Eigen::MatrixXf pre(latentDim(), scaledX.cols());
    if (m_config.subtractsDecoderBias()) {
        const Eigen::VectorXf shift = encoderColumns().transpose() * decoderBias();
        pre.noalias() = encoderColumns().transpose() * scaledX;
        pre.colwise() += encoderBias() - shift;
    } else {
        pre.noalias() = encoderColumns().transpose() * scaledX;
        pre.colwise() += encoderBias();
    }
    return pre;
}

void SparseAutoencoder::activate(Eigen::MatrixXf& pre) const
{
    if (m_config.variant == SaeVariant::TopK) {
        TopKSelector selector(m_config.k);
        for (Eigen::Index s = 0; s < pre.cols(); ++s)
            selector.keepTopInPlace(pre.col(s).data(), static_cast<int>(pre.rows()));
    } else if (m_config.variant == SaeVariant::JumpReLU) {
        // f = pre · [pre > θ_j], θ_j = exp(log θ_j) > 0.
        const Eigen::ArrayXf theta = logThresholds().array().exp();
        for (Eigen::Index s = 0; s < pre.cols(); ++s)
            pre.col(s) = (pre.col(s).array() > theta).select(pre.col(s).array(), 0.0f).matrix();
    } else if (m_config.selectsOverBatch()) {
        // Inference: JumpReLU at θ, as SAELens runs the exported SAE: pre · [pre > max(θ, 0)].
        const float theta = std::max(m_threshold, 0.0f);
        pre = (pre.array() > theta).select(pre, 0.0f);
    } else {
        pre = pre.cwiseMax(0.0f);
    }
}

Eigen::MatrixXf SparseAutoencoder::encode(const Eigen::MatrixXf& X) const
{
    if (m_config.perInputNormalization != SaeInputNormalization::None) {
        Eigen::MatrixXf normalised = X;
        SaeInputNormalizer::normalize(m_config.perInputNormalization, normalised);
        Eigen::MatrixXf pre = preActivations(normalised);
        activate(pre);
        return pre;
    }
    Eigen::MatrixXf pre = preActivations(X * m_inputScale);
    activate(pre);
    return pre;
}

Eigen::MatrixXf SparseAutoencoder::reconstruct(const Eigen::MatrixXf& X, Eigen::MatrixXf* codes) const
{
    if (m_config.perInputNormalization == SaeInputNormalization::None) {
        Eigen::MatrixXf F = encode(X);
        Eigen::MatrixXf out = decode(F);
        if (codes)
            *codes = std::move(F);
        return out;
    }
    Eigen::MatrixXf normalised = X;
    const SaeInputNormalizer::Undo undo = SaeInputNormalizer::normalize(m_config.perInputNormalization, normalised);
    Eigen::MatrixXf F = preActivations(normalised);
    activate(F);
    Eigen::MatrixXf out = decoderWeights() * F;
    out.colwise() += decoderBias();
    SaeInputNormalizer::denormalize(undo, out);
    if (codes)
        *codes = std::move(F);
    return out;
}

Eigen::MatrixXf SparseAutoencoder::decode(const Eigen::MatrixXf& F) const
{
    Eigen::MatrixXf out = decoderWeights() * F;
    out.colwise() += decoderBias();
    return out / m_inputScale;
}

void SparseAutoencoder::normaliseDecoder()
{
    auto dec = decoderWeights();
    for (int j = 0; j < latentDim(); ++j) {
        const float n = dec.col(j).norm();
        if (n > 1e-12f)
            dec.col(j) /= n;
    }
}

Eigen::VectorXf SparseAutoencoder::decoderNorms() const { return decoderWeights().colwise().norm().transpose(); }

bool SparseAutoencoder::isFinite() const
{
    return Eigen::Map<const Eigen::VectorXf>(m_parameters.data(), Eigen::Index(m_parameters.size())).allFinite() &&
           std::isfinite(m_inputScale) && std::isfinite(m_threshold);
}

} // namespace featurescope
