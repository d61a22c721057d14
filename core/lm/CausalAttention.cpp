#include "lm/CausalAttention.h"

#include "math/Sgemm.h"

#include <Eigen/Core>

#include <algorithm>
#include <cstddef>

namespace featurescope {

namespace {

using Packet = Eigen::internal::packet_traits<float>::type;
constexpr int kLanes = Eigen::internal::packet_traits<float>::size;

// The rows below live at whatever address the caller's buffer gives them. Eigen's array expressions start their
// vectors at the first aligned element and do the rest in scalar code (std::exp, a differently rounded sum), so
// two equal rows at different addresses could give different bits, and a scan's results would depend on how its
// buffers happened to be allocated. These helpers put every element through the same vector code in index order.

// x[j] = exp((x[j] - shift) * scale), j < n
void shiftedExp(float* x, int n, float shift, float scale)
{
    using namespace Eigen::internal;
    const Packet s = pset1<Packet>(shift), k = pset1<Packet>(scale);
    int j = 0;
    for (; j + kLanes <= n; j += kLanes)
        pstoreu(x + j, pexp(pmul(psub(ploadu<Packet>(x + j), s), k)));
    if (j < n) {
        float tail[kLanes] = {};
        std::copy(x + j, x + n, tail);
        pstoreu(tail, pexp(pmul(psub(ploadu<Packet>(tail), s), k)));
        std::copy(tail, tail + (n - j), x + j);
    }
}

// The sum of x[j] y[j] (of x[j] when y is null), j < n: kLanes partial sums by index, then those in order.
float fixedOrderDot(const float* x, const float* y, int n)
{
    float partial[kLanes] = {};
    int j = 0;
    for (; j + kLanes <= n; j += kLanes)
        for (int l = 0; l < kLanes; ++l)
            partial[l] += y ? x[j + l] * y[j + l] : x[j + l];
    float sum = 0.0f;
    for (int l = 0; l < kLanes; ++l)
        sum += partial[l];
    for (; j < n; ++j)
        sum += y ? x[j] * y[j] : x[j];
    return sum;
}

} // namespace

void CausalAttention::forward(const float* q, const float* k, const float* v, int stride, int tokens, int dh,
                              float scale, float* p, float* z, int zStride)
{
    const Sgemm::View queries(q, stride, 1), keys(k, stride, 1), values(v, stride, 1);
    // The whole square of scores as one product: at these sizes the packed kernel does the extra upper triangle
    // faster than a loop nest does the lower one.
    Sgemm::multiply(tokens, tokens, dh, queries, keys.transposed(), p, tokens, false);
    for (int i = 0; i < tokens; ++i) {
        float* row = p + std::size_t(i) * tokens;
        const float maximum = *std::max_element(row, row + i + 1);
        shiftedExp(row, i + 1, maximum, scale);
        std::fill(row + i + 1, row + tokens, 0.0f);
        const float inverse = 1.0f / fixedOrderDot(row, nullptr, i + 1);
        for (int j = 0; j <= i; ++j)
            row[j] *= inverse;
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
        const float* pRow = p + std::size_t(i) * T;
        float* g = dS + std::size_t(i) * T;
        const float dot = fixedOrderDot(g, pRow, i + 1);
        for (int j = 0; j < tokens; ++j)
            g[j] = pRow[j] * (g[j] - dot) * scale;
    }
    Sgemm::multiply(tokens, dh, tokens, dScores, keys, dq, stride, false);                // dQ = dS K
    Sgemm::multiply(tokens, dh, tokens, dScores.transposed(), queries, dk, stride, false); // dK = dS^T Q
    Sgemm::multiply(tokens, dh, tokens, pattern.transposed(), dZ, dv, stride, false);      // dV = P^T dZ
}

} // namespace featurescope
