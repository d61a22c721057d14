#include "lm/GptBackward.h"

#include "lm/CausalAttention.h"
#include "lm/GptKernels.h"
#include "lm/GptProducts.h"

#include <cmath>

namespace featurescope {

using Kind = GptWeights::Kind;

namespace {

// out += the sum of m's rows (a bias gradient), in row order over contiguous memory (Eigen's colwise().sum() on a
// row-major matrix walks it column by column, at about a third of the speed), four rows per pass over out.
void addColumnSums(const RowMatrixF& m, RowVectorMap out)
{
    const Eigen::Index rows = m.rows(), cols = m.cols();
    float* sum = out.data();
    const float* x = m.data();
    Eigen::Index r = 0;
    for (; r + 4 <= rows; r += 4) {
        const float *x0 = x + r * cols, *x1 = x0 + cols, *x2 = x1 + cols, *x3 = x2 + cols;
#pragma omp simd
        for (Eigen::Index j = 0; j < cols; ++j)
            sum[j] += (x0[j] + x1[j]) + (x2[j] + x3[j]);
    }
    for (; r < rows; ++r)
        out += m.row(r);
}

} // namespace

void GptBackward::run(const GptModel& model, const GptActivations& forward, const RowMatrixF& dLogits,
                      GptWeights& gradients)
{
    const GptConfig& c = model.config();
    const GptWeights& w = model.weights();
    const Eigen::Index n = forward.rows(), d = c.width;
    gradients.setZero();
    m_dResidual.resize(n, d);
    m_dNormOut.resize(n, d);
    m_dHeads.resize(n, d);
    m_dQkv.resize(n, 3 * d);
    m_dHidden.resize(n, c.inner);

    // logits = finalOut . wte^T
    RowMatrixMap dWte = gradients.matrix(Kind::TokenEmbedding);
    GptProducts::accumulateTransposedProduct(dLogits, forward.finalOut, dWte);
    GptProducts::multiply(dLogits, w.matrix(Kind::TokenEmbedding), m_dNormOut);
    m_dResidual.setZero();
    GptKernels::layerNormBackward(m_dNormOut, forward.finalHat, forward.finalRstd, w.row(Kind::FinalNormGain).data(),
                                  gradients.row(Kind::FinalNormGain).data(), gradients.row(Kind::FinalNormBias).data(), m_dResidual);

    for (int l = c.layers - 1; l >= 0; --l) {
        const GptActivations::Layer& L = forward.layer(l);
        // MLP: residual += gelu(LN2(x) W_fc + b_fc) W_proj + b_proj
        GptProducts::accumulateTransposedProduct(L.post, m_dResidual, gradients.matrix(Kind::MlpProjWeight, l));
        addColumnSums(m_dResidual, gradients.row(Kind::MlpProjBias, l));
        GptProducts::multiplyByTransposed(m_dResidual, w.matrix(Kind::MlpProjWeight, l), m_dHidden);
        GptKernels::geluBackward(c.activation, L.pre, m_dHidden);
        GptProducts::accumulateTransposedProduct(L.norm2Out, m_dHidden, gradients.matrix(Kind::FcWeight, l));
        addColumnSums(m_dHidden, gradients.row(Kind::FcBias, l));
        GptProducts::multiplyByTransposed(m_dHidden, w.matrix(Kind::FcWeight, l), m_dNormOut);
        GptKernels::layerNormBackward(m_dNormOut, L.norm2Hat, L.norm2Rstd, w.row(Kind::Norm2Gain, l).data(),
                                      gradients.row(Kind::Norm2Gain, l).data(), gradients.row(Kind::Norm2Bias, l).data(), m_dResidual);

        // Attention: residual += heads W_O + b_O
        GptProducts::accumulateTransposedProduct(L.heads, m_dResidual, gradients.matrix(Kind::AttnProjWeight, l));
        addColumnSums(m_dResidual, gradients.row(Kind::AttnProjBias, l));
        GptProducts::multiplyByTransposed(m_dResidual, w.matrix(Kind::AttnProjWeight, l), m_dHeads);
        attentionBackward(model, L, forward.batch, forward.tokens);
        GptProducts::accumulateTransposedProduct(L.norm1Out, m_dQkv, gradients.matrix(Kind::AttnWeight, l));
        addColumnSums(m_dQkv, gradients.row(Kind::AttnBias, l));
        GptProducts::multiplyByTransposed(m_dQkv, w.matrix(Kind::AttnWeight, l), m_dNormOut);
        GptKernels::layerNormBackward(m_dNormOut, L.norm1Hat, L.norm1Rstd, w.row(Kind::Norm1Gain, l).data(),
                                      gradients.row(Kind::Norm1Gain, l).data(), gradients.row(Kind::Norm1Bias, l).data(), m_dResidual);
    }

    RowMatrixMap dWpe = gradients.matrix(Kind::PositionEmbedding);
    for (int b = 0; b < forward.batch; ++b)
        for (int t = 0; t < forward.tokens; ++t) {
            const Eigen::Index r = Eigen::Index(b) * forward.tokens + t;
            dWte.row(forward.ids[std::size_t(r)]) += m_dResidual.row(r);
            dWpe.row(t) += m_dResidual.row(r);
        }
}

// From dHeads (the gradient of the concatenated head outputs) to dQkv, one (sequence, head) at a time:
// Z = P V, P = softmax(S), S = Q K^T / sqrt(dh).
void GptBackward::attentionBackward(const GptModel& model, const GptActivations::Layer& layer, int batch, int tokens)
{
    const GptConfig& c = model.config();
    const int d = c.width, dh = c.headDim(), H = c.heads;
    const float scale = 1.0f / std::sqrt(float(dh));
    for (int b = 0; b < batch; ++b) {
        const std::size_t rowOffset = std::size_t(b) * std::size_t(tokens);
        const float* qkv = layer.qkv.data() + rowOffset * 3 * d;
        float* dqkv = m_dQkv.data() + rowOffset * 3 * d;
        for (int h = 0; h < H; ++h)
            CausalAttention::backward(qkv + h * dh, qkv + d + h * dh, qkv + 2 * d + h * dh, 3 * d,
                                      layer.probabilities.data() + (rowOffset * H + std::size_t(h) * tokens) * tokens,
                                      m_dHeads.data() + rowOffset * d + h * dh, d, tokens, dh, scale, dqkv + h * dh,
                                      dqkv + d + h * dh, dqkv + 2 * d + h * dh, m_attentionScratch);
    }
}

} // namespace featurescope
