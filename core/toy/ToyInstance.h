#pragma once

#include <Eigen/Core>

namespace featurescope {

// The parameters of one toy model. W is m x n: column i is feature i's direction in the hidden space.
// `decoder` is used only by the untied model (x' = ReLU(decoderᵀ h + b)); for tied models it stays empty.
struct ToyInstance {
    Eigen::MatrixXf W;
    Eigen::MatrixXf decoder;
    Eigen::VectorXf b;

    const Eigen::MatrixXf& decoderWeights() const { return decoder.size() ? decoder : W; }
    bool isFinite() const { return W.allFinite() && decoder.allFinite() && b.allFinite(); }
};

} // namespace featurescope
