#include "lm/CausalAttention.h"

#include "math/Sgemm.h"

#include <Eigen/Core>

#include <algorithm>
#include <cstddef>

namespace featurescope {

void CausalAttention::forward(const float* q, const float* k, const float* v, int stride, int tokens, int dh,
                              float scale, float* p, float* z, int zStride)
{
    const Sgemm::View queries(q, stride, 1), keys(k, stride, 1), values(v, stride, 1);
    // The whole square of scores as one product: at these sizes the packed kernel does the extra upper triangle
    // faster than a loop nest does the lower one.
    Sgemm::multiply(tokens, tokens, dh, queries, keys.transposed(), p, tokens, false);
    for (int i = 0; i < tokens; ++i) {
        float* row = p + std::size_t(i) * tokens;
        Eigen::Map<Eigen::ArrayXf> visible(row, i + 1);
        const float maximum = visible.maxCoeff();
        // Rounded up to whole vectors (no scalar tail per row); the masked entries are overwritten just after.
        Eigen::Map<Eigen::ArrayXf> whole(row, std::min(tokens, (i + 16) / 16 * 16));
        whole = ((whole - maximum) * scale).exp();
        std::fill(row + i + 1, row + tokens, 0.0f);
        visible *= 1.0f / visible.sum();
    }
    Sgemm::multiply(tokens, dh, tokens, Sgemm::View(p, tokens, 1), values, z, zStride, false);
}

void CausalAttention::backward(const float* q, const float* k, const float* v, int stride, const float* p,
                               const float* dz, int dzStride, int tokens, int dh, float scale, float* dq, float* dk,
                               float* dv, std::vector<float>& scratch)
{
    const std::size_t T = std::size_t(tokens);
    scratch.resize(T * T);
    float* dS = scratch.data(); // T x T; zero above the diagonal because p is
    const Sgemm::View queries(q, stride, 1), keys(k, stride, 1), values(v, stride, 1), dZ(dz, dzStride, 1);
    const Sgemm::View pattern(p, tokens, 1), dScores(dS, tokens, 1);
    // dP = dZ V^T; softmax backward dS = P (dP - sum_j P dP), times the score scale.
    Sgemm::multiply(tokens, tokens, dh, dZ, values.transposed(), dS, tokens, false);
    for (int i = 0; i < tokens; ++i) {
        const Eigen::Map<const Eigen::ArrayXf> pRow(p + std::size_t(i) * T, tokens);
        Eigen::Map<Eigen::ArrayXf> g(dS + std::size_t(i) * T, tokens);
        const float dot = (g * pRow).sum();
        g = pRow * (g - dot) * scale;
    }
    Sgemm::multiply(tokens, dh, tokens, dScores, keys, dq, stride, false);                // dQ = dS K
    Sgemm::multiply(tokens, dh, tokens, dScores.transposed(), queries, dk, stride, false); // dK = dS^T Q
    Sgemm::multiply(tokens, dh, tokens, pattern.transposed(), dZ, dv, stride, false);      // dV = P^T dZ
}

} // namespace featurescope
