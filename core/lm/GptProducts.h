#pragma once

#include "math/Sgemm.h"

#include <Eigen/Core>

namespace featurescope {

// The three matrix products of a transformer's forward and backward passes, on row-major Eigen matrices and maps,
// routed to our packed kernel (Sgemm) rather than Eigen's product, which reaches a fraction of the core's peak.
class GptProducts {
public:
    // out = a b
    template <class A, class B, class Out>
    static void multiply(const A& a, const B& b, Out&& out)
    {
        eigen_assert(a.cols() == b.rows() && out.rows() == a.rows() && out.cols() == b.cols());
        Sgemm::multiply(int(out.rows()), int(out.cols()), int(a.cols()), view(a), view(b), out.data(),
                        out.outerStride(), false);
    }

    // out = a b + bias (every row), or out += a b + bias: a linear layer with its bias added in the product's stores
    template <class A, class B, class Out>
    static void multiplyAddBias(const A& a, const B& b, const float* bias, Out&& out, bool accumulate)
    {
        eigen_assert(a.cols() == b.rows() && out.rows() == a.rows() && out.cols() == b.cols());
        Sgemm::multiplyAddBias(int(out.rows()), int(out.cols()), int(a.cols()), view(a), view(b), bias, out.data(),
                               out.outerStride(), accumulate);
    }

    // out = a w^T (the unembedding, and the input gradients of a linear layer)
    template <class A, class W, class Out>
    static void multiplyByTransposed(const A& a, const W& w, Out&& out)
    {
        eigen_assert(a.cols() == w.cols() && out.rows() == a.rows() && out.cols() == w.rows());
        Sgemm::multiply(int(out.rows()), int(out.cols()), int(a.cols()), view(a), view(w).transposed(), out.data(),
                        out.outerStride(), false);
    }

    // out += a^T b (weight gradients: a sum over the tokens)
    template <class A, class B, class Out>
    static void accumulateTransposedProduct(const A& a, const B& b, Out&& out)
    {
        eigen_assert(a.rows() == b.rows() && out.rows() == a.cols() && out.cols() == b.cols());
        Sgemm::multiply(int(out.rows()), int(out.cols()), int(a.rows()), view(a).transposed(), view(b), out.data(),
                        out.outerStride(), true);
    }

private:
    template <class M>
    static Sgemm::View view(const M& m)
    {
        static_assert(int(M::Flags) & Eigen::RowMajorBit, "GptProducts works on row-major matrices");
        return Sgemm::View(m.data(), m.outerStride(), 1);
    }
};

} // namespace featurescope
