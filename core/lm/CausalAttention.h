#pragma once

#include <vector>

namespace featurescope {

// Causal attention of one (sequence, head). The four products run as whole T x T squares on the packed matrix
// kernel (Sgemm): it computes the masked upper triangle too, yet is several times faster than loops over the
// lower triangle alone at the LM's sizes (T 64-1024, dh 32-128). q, k, v, z (and their gradients) are T rows of dh
// values with row stride `stride` (the heads sit side by side in the [N, 3d] and [N, d] activation matrices). p is
// the T x T softmax pattern, row-major, zero above the diagonal.
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
