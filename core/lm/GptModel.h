#pragma once

#include "lm/GptActivations.h"
#include "lm/GptHooks.h"
#include "lm/GptWeights.h"

#include <vector>

namespace featurescope {

// A GPT-2 language model: embeddings, pre-LayerNorm blocks of causal multi-head attention and a GELU MLP, a final
// LayerNorm and logits tied to the token embedding. Float32, row vectors, batched over [batch, tokens].
class GptModel {
public:
    GptModel() = default;
    explicit GptModel(GptWeights weights) : m_weights(std::move(weights)) {}

    const GptConfig& config() const { return m_weights.config(); }
    const GptWeights& weights() const { return m_weights; }
    GptWeights& weights() { return m_weights; }

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

    GptWeights m_weights;
};

} // namespace featurescope
