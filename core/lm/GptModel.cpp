#include "lm/GptModel.h"

#include "common/InputError.h"
#include "lm/CausalAttention.h"
#include "lm/GptBf16Weights.h"
#include "lm/GptKernels.h"
#include "lm/GptProducts.h"

#include <cmath>

namespace featurescope {

using Kind = GptWeights::Kind;
using Site = GptHookPoint::Site;

void GptModel::forward(const int* ids, int batch, int tokens, GptActivations& out, const GptHooks* hooks,
                       bool keepForBackward) const
{
    const GptConfig& c = config();
    if (batch < 1 || tokens < 1)
        throw InputError("nothing to run: the sequence is empty");
    if (tokens > c.positions)
        throw InputError("a sequence of " + std::to_string(tokens) + " tokens is longer than the model's n_positions = " +
                         std::to_string(c.positions));
    const std::size_t n = std::size_t(batch) * std::size_t(tokens);
    for (std::size_t i = 0; i < n; ++i)
        if (ids[i] < 0 || ids[i] >= c.vocabSize)
            throw InputError("token id " + std::to_string(ids[i]) + " is outside the vocabulary [0, " +
                             std::to_string(c.vocabSize) + ")");
    out.resize(c, batch, tokens, keepForBackward);
    std::copy(ids, ids + n, out.ids.begin());
    const bool hooked = hooks && !hooks->empty();
    auto hook = [&](Site site, int layer, RowMatrixF& activation) {
        if (hooked)
            hooks->call({site, layer}, RowMatrixMap(activation.data(), activation.rows(), activation.cols()), batch,
                        tokens);
    };

    const ConstRowMatrixMap wte = m_weights.matrix(Kind::TokenEmbedding);
    const ConstRowMatrixMap wpe = m_weights.matrix(Kind::PositionEmbedding);
    for (int b = 0; b < batch; ++b)
        for (int t = 0; t < tokens; ++t) {
            const Eigen::Index r = Eigen::Index(b) * tokens + t;
            out.residual.row(r) = wte.row(ids[r]) + wpe.row(t);
        }

    for (int l = 0; l < c.layers; ++l) {
        GptActivations::Layer& L = out.layer(l);
        hook(Site::ResidPre, l, out.residual);
        GptKernels::layerNorm(out.residual, m_weights.row(Kind::Norm1Gain, l).data(), m_weights.row(Kind::Norm1Bias, l).data(),
                              c.layerNormEpsilon, L.norm1Hat, L.norm1Rstd, L.norm1Out);
        linear(L.norm1Out, Kind::AttnWeight, Kind::AttnBias, l, L.qkv);
        attention(L, batch, tokens);
        // The block's output is kept apart even without hooks: adding the product straight into the residual would
        // round differently from a hooked run, and an identity intervention must change nothing.
        linear(L.heads, Kind::AttnProjWeight, Kind::AttnProjBias, l, out.blockOut);
        hook(Site::AttnOut, l, out.blockOut);
        out.residual += out.blockOut;
        hook(Site::ResidMid, l, out.residual);

        GptKernels::layerNorm(out.residual, m_weights.row(Kind::Norm2Gain, l).data(), m_weights.row(Kind::Norm2Bias, l).data(),
                              c.layerNormEpsilon, L.norm2Hat, L.norm2Rstd, L.norm2Out);
        linear(L.norm2Out, Kind::FcWeight, Kind::FcBias, l, L.pre);
        hook(Site::MlpPre, l, L.pre);
        GptKernels::gelu(c.activation, L.pre, L.post);
        hook(Site::MlpPost, l, L.post);
        linear(L.post, Kind::MlpProjWeight, Kind::MlpProjBias, l, out.blockOut);
        hook(Site::MlpOut, l, out.blockOut);
        out.residual += out.blockOut;
        hook(Site::ResidPost, l, out.residual);
    }
    GptKernels::layerNorm(out.residual, m_weights.row(Kind::FinalNormGain).data(), m_weights.row(Kind::FinalNormBias).data(),
                          c.layerNormEpsilon, out.finalHat, out.finalRstd, out.finalOut);
    if (hooked && hooks->foldsFinalNorm() && hooks->has({Site::FinalNormalized, -1})) {
        // fold_ln: the hook sees the normalised vector; ln_f's gain and bias apply to what it leaves there.
        hook(Site::FinalNormalized, -1, out.finalHat);
        const auto gain = m_weights.row(Kind::FinalNormGain).array();
        const auto bias = m_weights.row(Kind::FinalNormBias).array();
        out.finalOut = (out.finalHat.array().rowwise() * gain).rowwise() + bias;
    } else {
        hook(Site::FinalNormalized, -1, out.finalOut);
    }
    if (m_bf16)
        Bf16Gemm::multiply(int(out.finalOut.rows()), Sgemm::View(out.finalOut.data(), out.finalOut.cols(), 1),
                           m_bf16->unembedding(), out.logits.data(), out.logits.cols(), false);
    else
        GptProducts::multiplyByTransposed(out.finalOut, wte, out.logits);
}

void GptModel::setBf16(bool on)
{
    if (!on) {
        m_bf16.reset();
        return;
    }
    if (!Bf16Gemm::available())
        throw InputError("bfloat16 inference needs a CPU with AVX512_BF16 and a build for it (FEATURESCOPE_NATIVE)");
    if (!m_bf16)
        m_bf16 = std::make_shared<const GptBf16Weights>(m_weights);
}

void GptModel::linear(const RowMatrixF& in, GptWeights::Kind kind, GptWeights::Kind biasKind, int layer,
                      RowMatrixF& out) const
{
    const float* bias = m_weights.row(biasKind, layer).data();
    if (!m_bf16) {
        GptProducts::multiplyAddBias(in, m_weights.matrix(kind, layer), bias, out, false);
        return;
    }
    const Bf16Gemm::PackedMatrix& packed = kind == Kind::AttnWeight       ? m_bf16->attention(layer)
                                           : kind == Kind::AttnProjWeight ? m_bf16->attentionProjection(layer)
                                           : kind == Kind::FcWeight       ? m_bf16->mlpIn(layer)
                                                                          : m_bf16->mlpOut(layer);
    Bf16Gemm::multiply(int(in.rows()), Sgemm::View(in.data(), in.cols(), 1), packed, out.data(), out.cols(), false);
    out.rowwise() += m_weights.row(biasKind, layer);
}

void GptModel::attention(GptActivations::Layer& layer, int batch, int tokens) const
{
    const GptConfig& c = config();
    const int d = c.width, dh = c.headDim(), H = c.heads;
    const float scale = 1.0f / std::sqrt(float(dh));
    const std::size_t pattern = std::size_t(tokens) * std::size_t(tokens);
    const bool keepAll = layer.probabilities.size() >= pattern * std::size_t(batch) * std::size_t(H);
    for (int b = 0; b < batch; ++b) {
        const float* block = layer.qkv.data() + std::size_t(b) * tokens * 3 * d;
        for (int h = 0; h < H; ++h) {
            float* p = layer.probabilities.data() + (keepAll ? (std::size_t(b) * H + h) * pattern : 0);
            CausalAttention::forward(block + h * dh, block + d + h * dh, block + 2 * d + h * dh, 3 * d, tokens, dh, scale,
                                     p, layer.heads.data() + std::size_t(b) * tokens * d + h * dh, d);
        }
    }
}

double GptModel::crossEntropy(const RowMatrixF& logits, const std::vector<int>& targets, RowMatrixF* gradient)
{
    const Eigen::Index n = logits.rows(), v = logits.cols();
    std::size_t counted = 0;
    for (Eigen::Index r = 0; r < n; ++r)
        counted += targets[std::size_t(r)] >= 0 ? 1 : 0;
    if (gradient)
        gradient->resize(n, v);
    if (counted == 0) {
        if (gradient)
            gradient->setZero();
        return 0.0;
    }
    const float inverseCount = 1.0f / float(counted);
    double total = 0.0;
    for (Eigen::Index r = 0; r < n; ++r) {
        const int target = targets[std::size_t(r)];
        if (target < 0) {
            if (gradient)
                gradient->row(r).setZero();
            continue;
        }
        // Vectorised float exponentials, evaluated once (into the gradient's row when there is one), summed in float by
        // Eigen's vectorised reduction (each term is at most 1; a double cast made the sum scalar and cost as much as
        // the exponentials); the loss is accumulated in double.
        const Eigen::Map<const Eigen::ArrayXf> row(logits.data() + r * v, v);
        const float maximum = row.maxCoeff();
        if (!gradient) {
            const double sum = (row - maximum).exp().sum();
            total += std::log(sum) + maximum - row[target];
            continue;
        }
        Eigen::Map<Eigen::ArrayXf> g(gradient->data() + r * v, v);
        g = (row - maximum).exp();
        const double sum = g.sum();
        total += std::log(sum) + maximum - row[target];
        g *= float(double(inverseCount) / sum);
        g[target] -= inverseCount;
    }
    return total / double(counted);
}

std::vector<int> GptModel::nextTokenTargets(const int* ids, int batch, int tokens)
{
    std::vector<int> targets(std::size_t(batch) * std::size_t(tokens), -1);
    for (int b = 0; b < batch; ++b)
        for (int t = 0; t + 1 < tokens; ++t)
            targets[std::size_t(b) * tokens + t] = ids[std::size_t(b) * tokens + t + 1];
    return targets;
}

} // namespace featurescope
