#include "sae/ImportedSae.h"

#include "common/InputError.h"
#include "math/Sgemm.h"
#include "sae/TopKSelector.h"

#include <cmath>

namespace featurescope {

namespace {

// out = a b for column-major matrices, by our packed product (several times Eigen's on these shapes): a
// column-major matrix is its transpose stored row-major, so out^T = b^T a^T is the row-major product.
void columnMajorProduct(const Eigen::MatrixXf& a, const Eigen::MatrixXf& b, Eigen::MatrixXf& out)
{
    out.resize(a.rows(), b.cols());
    Sgemm::multiply(int(b.cols()), int(a.rows()), int(a.cols()), Sgemm::View(b.data(), b.rows(), 1),
                    Sgemm::View(a.data(), a.rows(), 1), out.data(), out.rows(), false);
}

} // namespace


ImportedSae::ImportedSae(SaeLensConfig config, Eigen::MatrixXf encoder, Eigen::VectorXf encoderBias,
                         Eigen::MatrixXf decoder, Eigen::VectorXf decoderBias, Eigen::VectorXf threshold,
                         Eigen::VectorXf finetuningScale)
    : m_config(std::move(config)), m_encoder(std::move(encoder)), m_encoderBias(std::move(encoderBias)),
      m_decoder(std::move(decoder)), m_decoderBias(std::move(decoderBias)), m_threshold(std::move(threshold)),
      m_finetuningScale(std::move(finetuningScale))
{
    const int dIn = m_config.dIn, dSae = m_config.dSae;
    if (m_encoder.rows() != dSae || m_encoder.cols() != dIn || m_decoder.rows() != dIn || m_decoder.cols() != dSae ||
        m_encoderBias.size() != dSae || m_decoderBias.size() != dIn)
        throw InputError("the SAE weights do not match d_in = " + std::to_string(dIn) + ", d_sae = " +
                         std::to_string(dSae));
    if (m_config.architecture == SaeLensArchitecture::JumpReLU && m_threshold.size() != dSae)
        throw InputError("a jumprelu SAE needs a threshold of d_sae = " + std::to_string(dSae) + " values");
    if (m_config.architecture != SaeLensArchitecture::JumpReLU)
        m_threshold.resize(0);
    if (m_finetuningScale.size() && m_finetuningScale.size() != dSae)
        throw InputError("the finetuning scaling factor must have d_sae = " + std::to_string(dSae) + " values");
    if (m_config.architecture == SaeLensArchitecture::TopK && (m_config.k < 1 || m_config.k > dSae))
        throw InputError("a topk SAE needs 1 <= k <= d_sae");
    if (!m_encoder.allFinite() || !m_decoder.allFinite() || !m_encoderBias.allFinite() || !m_decoderBias.allFinite() ||
        !m_threshold.allFinite() || !m_finetuningScale.allFinite())
        throw InputError("the SAE weights contain NaN or infinite values");
    if (m_config.architecture == SaeLensArchitecture::TopK && m_config.rescaleActsByDecoderNorm) {
        m_decoderNorms = m_decoder.colwise().norm().transpose();
        if ((m_decoderNorms.array() <= 0.0f).any())
            throw InputError("a topk SAE with rescale_acts_by_decoder_norm has a decoder row of norm 0");
    }
}

void ImportedSae::setLogSparsity(Eigen::VectorXf logSparsity)
{
    if (logSparsity.size() && logSparsity.size() != latentDim())
        throw InputError("the sparsity vector has " + std::to_string(logSparsity.size()) + " values for d_sae = " +
                         std::to_string(latentDim()));
    m_logSparsity = std::move(logSparsity);
}

ImportedSae ImportedSae::fromSparseAutoencoder(const SparseAutoencoder& sae, const std::string& hookName)
{
    const SaeConfig& c = sae.config();
    SaeLensConfig config;
    config.dIn = sae.inputDim();
    config.dSae = sae.latentDim();
    // BatchTopK runs at inference as a JumpReLU at its learned θ, which is how SAELens saves it too.
    config.architecture = c.variant == SaeVariant::TopK ? SaeLensArchitecture::TopK
                          : c.selectsOverBatch() || c.variant == SaeVariant::JumpReLU
                              ? SaeLensArchitecture::JumpReLU
                              : SaeLensArchitecture::Standard;
    config.k = c.variant == SaeVariant::TopK ? c.k : 0;
    config.applyBDecToInput = c.subtractsDecoderBias();
    // Per-input normalisation runs in SAELens's forward pass as it did in training; the fixed scale is folded below.
    config.normalization = c.perInputNormalization == SaeInputNormalization::ConstantNormRescale
                               ? SaeLensNormalization::ConstantNormRescale
                           : c.perInputNormalization == SaeInputNormalization::LayerNorm ? SaeLensNormalization::LayerNorm
                                                                                         : SaeLensNormalization::None;
    config.hookName = hookName;
    config.modelName = "featurescope";
    config.saeLensVersion = "6.0.0";
    // Our encode is act(W_enc (s·x − b_dec) + b_enc) and decode (W_dec f + b_dec)/s: fold s into the weights.
    const float s = sae.inputScale();
    // The pre-activations, and so θ, are unchanged by that folding.
    Eigen::VectorXf threshold;
    if (c.selectsOverBatch())
        threshold = Eigen::VectorXf::Constant(sae.latentDim(), sae.threshold());
    else if (c.variant == SaeVariant::JumpReLU)
        threshold = sae.thresholds();
    return ImportedSae(config, sae.encoderWeights() * s, sae.encoderBias(), sae.decoderWeights() / s,
                       sae.decoderBias() / s, threshold);
}

SaeInputNormalizer::Undo ImportedSae::normaliseInputs(Eigen::MatrixXf& X) const
{
    // "none" and "expected_average_only_in" are the identity at inference (the latter's scale is folded in).
    switch (m_config.normalization) {
    case SaeLensNormalization::ConstantNormRescale:
        return SaeInputNormalizer::normalize(SaeInputNormalization::ConstantNormRescale, X);
    case SaeLensNormalization::LayerNorm:
        return SaeInputNormalizer::normalize(SaeInputNormalization::LayerNorm, X);
    case SaeLensNormalization::None:
    case SaeLensNormalization::ExpectedAverageOnlyIn:
        break;
    }
    return {};
}

Eigen::MatrixXf ImportedSae::preActivationsNormalised(const Eigen::MatrixXf& X) const
{
    Eigen::MatrixXf pre(latentDim(), X.cols());
    if (m_config.applyBDecToInput)
        columnMajorProduct(m_encoder, X.colwise() - m_decoderBias, pre);
    else
        columnMajorProduct(m_encoder, X, pre);
    pre.colwise() += m_encoderBias;
    if (m_decoderNorms.size())
        pre.array().colwise() *= m_decoderNorms.array();
    return pre;
}

void ImportedSae::activate(Eigen::MatrixXf& pre) const
{
    switch (m_config.architecture) {
    case SaeLensArchitecture::Standard:
        pre = pre.cwiseMax(0.0f);
        if (m_config.tanhRelu)
            pre = pre.array().tanh().matrix();
        break;
    case SaeLensArchitecture::JumpReLU:
        for (Eigen::Index s = 0; s < pre.cols(); ++s)
            for (Eigen::Index j = 0; j < pre.rows(); ++j) {
                const float v = pre(j, s);
                if (!(v > std::max(m_threshold[j], 0.0f)))
                    pre(j, s) = 0.0f;
            }
        break;
    case SaeLensArchitecture::TopK: {
        TopKSelector selector(m_config.k);
        for (Eigen::Index s = 0; s < pre.cols(); ++s)
            selector.keepTopInPlace(pre.col(s).data(), int(pre.rows()));
        break;
    }
    }
}

Eigen::MatrixXf ImportedSae::preActivations(const Eigen::MatrixXf& X) const
{
    Eigen::MatrixXf normalised = X;
    normaliseInputs(normalised);
    return preActivationsNormalised(normalised);
}

Eigen::MatrixXf ImportedSae::encode(const Eigen::MatrixXf& X) const
{
    Eigen::MatrixXf pre = preActivations(X);
    activate(pre);
    return pre;
}

Eigen::MatrixXf ImportedSae::decode(const Eigen::MatrixXf& F) const
{
    Eigen::MatrixXf out(inputDim(), F.cols());
    if (m_finetuningScale.size() || m_decoderNorms.size()) {
        Eigen::MatrixXf scaled = F;
        if (m_finetuningScale.size())
            scaled.array().colwise() *= m_finetuningScale.array();
        if (m_decoderNorms.size())
            scaled.array().colwise() /= m_decoderNorms.array();
        columnMajorProduct(m_decoder, scaled, out);
    } else {
        columnMajorProduct(m_decoder, F, out);
    }
    out.colwise() += m_decoderBias;
    return out;
}

Eigen::MatrixXf ImportedSae::reconstruct(const Eigen::MatrixXf& X, Eigen::MatrixXf* codes) const
{
    Eigen::MatrixXf normalised = X;
    const SaeInputNormalizer::Undo undo = normaliseInputs(normalised);
    Eigen::MatrixXf F = preActivationsNormalised(normalised);
    activate(F);
    Eigen::MatrixXf out = decode(F);
    SaeInputNormalizer::denormalize(undo, out);
    if (codes)
        *codes = std::move(F);
    return out;
}

std::optional<SparseAutoencoder> ImportedSae::toSparseAutoencoder(std::string* reason) const
{
    auto no = [&](const std::string& why) -> std::optional<SparseAutoencoder> {
        if (reason)
            *reason = why;
        return std::nullopt;
    };
    // A JumpReLU with one threshold θ ≥ 0 for every latent is BatchTopK's inference function.
    const bool jumpRelu = m_config.architecture == SaeLensArchitecture::JumpReLU;
    if (jumpRelu && (m_threshold.size() == 0 || m_threshold.minCoeff() != m_threshold.maxCoeff() ||
                     !(m_threshold[0] >= 0.0f)))
        return no("jumprelu with per-latent thresholds has no equivalent among featurescope's SAE variants (one shared "
                  "threshold θ >= 0 is BatchTopK's)");
    if (m_config.tanhRelu)
        return no("the tanh-relu activation has no equivalent among featurescope's SAE variants");
    if (m_config.normalization == SaeLensNormalization::ConstantNormRescale ||
        m_config.normalization == SaeLensNormalization::LayerNorm)
        return no("per-input normalisation (" + saeLensNormalizationName(m_config.normalization) +
                  ") has no equivalent among featurescope's SAE variants");
    SaeConfig config;
    config.inputDim = inputDim();
    config.latentDim = latentDim();
    config.normalizeInputs = false;
    const bool topk = m_config.architecture == SaeLensArchitecture::TopK;
    config.variant = topk       ? SaeVariant::TopK
                     : jumpRelu ? SaeVariant::BatchTopK
                     : m_config.applyBDecToInput ? SaeVariant::TM2023
                                                 : SaeVariant::Anthropic2024;
    config.k = topk ? m_config.k : 5;
    try {
        config.validate();
    } catch (const InputError& e) {
        return no(e.what());
    }
    Eigen::MatrixXf encoder = m_encoder;
    Eigen::VectorXf encoderBias = m_encoderBias;
    Eigen::MatrixXf decoder = m_decoder;
    if (m_finetuningScale.size())
        decoder.array().rowwise() *= m_finetuningScale.transpose().array();
    if (m_decoderNorms.size()) {
        encoder.array().colwise() *= m_decoderNorms.array();
        encoderBias.array() *= m_decoderNorms.array();
        decoder.array().rowwise() /= m_decoderNorms.transpose().array();
    }
    // TopK and BatchTopK always subtract b_dec before encoding: fold its absence into the encoder bias.
    if ((topk || jumpRelu) && !m_config.applyBDecToInput)
        encoderBias += encoder * m_decoderBias;
    SparseAutoencoder sae(config);
    sae.encoderColumns() = encoder.transpose();
    sae.encoderBias() = encoderBias;
    sae.decoderWeights() = decoder;
    sae.decoderBias() = m_decoderBias;
    sae.setInputScale(1.0f);
    if (jumpRelu)
        sae.setThreshold(m_threshold[0]);
    return sae;
}

} // namespace featurescope
