#pragma once

#include <cstddef>
#include <vector>

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
    // The same with a row vector bias[n] added to every row of the result (a linear layer's bias, fused into the
    // product's stores instead of a separate pass over C).
    static void multiplyAddBias(int m, int n, int k, View a, View b, const float* bias, float* c, std::ptrdiff_t ldc,
                                bool accumulate);

    // A right-hand side packed once for many products (a weight matrix applied to block after block of samples):
    // the multiply below then skips B's packing, which otherwise repeats for every block.
    class PackedMatrix {
    public:
        int rows() const { return m_rows; }
        int cols() const { return m_cols; }

    private:
        friend class Sgemm;
        std::vector<float> m_data;
        int m_rows = 0, m_cols = 0;
    };

    // out = B[k x n] in the kernel's panel layout (reusing out's memory).
    static void pack(int k, int n, View b, PackedMatrix& out);
    // C[m x b.cols()] = A[m x b.rows()] B (+ C).
    static void multiply(int m, View a, const PackedMatrix& b, float* c, std::ptrdiff_t ldc, bool accumulate);

    // Which micro-kernel this build runs ("avx512 12x32", "avx2 6x16" or "portable"), for benchmarks.
    static const char* kernelName();
};

} // namespace featurescope
