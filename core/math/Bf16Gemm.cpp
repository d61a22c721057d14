#include "math/Bf16Gemm.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#if defined(__AVX512BF16__) && defined(__AVX512F__)
#include <immintrin.h>
#define FEATURESCOPE_HAVE_BF16_KERNEL 1
#endif

namespace featurescope {

namespace {

constexpr int kStrip = 32;   // columns per packed strip: two registers of 16 float lanes
constexpr int kTileRows = 12; // rows per micro-tile: 24 accumulators

int pairsOf(int k) { return (k + 1) / 2; }

} // namespace

std::uint16_t Bf16Gemm::toBf16(float x)
{
    std::uint32_t u = 0;
    std::memcpy(&u, &x, sizeof u);
    if ((u & 0x7F800000u) == 0x7F800000u && (u & 0x007FFFFFu) != 0)
        return std::uint16_t((u >> 16) | 0x40u); // a quiet NaN
    u += 0x7FFFu + ((u >> 16) & 1u);
    return std::uint16_t(u >> 16);
}

float Bf16Gemm::fromBf16(std::uint16_t bits)
{
    const std::uint32_t u = std::uint32_t(bits) << 16;
    float x = 0.0f;
    std::memcpy(&x, &u, sizeof x);
    return x;
}

Bf16Gemm::PackedMatrix::PackedMatrix(int k, int n, Sgemm::View b) : m_k(k), m_n(n)
{
    // Strip s holds, for each pair q of rows (2q, 2q+1) and each column j of the strip, the two values side by
    // side: data[((s * pairs + q) * kStrip + j) * 2 + {0, 1}].
    const int pairs = pairsOf(k), strips = (n + kStrip - 1) / kStrip;
    m_data.assign(std::size_t(strips) * std::size_t(pairs) * kStrip * 2, 0);
    for (int s = 0; s < strips; ++s)
        for (int j = 0; j < kStrip && s * kStrip + j < n; ++j) {
            const int column = s * kStrip + j;
            std::uint16_t* out = m_data.data() + std::size_t(s) * std::size_t(pairs) * kStrip * 2 + std::size_t(j) * 2;
            for (int p = 0; p < k; ++p)
                out[std::size_t(p / 2) * kStrip * 2 + std::size_t(p % 2)] =
                    toBf16(b.data[p * b.rowStride + column * b.colStride]);
        }
}

#if FEATURESCOPE_HAVE_BF16_KERNEL

bool Bf16Gemm::available() { return true; }

void Bf16Gemm::multiply(int m, Sgemm::View a, const PackedMatrix& b, float* c, std::ptrdiff_t ldc, bool accumulate)
{
    const int k = b.m_k, n = b.m_n, pairs = pairsOf(k);
    if (m <= 0 || n <= 0)
        return;
    // A in tiles of kTileRows rows; per pair of k, each row's two values as one 32-bit word to broadcast.
    thread_local std::vector<std::uint32_t> packedA;
    const int tiles = (m + kTileRows - 1) / kTileRows;
    packedA.assign(std::size_t(tiles) * std::size_t(pairs) * kTileRows, 0u);
    for (int t = 0; t < tiles; ++t)
        for (int i = 0; i < kTileRows && t * kTileRows + i < m; ++i) {
            const float* row = a.data + (t * kTileRows + i) * a.rowStride;
            std::uint32_t* out = packedA.data() + std::size_t(t) * std::size_t(pairs) * kTileRows + std::size_t(i);
            for (int q = 0; q < pairs; ++q) {
                const std::uint32_t lo = toBf16(row[(2 * q) * a.colStride]);
                const std::uint32_t hi = 2 * q + 1 < k ? toBf16(row[(2 * q + 1) * a.colStride]) : 0u;
                out[std::size_t(q) * kTileRows] = lo | (hi << 16);
            }
        }
    alignas(64) float edge[kTileRows * kStrip];
    const int strips = (n + kStrip - 1) / kStrip;
    for (int s = 0; s < strips; ++s) {
        const std::uint16_t* strip = b.m_data.data() + std::size_t(s) * std::size_t(pairs) * kStrip * 2;
        const int w = std::min(kStrip, n - s * kStrip);
        for (int t = 0; t < tiles; ++t) {
            const int r = std::min(kTileRows, m - t * kTileRows);
            const std::uint32_t* tile = packedA.data() + std::size_t(t) * std::size_t(pairs) * kTileRows;
            __m512 acc[kTileRows][2];
#pragma GCC unroll 12
            for (int i = 0; i < kTileRows; ++i)
                acc[i][0] = acc[i][1] = _mm512_setzero_ps();
            const std::uint16_t* bp = strip;
            for (int q = 0; q < pairs; ++q, bp += kStrip * 2) {
                const __m512bh b0 = (__m512bh)_mm512_loadu_si512(bp);
                const __m512bh b1 = (__m512bh)_mm512_loadu_si512(bp + 32);
#pragma GCC unroll 12
                for (int i = 0; i < kTileRows; ++i) {
                    const __m512bh av = (__m512bh)_mm512_set1_epi32(int(tile[std::size_t(q) * kTileRows + std::size_t(i)]));
                    acc[i][0] = _mm512_dpbf16_ps(acc[i][0], av, b0);
                    acc[i][1] = _mm512_dpbf16_ps(acc[i][1], av, b1);
                }
            }
            float* target = c + std::ptrdiff_t(t) * kTileRows * ldc + s * kStrip;
            const bool direct = w == kStrip;
            const std::ptrdiff_t stride = direct ? ldc : kStrip;
            float* out = direct ? target : edge;
#pragma GCC unroll 12
            for (int i = 0; i < kTileRows; ++i) {
                if (i >= r)
                    break;
                for (int v = 0; v < 2; ++v) {
                    float* dst = out + i * stride + v * 16;
                    _mm512_storeu_ps(dst, direct && accumulate ? _mm512_add_ps(_mm512_loadu_ps(dst), acc[i][v]) : acc[i][v]);
                }
            }
            if (!direct)
                for (int i = 0; i < r; ++i)
                    for (int j = 0; j < w; ++j)
                        target[i * ldc + j] = accumulate ? target[i * ldc + j] + edge[i * kStrip + j] : edge[i * kStrip + j];
        }
    }
}

#else

bool Bf16Gemm::available() { return false; }

void Bf16Gemm::multiply(int, Sgemm::View, const PackedMatrix&, float*, std::ptrdiff_t, bool)
{
    throw std::logic_error("this build has no AVX512_BF16 kernel");
}

#endif

} // namespace featurescope
