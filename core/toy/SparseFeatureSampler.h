#pragma once

#include "math/UniformStream.h"

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace featurescope {

// Draws TMS training batches: feature j is non-zero with probability p_j, then uniform on [0, 1) (or [-1, 1)).
// Sparse features are drawn by skipping ahead with geometric gaps, costing O(p · batch) random numbers per feature
// instead of one per entry.
class SparseFeatureSampler {
public:
    explicit SparseFeatureSampler(std::uint64_t seed);

    // X is batch x n, column-major (one contiguous column per feature).
    void sample(const std::vector<double>& probability, bool signedValues, Eigen::MatrixXf& X);
    // The same into rows x probability.size() floats, column-major with leading dimension `rows`.
    void sample(const std::vector<double>& probability, bool signedValues, float* X, int rows);

private:
    void sampleDense(float* column, int batch, bool signedValues);
    void sampleBernoulli(float* column, int batch, float p, bool signedValues);
    void sampleSkipping(float* column, int batch, double p, bool signedValues);

    UniformStream m_stream;
    std::vector<float> m_scratch;
};

} // namespace featurescope
