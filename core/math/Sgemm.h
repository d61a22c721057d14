#pragma once

#include <cstddef>

namespace featurescope {

// Single-precision matrix product C = op(A) op(B) (+ C), written for the shapes of the language model and the
// sparse autoencoder. Eigen 3.4's own product reaches about a quarter of a modern core's FMA peak; this one packs
// its operands into cache-sized panels and runs a register-blocked micro-kernel (AVX-512 or AVX2+FMA, chosen when
// the library is compiled), which reaches most of the peak. On a CPU with neither it falls back to a plain loop
// nest, so results are correct everywhere. The arithmetic is float with one fused multiply-add per term, summed
// along k in panel order: results differ from Eigen's only by rounding.
class Sgemm {
public:
    // A matrix in memory: element (i, j) is at data[i * rowStride + j * colStride]. A row-major matrix has
    // colStride 1; its transpose is the same memory with the two strides swapped.
    struct View {
        const float* data;
        std::ptrdiff_t rowStride;
        std::ptrdiff_t colStride;

        View(const float* d, std::ptrdiff_t rs, std::ptrdiff_t cs) : data(d), rowStride(rs), colStride(cs) {}
        View transposed() const { return View(data, colStride, rowStride); }
    };

    // C[m x n] (row stride ldc, contiguous rows) = A[m x k] B[k x n], or += when accumulate is set.
    // k == 0 gives zeros (or leaves C unchanged when accumulating).
    static void multiply(int m, int n, int k, View a, View b, float* c, std::ptrdiff_t ldc, bool accumulate);

    // Which micro-kernel this build runs ("avx512 12x32", "avx2 6x16" or "portable"), for benchmarks.
    static const char* kernelName();
};

} // namespace featurescope
