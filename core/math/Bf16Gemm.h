#pragma once

#include "math/Sgemm.h"

#include <cstdint>
#include <vector>

namespace featurescope {

// A matrix product with bfloat16 inputs and float32 accumulation, for inference with weights that do not change:
// the right-hand operand is rounded to bfloat16 once (to nearest, ties to even) and kept packed in the layout of
// the AVX512_BF16 dot-product instruction, which does two multiply-adds per float lane, twice the float rate. The
// left-hand operand (the activations) is rounded as it is packed, each product. Only builds for CPUs with
// AVX512_BF16 have the kernel (available()); elsewhere the calls throw std::logic_error, and callers keep to Sgemm.
class Bf16Gemm {
public:
    // B [k x n] rounded to bfloat16 and packed in strips of 32 columns, k in pairs (zero-padded).
    class PackedMatrix {
    public:
        PackedMatrix() = default;
        PackedMatrix(int k, int n, Sgemm::View b);
        int rows() const { return m_k; }
        int cols() const { return m_n; }
        std::size_t bytes() const { return m_data.size() * sizeof(std::uint16_t); }

    private:
        friend class Bf16Gemm;
        int m_k = 0, m_n = 0;
        std::vector<std::uint16_t> m_data;
    };

    static bool available();
    // C[m x n] (row stride ldc) = bf16(A) bf16(B) (+ C when accumulate), sums in float.
    static void multiply(int m, Sgemm::View a, const PackedMatrix& b, float* c, std::ptrdiff_t ldc, bool accumulate);
    // Round-to-nearest-even bfloat16 bits of a float (NaN stays NaN).
    static std::uint16_t toBf16(float x);
    static float fromBf16(std::uint16_t bits);
};

} // namespace featurescope
