#include "lm/CausalAttention.h"

#include <Eigen/Core>

#include <algorithm>
#include <cstddef>

namespace featurescope {

namespace {

// Sixteen floats in one vector register (GCC/Clang vector extension: AVX-512, two AVX halves or four SSE quarters).
typedef float Vec16 __attribute__((vector_size(64)));

inline Vec16 load16(const float* p)
{
    Vec16 v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

inline void store16(float* p, Vec16 v) { __builtin_memcpy(p, &v, sizeof v); }

// out[c * tokens + t] = in[t * stride + c]: a head's keys (or values) as dh rows of T contiguous floats, each row
// padded to a multiple of 16 so whole vectors can be read past the diagonal.
void transpose(const float* in, int stride, int tokens, int dh, int padded, float* out)
{
    for (int c = 0; c < dh; ++c) {
        float* row = out + std::size_t(c) * padded;
        for (int t = 0; t < tokens; ++t)
            row[t] = in[std::size_t(t) * stride + c];
        std::fill(row + tokens, row + padded, 0.0f);
    }
}

// row[0..i] = sum over c of a[c] * columns[c * padded + 0..i], sixteen columns at a time in registers.
void causalRow(const float* a, const float* columns, int padded, int dh, int i, float* row)
{
    alignas(64) float chunk[16];
    for (int j0 = 0; j0 <= i; j0 += 16) {
        Vec16 acc = {};
        for (int c = 0; c < dh; ++c)
            acc += a[c] * load16(columns + std::size_t(c) * padded + j0);
        if (j0 + 16 <= i + 1) {
            store16(row + j0, acc);
        } else {
            store16(chunk, acc);
            std::copy(chunk, chunk + (i + 1 - j0), row + j0);
        }
    }
}

// out[0..dh) = sum over j <= last of w[j] * rows[j * stride + 0..dh), for dh a multiple of 16 up to 128: the
// output row stays in registers for the whole sum.
template <int Vectors>
void weightedRows(const float* w, const float* rows, int stride, int last, float* out)
{
    Vec16 acc[Vectors] = {};
    for (int j = 0; j <= last; ++j) {
        const float* r = rows + std::ptrdiff_t(j) * stride;
        for (int v = 0; v < Vectors; ++v)
            acc[v] += w[j] * load16(r + 16 * v);
    }
    for (int v = 0; v < Vectors; ++v)
        store16(out + 16 * v, acc[v]);
}

void weightedRowsAny(const float* w, const float* rows, int stride, int last, int dh, float* out)
{
    switch (dh) {
    case 16: return weightedRows<1>(w, rows, stride, last, out);
    case 32: return weightedRows<2>(w, rows, stride, last, out);
    case 48: return weightedRows<3>(w, rows, stride, last, out);
    case 64: return weightedRows<4>(w, rows, stride, last, out);
    case 128: return weightedRows<8>(w, rows, stride, last, out);
    default: break;
    }
    std::fill(out, out + dh, 0.0f);
    for (int j = 0; j <= last; ++j)
        for (int c = 0; c < dh; ++c)
            out[c] += w[j] * rows[std::ptrdiff_t(j) * stride + c];
}

int paddedLength(int tokens) { return (tokens + 15) / 16 * 16; }

} // namespace

void CausalAttention::forward(const float* q, const float* k, const float* v, int stride, int tokens, int dh,
                              float scale, float* p, float* z, int zStride)
{
    thread_local std::vector<float> kt;
    const int padded = paddedLength(tokens);
    kt.resize(std::size_t(padded) * std::size_t(dh));
    transpose(k, stride, tokens, dh, padded, kt.data());
    for (int i = 0; i < tokens; ++i) {
        float* row = p + std::size_t(i) * tokens;
        causalRow(q + std::size_t(i) * stride, kt.data(), padded, dh, i, row);
        Eigen::Map<Eigen::ArrayXf> visible(row, i + 1);
        visible *= scale;
        visible = (visible - visible.maxCoeff()).exp(); // Eigen's exp is vectorised
        visible *= 1.0f / visible.sum();
        std::fill(row + i + 1, row + tokens, 0.0f);
        weightedRowsAny(row, v, stride, i, dh, z + std::size_t(i) * zStride);
    }
}

void CausalAttention::backward(const float* q, const float* k, const float* v, int stride, const float* p,
                               const float* dz, int dzStride, int tokens, int dh, float scale, float* dq, float* dk,
                               float* dv, std::vector<float>& scratch)
{
    const std::size_t T = std::size_t(tokens);
    const int padded = paddedLength(tokens);
    scratch.resize(2 * T * T + std::size_t(padded) * std::size_t(dh) + T);
    float* dS = scratch.data();                  // T x T, zero above the diagonal
    float* columns = scratch.data() + T * T;     // T x T: P or dS transposed, for the column sums below
    float* vt = columns + T * T;                 // dh x padded
    transpose(v, stride, tokens, dh, padded, vt);
    for (int i = 0; i < tokens; ++i) {
        const float* pRow = p + std::size_t(i) * T;
        float* g = dS + std::size_t(i) * T;
        // dP[i][j] = dZ[i] . V[j]; softmax backward dS = P (dP - sum_j P dP), times the score scale.
        causalRow(dz + std::size_t(i) * dzStride, vt, padded, dh, i, g);
        float dot = 0.0f;
        for (int j = 0; j <= i; ++j)
            dot += g[j] * pRow[j];
        for (int j = 0; j <= i; ++j)
            g[j] = pRow[j] * (g[j] - dot) * scale;
        std::fill(g + i + 1, g + T, 0.0f);
        // dQ[i] = sum_{j <= i} dS[i][j] K[j]
        weightedRowsAny(g, k, stride, i, dh, dq + std::size_t(i) * stride);
    }
    // dV[j] = sum_{i >= j} P[i][j] dZ[i] and dK[j] = sum_{i >= j} dS[i][j] Q[i]: the same weighted sums over the
    // transposed patterns (rows j, entries i >= j), walked from the end so that each sum covers i = j..T-1.
    auto columnSums = [&](const float* pattern, const float* rows, int rowStride, float* out) {
        for (int j = 0; j < tokens; ++j)
            for (int i = 0; i < tokens; ++i)
                columns[std::size_t(j) * T + std::size_t(tokens - 1 - i)] = pattern[std::size_t(i) * T + std::size_t(j)];
        for (int j = 0; j < tokens; ++j)
            // Reversed order: entry tokens-1-i of column row j holds pattern[i][j]; i >= j are the first tokens-j.
            weightedRowsAny(columns + std::size_t(j) * T, rows + std::size_t(tokens - 1) * rowStride, -rowStride,
                            tokens - 1 - j, dh, out + std::size_t(j) * stride);
    };
    columnSums(p, dz, dzStride, dv);
    columnSums(dS, q, stride, dk);
}

} // namespace featurescope
