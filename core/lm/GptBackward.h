#pragma once

#include "lm/GptActivations.h"
#include "lm/GptModel.h"

#include <vector>
#include "lm/GptWeights.h"

namespace featurescope {

// The gradient of a loss with respect to every parameter of a GPT-2 model, from the buffers a forward pass kept
// (GptModel::forward with keepForBackward) and dLoss/dLogits. Holds its scratch buffers so training steps of the
// same size allocate nothing.
class GptBackward {
public:
    // Overwrites `gradients` (same config as the model) with dLoss/dParameters.
    void run(const GptModel& model, const GptActivations& forward, const RowMatrixF& dLogits, GptWeights& gradients);

private:
    void attentionBackward(const GptModel& model, const GptActivations::Layer& layer, int batch, int tokens);

    RowMatrixF m_dResidual; // dLoss/d(residual stream) [N, d]
    RowMatrixF m_dNormOut;  // [N, d]
    RowMatrixF m_dHeads;    // [N, d]
    RowMatrixF m_dQkv;      // [N, 3d]
    RowMatrixF m_dHidden;   // [N, f]
    std::vector<float> m_attentionScratch; // CausalAttention::backward's
};

} // namespace featurescope
