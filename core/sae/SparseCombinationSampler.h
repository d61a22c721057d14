#pragma once

#include "math/UniformStream.h"

#include <Eigen/Core>

#include <vector>

namespace featurescope {

// Inputs that are sparse combinations of fixed directions: x = Σ_i c_i v_i, where c_i is non-zero with probability
// p_i and then uniform on [0, 1) (or [−1, 1) when signed). Rare features are drawn by skipping ahead with geometric
// gaps, so a batch costs O(Σ p_i · batch) random numbers and d-wide additions instead of one draw per entry.
class SparseCombinationSampler {
public:
    SparseCombinationSampler(Eigen::MatrixXf directions, std::vector<double> probability, bool signedValues = false);

    int dimension() const { return static_cast<int>(m_directions.rows()); }
    int featureCount() const { return static_cast<int>(m_directions.cols()); }
    const Eigen::MatrixXf& directions() const { return m_directions; }
    const std::vector<double>& probability() const { return m_probability; }
    double meanActive() const;

    // X: dimension() x batch. When `coefficients` is given it receives the features' values (featureCount() x batch).
    void sample(Eigen::MatrixXf& X, int batch, UniformStream& stream, Eigen::MatrixXf* coefficients = nullptr) const;

private:
    Eigen::MatrixXf m_directions;
    std::vector<double> m_probability;
    std::vector<float> m_inverseLogQ;
    bool m_signed;
};

} // namespace featurescope
