#include "math/Sgemm.h"

#include <algorithm>
#include <cstdlib>
#include <memory>

#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
#include <immintrin.h>
#endif

namespace featurescope {

namespace {

// One SIMD register of floats and the four operations the micro-kernel needs.
#if defined(__AVX512F__)
struct Lane {
    using T = __m512;
    static constexpr int width = 16;
    static T zero() { return _mm512_setzero_ps(); }
    static T load(const float* p) { return _mm512_loadu_ps(p); }
    static T broadcast(float x) { return _mm512_set1_ps(x); }
    static T fma(T a, T b, T c) { return _mm512_fmadd_ps(a, b, c); }
    static T add(T a, T b) { return _mm512_add_ps(a, b); }
    static void store(float* p, T v) { _mm512_storeu_ps(p, v); }
};
// 12 rows x 2 registers = 24 accumulators, 2 for B and 1 broadcast: 27 of the 32 vector registers.
#ifndef SGEMM_TUNE
constexpr int kTileRows = 12, kTileVectors = 2, kRowBlock = 96, kDepthBlock = 768, kColumnBlock = 3072;
#else
constexpr int kTileRows = SGEMM_MR, kTileVectors = SGEMM_NV, kRowBlock = SGEMM_MC, kDepthBlock = SGEMM_KC, kColumnBlock = SGEMM_NC;
#endif
constexpr const char* kKernelName = "avx512 12x32";
#elif defined(__AVX2__) && defined(__FMA__)
struct Lane {
    using T = __m256;
    static constexpr int width = 8;
    static T zero() { return _mm256_setzero_ps(); }
    static T load(const float* p) { return _mm256_loadu_ps(p); }
    static T broadcast(float x) { return _mm256_set1_ps(x); }
    static T fma(T a, T b, T c) { return _mm256_fmadd_ps(a, b, c); }
    static T add(T a, T b) { return _mm256_add_ps(a, b); }
    static void store(float* p, T v) { _mm256_storeu_ps(p, v); }
};
// 6 rows x 2 registers = 12 accumulators of the 16 registers.
constexpr int kTileRows = 6, kTileVectors = 2, kRowBlock = 72, kDepthBlock = 256, kColumnBlock = 3072;
constexpr const char* kKernelName = "avx2 6x16";
#else
struct Lane {
    using T = float;
    static constexpr int width = 1;
    static T zero() { return 0.0f; }
    static T load(const float* p) { return *p; }
    static T broadcast(float x) { return x; }
    static T fma(T a, T b, T c) { return a * b + c; }
    static T add(T a, T b) { return a + b; }
    static void store(float* p, T v) { *p = v; }
};
constexpr int kTileRows = 4, kTileVectors = 8, kRowBlock = 64, kDepthBlock = 256, kColumnBlock = 2048;
constexpr const char* kKernelName = "portable";
#endif

constexpr int kTileCols = kTileVectors * Lane::width;

// C tile (kTileRows x kTileCols) = sum over p of a[p] (a column of kTileRows) times b[p] (a row of kTileCols).
// The accumulators live in registers for the whole depth; C is read and written once.
// Only the first `rows` rows of the tile are stored (A's padding rows are zeros and their results are dropped).
inline void microKernel(int depth, const float* a, const float* b, float* c, std::ptrdiff_t ldc, bool add,
                        int rows = kTileRows)
{
    typename Lane::T acc[kTileRows][kTileVectors];
#pragma GCC unroll 16
    for (int i = 0; i < kTileRows; ++i)
#pragma GCC unroll 8
        for (int j = 0; j < kTileVectors; ++j)
            acc[i][j] = Lane::zero();
    for (int p = 0; p < depth; ++p) {
        typename Lane::T bv[kTileVectors];
#pragma GCC unroll 8
        for (int j = 0; j < kTileVectors; ++j)
            bv[j] = Lane::load(b + j * Lane::width);
#pragma GCC unroll 16
        for (int i = 0; i < kTileRows; ++i) {
            const typename Lane::T av = Lane::broadcast(a[i]);
#pragma GCC unroll 8
            for (int j = 0; j < kTileVectors; ++j)
                acc[i][j] = Lane::fma(av, bv[j], acc[i][j]);
        }
        a += kTileRows;
        b += kTileCols;
    }
#pragma GCC unroll 16
    for (int i = 0; i < kTileRows; ++i)
#pragma GCC unroll 8
        for (int j = 0; j < kTileVectors; ++j) {
            if (i >= rows)
                break;
            float* dst = c + i * ldc + j * Lane::width;
            Lane::store(dst, add ? Lane::add(Lane::load(dst), acc[i][j]) : acc[i][j]);
        }
}

// Copies rows [0, rows) x depth of A into tiles of kTileRows rows, each stored column by column (zero-padded).
void packA(int rows, int depth, const float* a, std::ptrdiff_t rs, std::ptrdiff_t cs, float* out)
{
    for (int i0 = 0; i0 < rows; i0 += kTileRows) {
        const int r = std::min(kTileRows, rows - i0);
        const float* src = a + i0 * rs;
        if (rs == 1) { // transposed storage: each column of the tile is contiguous
            for (int p = 0; p < depth; ++p, out += kTileRows) {
                const float* col = src + p * cs;
                int i = 0;
                for (; i < r; ++i)
                    out[i] = col[i];
                for (; i < kTileRows; ++i)
                    out[i] = 0.0f;
            }
        } else {
            for (int p = 0; p < depth; ++p, out += kTileRows) {
                int i = 0;
                for (; i < r; ++i)
                    out[i] = src[i * rs + p * cs];
                for (; i < kTileRows; ++i)
                    out[i] = 0.0f;
            }
        }
    }
}

// Copies depth x columns [0, cols) of B into strips of kTileCols columns, each stored row by row (zero-padded).
void packB(int depth, int cols, const float* b, std::ptrdiff_t rs, std::ptrdiff_t cs, float* out)
{
    for (int j0 = 0; j0 < cols; j0 += kTileCols) {
        const int w = std::min(kTileCols, cols - j0);
        const float* src = b + j0 * cs;
        if (cs == 1) { // row-major storage: each row of the strip is contiguous
            if (w == kTileCols) {
                for (int p = 0; p < depth; ++p, out += kTileCols)
#pragma GCC unroll 8
                    for (int j = 0; j < kTileVectors; ++j)
                        Lane::store(out + j * Lane::width, Lane::load(src + p * rs + j * Lane::width));
                continue;
            }
            for (int p = 0; p < depth; ++p, out += kTileCols) {
                const float* row = src + p * rs;
                int j = 0;
                for (; j < w; ++j)
                    out[j] = row[j];
                for (; j < kTileCols; ++j)
                    out[j] = 0.0f;
            }
        } else {
#if defined(__AVX512F__)
            // Transposed storage (B = W^T with W row-major): one gather per register of the strip's row, 16 stored
            // rows at a time; lanes past the matrix's edge are masked to zero.
            if (cs <= (std::ptrdiff_t(1) << 26) && rs == 1) {
                const __m512i lane = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                                        _mm512_set1_epi32(int(cs)));
                for (int v = 0; v < kTileVectors; ++v) {
                    const int valid = std::clamp(w - v * 16, 0, 16);
                    const __mmask16 mask = __mmask16((1u << valid) - 1u);
                    const float* base = src + std::ptrdiff_t(v) * 16 * cs;
                    float* dst = out + v * 16;
                    for (int p = 0; p < depth; ++p)
                        _mm512_storeu_ps(dst + std::ptrdiff_t(p) * kTileCols,
                                         _mm512_mask_i32gather_ps(_mm512_setzero_ps(), mask, lane, base + p, 4));
                }
                out += std::ptrdiff_t(depth) * kTileCols;
                continue;
            }
#endif
            // Transposed storage (B = W^T with W row-major): walk each stored row once, scattering into the strip.
            for (int j = 0; j < kTileCols; ++j) {
                float* dst = out + j;
                if (j < w) {
                    const float* row = src + j * cs;
                    for (int p = 0; p < depth; ++p)
                        dst[p * kTileCols] = row[p * rs];
                } else {
                    for (int p = 0; p < depth; ++p)
                        dst[p * kTileCols] = 0.0f;
                }
            }
            out += std::ptrdiff_t(depth) * kTileCols;
        }
    }
}

struct AlignedFree {
    void operator()(float* p) const { std::free(p); }
};

// Per-thread packing buffers, grown on demand and kept: the products run many times on the same shapes.
struct PackBuffers {
    std::unique_ptr<float, AlignedFree> a, b;
    std::size_t aSize = 0, bSize = 0;

    static float* ensure(std::unique_ptr<float, AlignedFree>& buffer, std::size_t& size, std::size_t needed)
    {
        if (needed > size) {
            const std::size_t bytes = (needed * sizeof(float) + 63) / 64 * 64;
            buffer.reset(static_cast<float*>(std::aligned_alloc(64, bytes)));
            if (!buffer)
                throw std::bad_alloc();
            size = needed;
        }
        return buffer.get();
    }
};

int roundUp(int x, int multiple) { return (x + multiple - 1) / multiple * multiple; }

} // namespace

const char* Sgemm::kernelName() { return kKernelName; }

void Sgemm::multiply(int m, int n, int k, View a, View b, float* c, std::ptrdiff_t ldc, bool accumulate)
{
    if (m <= 0 || n <= 0)
        return;
    if (k <= 0) {
        if (!accumulate)
            for (int i = 0; i < m; ++i)
                std::fill(c + i * ldc, c + i * ldc + n, 0.0f);
        return;
    }
    thread_local PackBuffers buffers;
    const int ncMax = std::min(roundUp(n, kTileCols), kColumnBlock);
    const int kcMax = std::min(k, kDepthBlock);
    const int mcMax = std::min(roundUp(m, kTileRows), kRowBlock);
    float* packedB = PackBuffers::ensure(buffers.b, buffers.bSize, std::size_t(ncMax) * std::size_t(kcMax));
    float* packedA = PackBuffers::ensure(buffers.a, buffers.aSize, std::size_t(mcMax) * std::size_t(kcMax));
    alignas(64) float edge[kTileRows * kTileCols];

    for (int jc = 0; jc < n; jc += kColumnBlock) {
        const int nc = std::min(kColumnBlock, n - jc);
        for (int pc = 0; pc < k; pc += kDepthBlock) {
            const int kc = std::min(kDepthBlock, k - pc);
            const bool add = accumulate || pc > 0;
            packB(kc, nc, b.data + pc * b.rowStride + jc * b.colStride, b.rowStride, b.colStride, packedB);
            for (int ic = 0; ic < m; ic += kRowBlock) {
                const int mc = std::min(kRowBlock, m - ic);
                packA(mc, kc, a.data + ic * a.rowStride + pc * a.colStride, a.rowStride, a.colStride, packedA);
                for (int jr = 0; jr < nc; jr += kTileCols) {
                    const int w = std::min(kTileCols, nc - jr);
                    const float* bStrip = packedB + std::ptrdiff_t(jr) * kc;
                    for (int ir = 0; ir < mc; ir += kTileRows) {
                        const int r = std::min(kTileRows, mc - ir);
                        const float* aTile = packedA + std::ptrdiff_t(ir) * kc;
                        float* cTile = c + std::ptrdiff_t(ic + ir) * ldc + (jc + jr);
                        if (w == kTileCols) {
                            microKernel(kc, aTile, bStrip, cTile, ldc, add, r);
                            continue;
                        }
                        // A tile cut by C's right edge is computed whole into a scratch tile; only its valid part
                        // reaches C.
                        microKernel(kc, aTile, bStrip, edge, kTileCols, false);
                        for (int i = 0; i < r; ++i)
                            for (int j = 0; j < w; ++j)
                                cTile[i * ldc + j] = add ? cTile[i * ldc + j] + edge[i * kTileCols + j]
                                                         : edge[i * kTileCols + j];
                    }
                }
            }
        }
    }
}

} // namespace featurescope
