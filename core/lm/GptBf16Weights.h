#pragma once

#include "lm/GptWeights.h"
#include "math/Bf16Gemm.h"

#include <array>
#include <vector>

namespace featurescope {

// The linear layers of a model rounded to bfloat16 and packed for Bf16Gemm, once: per layer c_attn, attention
// c_proj, c_fc and MLP c_proj, and the unembedding (the token embedding transposed). A snapshot: it does not follow
// later changes to the weights (GptModel drops it when its weights are handed out for writing).
class GptBf16Weights {
public:
    explicit GptBf16Weights(const GptWeights& weights);

    const Bf16Gemm::PackedMatrix& attention(int layer) const { return m_layers[std::size_t(layer)][0]; }
    const Bf16Gemm::PackedMatrix& attentionProjection(int layer) const { return m_layers[std::size_t(layer)][1]; }
    const Bf16Gemm::PackedMatrix& mlpIn(int layer) const { return m_layers[std::size_t(layer)][2]; }
    const Bf16Gemm::PackedMatrix& mlpOut(int layer) const { return m_layers[std::size_t(layer)][3]; }
    const Bf16Gemm::PackedMatrix& unembedding() const { return m_unembedding; }

private:
    std::vector<std::array<Bf16Gemm::PackedMatrix, 4>> m_layers;
    Bf16Gemm::PackedMatrix m_unembedding;
};

} // namespace featurescope
