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

// Query rows per block in the products whose left factor is triangular (P and dS are zero above the diagonal): a
// block of rows needs only the depth where its rows are non-zero, about a third less work at 64 tokens. A
// multiple of the product kernels' row tiles (12 with AVX-512, 6 with AVX2), so no tile is left part-empty. The
// skipped terms are exact zeros, so the sums are the same as over the whole depth.
constexpr int kCausalBlock = 12;

// C[T x n] = L B with L lower-triangular (row i non-zero for columns 0..i): block r0 needs depth r0 + rows.
void lowerTimes(int tokens, int n, const float* lower, Sgemm::View b, float* c, std::ptrdiff_t ldc)
{
    for (int r0 = 0; r0 < tokens; r0 += kCausalBlock) {
        const int rows = std::min(kCausalBlock, tokens - r0);
        Sgemm::multiply(rows, n, r0 + rows, Sgemm::View(lower + std::size_t(r0) * std::size_t(tokens), tokens, 1), b,
                        c + r0 * ldc, ldc, false);
    }
}

// C[T x n] = L^T B with L lower-triangular: row i of L^T is non-zero for columns i..T-1, so block r0 starts its
// depth (and B's rows) at r0.
void lowerTransposedTimes(int tokens, int n, const float* lower, Sgemm::View b, float* c, std::ptrdiff_t ldc)
{
    for (int r0 = 0; r0 < tokens; r0 += kCausalBlock) {
        const int rows = std::min(kCausalBlock, tokens - r0);
        const Sgemm::View tail(b.data + r0 * b.rowStride, b.rowStride, b.colStride);
        Sgemm::multiply(rows, n, tokens - r0,
                        Sgemm::View(lower + std::size_t(r0) * std::size_t(tokens) + std::size_t(r0), 1, tokens), tail,
                        c + r0 * ldc, ldc, false);
    }
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
    lowerTimes(tokens, dh, p, values, z, zStride);
}

void CausalAttention::backward(const float* q, const float* k, const float* v, int stride, const float* p,
                               const float* dz, int dzStride, int tokens, int dh, float scale, float* dq, float* dk,
                               float* dv, std::vector<float>& scratch)
{
    const std::size_t T = std::size_t(tokens);
    scratch.resize(T * T);
    float* dS = scratch.data(); // T x T; zero above the diagonal because p is
    const Sgemm::View queries(q, stride, 1), keys(k, stride, 1), values(v, stride, 1), dZ(dz, dzStride, 1);
    // dP = dZ V^T; softmax backward dS = P (dP - sum_j P dP), times the score scale.
    Sgemm::multiply(tokens, tokens, dh, dZ, values.transposed(), dS, tokens, false);
    for (int i = 0; i < tokens; ++i) {
        const float* pRow = p + std::size_t(i) * T;
        float* g = dS + std::size_t(i) * T;
        const float dot = fixedOrderDot(g, pRow, i + 1);
        for (int j = 0; j < tokens; ++j)
            g[j] = pRow[j] * (g[j] - dot) * scale;
    }
    lowerTimes(tokens, dh, dS, keys, dq, stride);               // dQ = dS K
    lowerTransposedTimes(tokens, dh, dS, queries, dk, stride);  // dK = dS^T Q
    lowerTransposedTimes(tokens, dh, p, dZ, dv, stride);        // dV = P^T dZ
}

} // namespace featurescope
