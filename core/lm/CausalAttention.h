#pragma once

#include <vector>

namespace featurescope {

// Causal attention of one (sequence, head), written for short sequences and small heads, where a general matrix
// product spends more on its set-up than on arithmetic: only the entries at or below the diagonal are computed,
// and every inner loop runs over contiguous floats. q, k, v, z (and their gradients) are T rows of dh values with
// row stride `stride` (the heads sit side by side in the [N, 3d] and [N, d] activation matrices). p is the T x T
// softmax pattern, row-major, zero above the diagonal.
class CausalAttention {
public:
    // S = q k^T * scale (causal), p = softmax(S) by rows, z = p v.
    static void forward(const float* q, const float* k, const float* v, int stride, int tokens, int dh, float scale,
                        float* p, float* z, int zStride);
    // Given dz, writes dq, dk, dv (overwriting). `scratch` is reused between calls.
    static void backward(const float* q, const float* k, const float* v, int stride, const float* p, const float* dz,
                         int dzStride, int tokens, int dh, float scale, float* dq, float* dk, float* dv,
                         std::vector<float>& scratch);
};

} // namespace featurescope
