#pragma once

#include "lm/GptActivations.h"
#include "lm/GptHooks.h"
#include "lm/GptWeights.h"

#include <memory>

#include <vector>

namespace featurescope {

class GptBf16Weights;

// A GPT-2 language model: embeddings, pre-LayerNorm blocks of causal multi-head attention and a GELU MLP, a final
// LayerNorm and logits tied to the token embedding. Float32, row vectors, batched over [batch, tokens].
class GptModel {
public:
    GptModel() = default;
    explicit GptModel(GptWeights weights) : m_weights(std::move(weights)) {}

    const GptConfig& config() const { return m_weights.config(); }
    const GptWeights& weights() const { return m_weights; }
    // Writable weights; any bfloat16 snapshot is dropped, since it would no longer match.
    GptWeights& weights()
    {
        m_bf16.reset();
        return m_weights;
    }

    // Inference in bfloat16 (AVX512_BF16 builds only, see Bf16Gemm::available()): the linear layers and the
    // unembedding multiply bfloat16-rounded inputs with float32 sums; everything else stays float32. Turning it on
    // packs a bfloat16 copy of those weights (half their float size). Throws InputError when the build has no
    // bfloat16 kernel. Not for training: the backward pass uses the float weights.
    void setBf16(bool on);
    bool bf16() const { return m_bf16 != nullptr; }

    // Runs ids[batch * tokens] (row b * tokens + t) through the model into `out` (logits in out.logits). Hooks see
    // and may replace activations. With `keepForBackward` every layer's buffers are kept for GptBackward. Throws
    // InputError for an id outside the vocabulary or more tokens than n_positions.
    void forward(const int* ids, int batch, int tokens, GptActivations& out, const GptHooks* hooks = nullptr,
                 bool keepForBackward = false) const;

    // Mean cross-entropy (nats) of the logits against `targets` (one per row; negative = not counted). With
    // `gradient`, writes dLoss/dLogits there (same shape as the logits). Returns 0 when no row counts.
    static double crossEntropy(const RowMatrixF& logits, const std::vector<int>& targets, RowMatrixF* gradient = nullptr);
    // Targets of next-token prediction: row b * tokens + t predicts ids[b * tokens + t + 1]; the last position of
    // every sequence predicts nothing (-1).
    static std::vector<int> nextTokenTargets(const int* ids, int batch, int tokens);

private:
    void attention(GptActivations::Layer& layer, int batch, int tokens) const;
    // out = in W + b for one of the four linear layers, in float or from the bfloat16 snapshot.
    void linear(const RowMatrixF& in, GptWeights::Kind kind, GptWeights::Kind biasKind, int layer,
                RowMatrixF& out) const;

    GptWeights m_weights;
    std::shared_ptr<const GptBf16Weights> m_bf16;
};

} // namespace featurescope
