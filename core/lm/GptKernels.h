#pragma once

#include "lm/GptConfig.h"
#include "lm/GptWeights.h"

namespace featurescope {

// The element-wise pieces of the GPT-2 forward and backward passes (the products are GptProducts in GptModel and
// GptBackward). Row vectors: every row of a matrix is one token.
class GptKernels {
public:
    // out = hat * gain + bias with hat = (x - mean) * rstd, rstd = 1 / sqrt(var + eps) (biased variance).
    static void layerNorm(const RowMatrixF& x, const float* gain, const float* bias, double epsilon,
                          RowMatrixF& hat, Eigen::VectorXf& rstd, RowMatrixF& out);
    // Given dOut, accumulates dGain and dBias and ADDS dx to `dxAccumulate` (the residual gradient).
    static void layerNormBackward(const RowMatrixF& dOut, const RowMatrixF& hat, const Eigen::VectorXf& rstd,
                                  const float* gain, float* dGain, float* dBias,
                                  RowMatrixF& dxAccumulate);
    static void gelu(GptActivation kind, const RowMatrixF& pre, RowMatrixF& post);
    // dPre = dPost * gelu'(pre), in place on dPost.
    static void geluBackward(GptActivation kind, const RowMatrixF& pre, RowMatrixF& dPostToDPre);
};

} // namespace featurescope
