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
constexpr int kTileRows = 12, kTileVectors = 2, kRowBlock = 96, kDepthBlock = 512, kColumnBlock = 3072;
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
// How far ahead (in floats of packed A, about 20 steps of depth of the AVX-512 tile) the micro-kernel prefetches.
constexpr int kAPrefetchDistance = 256;
static_assert(kTileRows <= 16, "the AVX-512 packing transposes at most 16 rows of A at a time");

#if defined(__AVX512F__)
// Transposes a 16 x 16 block held in 16 registers (row i in r[i]) so that r[q] holds column q. Two rounds of
// in-lane unpacks and shuffles gather 4 x 4 sub-blocks, two rounds of 128-bit lane shuffles put them in place.
// Packing with it is about twice as fast as one gather per register on Zen 4 and similar on Intel cores.
inline void transpose16x16(__m512 r[16])
{
    __m512 t[16];
    for (int i = 0; i < 8; ++i) {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    // r[4i + c], lane l: rows 4i..4i+3 of column 4l + c
    for (int i = 0; i < 4; ++i) {
        r[4 * i + 0] = _mm512_shuffle_ps(t[4 * i + 0], t[4 * i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        r[4 * i + 1] = _mm512_shuffle_ps(t[4 * i + 0], t[4 * i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        r[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        r[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    for (int c = 0; c < 4; ++c) {
        const __m512 x = _mm512_shuffle_f32x4(r[c], r[4 + c], 0x88), y = _mm512_shuffle_f32x4(r[c], r[4 + c], 0xdd);
        const __m512 z = _mm512_shuffle_f32x4(r[8 + c], r[12 + c], 0x88);
        const __m512 w = _mm512_shuffle_f32x4(r[8 + c], r[12 + c], 0xdd);
        t[c] = _mm512_shuffle_f32x4(x, z, 0x88);
        t[8 + c] = _mm512_shuffle_f32x4(x, z, 0xdd);
        t[4 + c] = _mm512_shuffle_f32x4(y, w, 0x88);
        t[12 + c] = _mm512_shuffle_f32x4(y, w, 0xdd);
    }
    for (int q = 0; q < 16; ++q)
        r[q] = t[q];
}

// Copies a block of `lines` (<= 16) memory lines of `count` (<= 16) contiguous floats each, line i at src + i * stride,
// transposed: element p of line i goes to out[p * outStride + i] for p < count, i < lines (stored `width` wide, the
// lines past `lines` as zeros).
inline void transposeLines(const float* src, std::ptrdiff_t stride, int lines, int count, float* out,
                           std::ptrdiff_t outStride, int width)
{
    __m512 r[16];
    const __mmask16 countMask = __mmask16((1u << count) - 1u);
    for (int i = 0; i < 16; ++i)
        r[i] = i < lines ? _mm512_maskz_loadu_ps(countMask, src + i * stride) : _mm512_setzero_ps();
    transpose16x16(r);
    const __mmask16 widthMask = __mmask16((1u << width) - 1u);
    for (int p = 0; p < count; ++p)
        _mm512_mask_storeu_ps(out + p * outStride, widthMask, r[p]);
}
#endif

// C tile (kTileRows x kTileCols) = sum over p of a[p] (a column of kTileRows) times b[p] (a row of kTileCols).
// The accumulators live in registers for the whole depth; C is read and written once.
// Only the first `rows` rows of the tile are stored (A's padding rows are zeros and their results are dropped).
inline void microKernel(int depth, const float* a, const float* b, float* c, std::ptrdiff_t ldc, bool add,
                        int rows = kTileRows, const float* bias = nullptr)
{
    // C's rows are fetched while the tile computes, so the stores at the end do not wait on memory.
    for (int i = 0; i < rows; ++i) {
        __builtin_prefetch(c + i * ldc, 1, 3);
        __builtin_prefetch(c + i * ldc + kTileCols - 1, 1, 3);
    }
    typename Lane::T acc[kTileRows][kTileVectors];
#pragma GCC unroll 16
    for (int i = 0; i < kTileRows; ++i)
#pragma GCC unroll 8
        for (int j = 0; j < kTileVectors; ++j)
            acc[i][j] = Lane::zero();
    for (int p = 0; p < depth; ++p) {
        typename Lane::T bv[kTileVectors];
        // The A tiles stream from L2 (the B strip stays in L1): the hardware prefetcher alone leaves the kernel
        // waiting on them about a fifth of the time on this shape of problem.
        __builtin_prefetch(a + kAPrefetchDistance, 0, 3);
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
            typename Lane::T sum = add ? Lane::add(Lane::load(dst), acc[i][j]) : acc[i][j];
            if (bias)
                sum = Lane::add(sum, Lane::load(bias + j * Lane::width));
            Lane::store(dst, sum);
        }
}

// Copies rows [0, rows) x depth of A into tiles of kTileRows rows, each stored column by column (zero-padded).
void packA(int rows, int depth, const float* a, std::ptrdiff_t rs, std::ptrdiff_t cs, float* out)
{
    if (rs == 1) {
        // Transposed storage (A = X^T, the weight gradients): each stored row of X holds one step of depth for all the
        // tiles. Walking X row by row, in memory order, keeps the hardware prefetcher ahead; tile by tile it strided
        // over the rows and waited on every cache miss.
        const int tiles = (rows + kTileRows - 1) / kTileRows;
        for (int p = 0; p < depth; ++p) {
            const float* line = a + p * cs;
            for (int t = 0; t < tiles; ++t) {
                const int r = std::min(kTileRows, rows - t * kTileRows);
                float* dst = out + (std::ptrdiff_t(t) * depth + p) * kTileRows;
#if defined(__AVX512F__)
                _mm512_mask_storeu_ps(dst, __mmask16((1u << kTileRows) - 1u),
                                      _mm512_maskz_loadu_ps(__mmask16((1u << r) - 1u), line + t * kTileRows));
#else
                int i = 0;
                for (; i < r; ++i)
                    dst[i] = line[t * kTileRows + i];
                for (; i < kTileRows; ++i)
                    dst[i] = 0.0f;
#endif
            }
        }
        return;
    }
    for (int i0 = 0; i0 < rows; i0 += kTileRows) {
        const int r = std::min(kTileRows, rows - i0);
        const float* src = a + i0 * rs;
#if defined(__AVX512F__)
        if (cs == 1) { // row-major storage: transpose 16 steps of depth of the tile's rows at a time
            for (int p = 0; p < depth; p += 16)
                transposeLines(src + p, rs, r, std::min(16, depth - p), out + p * kTileRows, kTileRows, kTileRows);
            out += std::ptrdiff_t(depth) * kTileRows;
            continue;
        }
#endif
        for (int p = 0; p < depth; ++p, out += kTileRows) {
            int i = 0;
            for (; i < r; ++i)
                out[i] = src[i * rs + p * cs];
            for (; i < kTileRows; ++i)
                out[i] = 0.0f;
        }
    }
}

// Copies depth x columns [0, cols) of B into strips of kTileCols columns, each stored row by row (zero-padded).
void packB(int depth, int cols, const float* b, std::ptrdiff_t rs, std::ptrdiff_t cs, float* out)
{
    if (cs == 1 && cols >= 2 * kTileCols) {
        // Row-major B: each stored row is read once, in memory order, and its full strips are scattered to their
        // panels (strip by strip, every row was fetched again for each strip).
        const int fullStrips = cols / kTileCols;
        for (int p = 0; p < depth; ++p) {
            const float* row = b + p * rs;
            for (int s = 0; s < fullStrips; ++s)
#pragma GCC unroll 8
                for (int j = 0; j < kTileVectors; ++j)
                    Lane::store(out + (std::ptrdiff_t(s) * depth + p) * kTileCols + j * Lane::width,
                                Lane::load(row + s * kTileCols + j * Lane::width));
        }
        const int done = fullStrips * kTileCols;
        if (done < cols)
            packB(depth, cols - done, b + done, rs, cs, out + std::ptrdiff_t(fullStrips) * depth * kTileCols);
        return;
    }
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
            // Transposed storage (B = W^T with W row-major): 16 stored rows by 16 steps of depth at a time, transposed in
            // registers; rows past the matrix's edge are zeros.
            if (rs == 1) {
                for (int v = 0; v < kTileVectors; ++v) {
                    const int valid = std::clamp(w - v * 16, 0, 16);
                    for (int p = 0; p < depth; p += 16)
                        transposeLines(src + std::ptrdiff_t(v) * 16 * cs + p, cs, valid, std::min(16, depth - p),
                                       out + std::ptrdiff_t(p) * kTileCols + v * 16, kTileCols, 16);
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

#if defined(__AVX512F__)
// The micro-kernel of small products, reading A where it lies: A's rows are broadcast from memory exactly as the
// packed kernel broadcasts them from its panel, so a short A (the attention's T x dh blocks) needs no copy. B is
// read as rows of kTileCols floats with row stride ldb (packed or already in that layout); `cols` < kTileCols masks
// the strip's right edge. Rows past `rows` repeat the last valid row and are not stored.
void directKernel(int depth, const float* a, std::ptrdiff_t rs, std::ptrdiff_t cs, int rows, const float* b,
                  std::ptrdiff_t ldb, int cols, float* c, std::ptrdiff_t ldc, bool add)
{
    __mmask16 mask[kTileVectors];
    for (int v = 0; v < kTileVectors; ++v) {
        const int valid = std::clamp(cols - 16 * v, 0, 16);
        mask[v] = __mmask16((1u << valid) - 1u);
    }
    const float* row[kTileRows];
    for (int i = 0; i < kTileRows; ++i)
        row[i] = a + std::min(i, rows - 1) * rs;
    __m512 acc[kTileRows][kTileVectors];
#pragma GCC unroll 16
    for (int i = 0; i < kTileRows; ++i)
#pragma GCC unroll 8
        for (int v = 0; v < kTileVectors; ++v)
            acc[i][v] = _mm512_setzero_ps();
    for (int p = 0; p < depth; ++p) {
        __m512 bv[kTileVectors];
#pragma GCC unroll 8
        for (int v = 0; v < kTileVectors; ++v)
            bv[v] = _mm512_maskz_loadu_ps(mask[v], b + p * ldb + 16 * v);
        const std::ptrdiff_t offset = p * cs;
#pragma GCC unroll 16
        for (int i = 0; i < kTileRows; ++i) {
            const __m512 av = _mm512_set1_ps(row[i][offset]);
#pragma GCC unroll 8
            for (int v = 0; v < kTileVectors; ++v)
                acc[i][v] = _mm512_fmadd_ps(av, bv[v], acc[i][v]);
        }
    }
    // Every loop over acc is unrolled, so its indices are constants and acc lives in registers: a loop to the
    // run-time `rows` made GCC keep acc in memory and store all 24 accumulators on every step of the depth loop,
    // which halved the kernel's speed.
#pragma GCC unroll 16
    for (int i = 0; i < kTileRows; ++i) {
        if (i < rows) {
#pragma GCC unroll 8
            for (int v = 0; v < kTileVectors; ++v) {
                float* dst = c + i * ldc + 16 * v;
                const __m512 sum = add ? _mm512_add_ps(acc[i][v], _mm512_maskz_loadu_ps(mask[v], dst)) : acc[i][v];
                _mm512_mask_storeu_ps(dst, mask[v], sum);
            }
        }
    }
}

// Products small enough to run without packing A (attention's per-head products): B is used in place when its rows
// are contiguous, or packed once, whole, when it is stored transposed.
bool smallProduct(int m, int n, int k) { return k <= 128 && std::ptrdiff_t(m) * n <= 65536; }
#endif

struct AlignedFree {
    void operator()(float* p) const { std::free(p); }
};

// Per-thread packing buffers, grown on demand and kept: the products run many times on the same shapes.
struct PackBuffers {
    std::unique_ptr<float, AlignedFree> a, b;
    std::size_t aSize = 0, bSize = 0;

    static PackBuffers& forThisThread()
    {
        thread_local PackBuffers buffers;
        return buffers;
    }

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

// The blocked product: B is packed per (column block, depth block) into the thread's buffer, or read from
// `prePacked` (Sgemm::pack's layout: those blocks one after another in the same loop order).
void blockedProduct(int m, int n, int k, Sgemm::View a, Sgemm::View b, const float* prePacked, float* c,
                    std::ptrdiff_t ldc, bool accumulate, const float* bias)
{
    PackBuffers& buffers = PackBuffers::forThisThread();
    const int ncMax = std::min(roundUp(n, kTileCols), kColumnBlock);
    const int kcMax = std::min(k, kDepthBlock);
    const int mcMax = std::min(roundUp(m, kTileRows), kRowBlock);
    float* ownB = prePacked ? nullptr
                            : PackBuffers::ensure(buffers.b, buffers.bSize, std::size_t(ncMax) * std::size_t(kcMax));
    const float* packedB = ownB;
    float* packedA = PackBuffers::ensure(buffers.a, buffers.aSize, std::size_t(mcMax) * std::size_t(kcMax));
    alignas(64) float edge[kTileRows * kTileCols];

    for (int jc = 0; jc < n; jc += kColumnBlock) {
        const int nc = std::min(kColumnBlock, n - jc);
        for (int pc = 0; pc < k; pc += kDepthBlock) {
            const int kc = std::min(kDepthBlock, k - pc);
            const bool add = accumulate || pc > 0;
            // The bias joins the first depth block's results while they are still in registers.
            const float* blockBias = pc == 0 ? bias : nullptr;
            if (prePacked) {
                packedB = prePacked;
                prePacked += std::ptrdiff_t(roundUp(nc, kTileCols)) * kc;
            } else {
                packB(kc, nc, b.data + pc * b.rowStride + jc * b.colStride, b.rowStride, b.colStride, ownB);
            }
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
                        const float* tileBias = blockBias ? blockBias + jc + jr : nullptr;
                        if (w == kTileCols) {
                            microKernel(kc, aTile, bStrip, cTile, ldc, add, r, tileBias);
                            continue;
                        }
                        // A tile cut by C's right edge is computed whole into a scratch tile; only its valid part
                        // reaches C.
                        microKernel(kc, aTile, bStrip, edge, kTileCols, false);
                        for (int i = 0; i < r; ++i)
                            for (int j = 0; j < w; ++j)
                                cTile[i * ldc + j] = (add ? cTile[i * ldc + j] + edge[i * kTileCols + j]
                                                          : edge[i * kTileCols + j]) +
                                                     (tileBias ? tileBias[j] : 0.0f);
                    }
                }
            }
        }
    }
}

// Shapes with nothing to multiply: k == 0 leaves zeros (or C unchanged when accumulating). True when handled.
bool emptyProduct(int m, int n, int k, float* c, std::ptrdiff_t ldc, bool accumulate)
{
    if (m <= 0 || n <= 0)
        return true;
    if (k > 0)
        return false;
    if (!accumulate)
        for (int i = 0; i < m; ++i)
            std::fill(c + i * ldc, c + i * ldc + n, 0.0f);
    return true;
}

void addRowToEachRow(int m, int n, const float* row, float* c, std::ptrdiff_t ldc)
{
    for (int i = 0; i < m; ++i)
        for (int j = 0; j < n; ++j)
            c[i * ldc + j] += row[j];
}

} // namespace

const char* Sgemm::kernelName() { return kKernelName; }

void Sgemm::pack(int k, int n, View b, PackedMatrix& out)
{
    out.m_rows = std::max(k, 0);
    out.m_cols = std::max(n, 0);
    std::size_t size = 0;
    for (int jc = 0; jc < n; jc += kColumnBlock)
        size += std::size_t(roundUp(std::min(kColumnBlock, n - jc), kTileCols)) * std::size_t(std::max(k, 0));
    out.m_data.resize(size);
    float* dst = out.m_data.data();
    for (int jc = 0; jc < n; jc += kColumnBlock) {
        const int nc = std::min(kColumnBlock, n - jc);
        for (int pc = 0; pc < k; pc += kDepthBlock) {
            const int kc = std::min(kDepthBlock, k - pc);
            packB(kc, nc, b.data + pc * b.rowStride + jc * b.colStride, b.rowStride, b.colStride, dst);
            dst += std::ptrdiff_t(roundUp(nc, kTileCols)) * kc;
        }
    }
}

void Sgemm::multiply(int m, View a, const PackedMatrix& b, float* c, std::ptrdiff_t ldc, bool accumulate)
{
    const int n = b.m_cols, k = b.m_rows;
    if (emptyProduct(m, n, k, c, ldc, accumulate))
        return;
    blockedProduct(m, n, k, a, View(nullptr, 0, 0), b.m_data.data(), c, ldc, accumulate, nullptr);
}

void Sgemm::multiply(int m, int n, int k, View a, View b, float* c, std::ptrdiff_t ldc, bool accumulate)
{
    multiplyAddBias(m, n, k, a, b, nullptr, c, ldc, accumulate);
}

void Sgemm::multiplyAddBias(int m, int n, int k, View a, View b, const float* bias, float* c, std::ptrdiff_t ldc,
                            bool accumulate)
{
    if (emptyProduct(m, n, k, c, ldc, accumulate)) {
        if (bias && m > 0 && n > 0)
            addRowToEachRow(m, n, bias, c, ldc);
        return;
    }
#if defined(__AVX512F__)
    if (smallProduct(m, n, k)) {
        if (bias) { // small products are attention's, which have no bias: keep their kernel simple
            multiplyAddBias(m, n, k, a, b, nullptr, c, ldc, accumulate);
            addRowToEachRow(m, n, bias, c, ldc);
            return;
        }
        PackBuffers& buffers = PackBuffers::forThisThread();
        const float* bData = b.data;
        std::ptrdiff_t ldb = b.rowStride;
        if (b.colStride != 1) {
            float* packed = PackBuffers::ensure(buffers.b, buffers.bSize, std::size_t(roundUp(n, kTileCols)) * k);
            packB(k, n, b.data, b.rowStride, b.colStride, packed);
            for (int jr = 0; jr < n; jr += kTileCols)
                for (int ir = 0; ir < m; ir += kTileRows)
                    directKernel(k, a.data + ir * a.rowStride, a.rowStride, a.colStride, std::min(kTileRows, m - ir),
                                 packed + std::ptrdiff_t(jr) * k, kTileCols, std::min(kTileCols, n - jr),
                                 c + std::ptrdiff_t(ir) * ldc + jr, ldc, accumulate);
            return;
        }
        for (int jr = 0; jr < n; jr += kTileCols)
            for (int ir = 0; ir < m; ir += kTileRows)
                directKernel(k, a.data + ir * a.rowStride, a.rowStride, a.colStride, std::min(kTileRows, m - ir),
                             bData + jr, ldb, std::min(kTileCols, n - jr), c + std::ptrdiff_t(ir) * ldc + jr, ldc,
                             accumulate);
        return;
    }
#endif
    blockedProduct(m, n, k, a, b, nullptr, c, ldc, accumulate, bias);
}

} // namespace featurescope
