#pragma once

#include "lm/GptConfig.h"
#include "lm/GptWeights.h"

#include <vector>

namespace featurescope {

// The buffers of one forward pass over [batch, tokens] ids, reused across calls of the same size so the hot loop
// allocates nothing. With `keepForBackward` every layer keeps what its backward pass needs; otherwise one set of
// layer buffers is shared by all layers (inference, harvesting).
struct GptActivations {
    struct Layer {
        RowMatrixF norm1Hat;    // (x - mean) * rstd before the gain [N, d]
        RowMatrixF norm1Out;    // LN1 output [N, d]
        Eigen::VectorXf norm1Rstd;
        RowMatrixF qkv;         // [N, 3d]
        std::vector<float> probabilities; // attention patterns [batch, heads, T, T]
        RowMatrixF heads;       // concatenated per-head outputs before c_proj [N, d]
        RowMatrixF norm2Hat;
        RowMatrixF norm2Out;
        Eigen::VectorXf norm2Rstd;
        RowMatrixF pre;         // MLP pre-activation [N, f]
        RowMatrixF post;        // after GELU [N, f]
    };

    int batch = 0;
    int tokens = 0;
    bool keepForBackward = false;
    std::vector<int> ids;       // [batch * tokens]
    RowMatrixF residual;        // the residual stream, updated in place [N, d]
    RowMatrixF blockOut;        // attention or MLP output before it is added [N, d]
    std::vector<Layer> layers;
    RowMatrixF finalHat;
    RowMatrixF finalOut;        // ln_final output [N, d]
    Eigen::VectorXf finalRstd;
    RowMatrixF logits;          // [N, vocab]

    int rows() const { return batch * tokens; }
    void resize(const GptConfig& config, int batchSize, int tokenCount, bool keep);
    Layer& layer(int index) { return layers[keepForBackward ? std::size_t(index) : 0]; }
    const Layer& layer(int index) const { return layers[keepForBackward ? std::size_t(index) : 0]; }
};

} // namespace featurescope
