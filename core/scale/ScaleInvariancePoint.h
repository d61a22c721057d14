#pragma once

#include <Eigen/Core>

#include <limits>

namespace featurescope {

// What the scale-invariance lab measures for one scale c of the model's weight matrix W -> cW (docs/ARCHITECTURE.md §4, "The
// scale-invariance lab"). Quantities that do not apply to the model are NaN (or -1 for counts).
struct ScaleInvariancePoint {
    static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

    double scale = 1.0;
    // Geometry of cW (m x n, column i = feature i): ||cW||_F^2, ||cW||_F^2 / m and the per-feature dimensionality.
    double frobeniusSquared = 0.0;
    double featuresPerDimension = 0.0;
    Eigen::VectorXf dimensionality;     // D_i, n entries
    double meanDimensionality = 0.0;    // mean of D_i over all n features
    double maxDimensionalityChange = 0.0; // max_i |D_i(c) - D_i(1)|

    // Classifier: test accuracy, and how its outputs compare with c = 1 on the same inputs.
    double accuracy = kNaN;
    int predictionsChanged = -1;        // samples whose argmax differs from c = 1
    int orderingsChanged = -1;          // samples whose full logit ordering differs from c = 1
    double meanMaxProbability = kNaN;   // mean over samples of max_k softmax_k
    double meanKlFromReference = kNaN;  // mean over samples of KL(p(1) || p(c)), nats
    double maxProbabilityChange = kNaN; // max over samples and classes of |p_k(c) - p_k(1)|

    // Toy models: reconstruction loss on the fixed evaluation batch. For the untied model `loss` scales the encoder
    // by c and the decoder by 1/c (a reparametrisation: the function is unchanged) and `lossEncoderOnly` scales the
    // encoder alone.
    double loss = kNaN;
    double lossEncoderOnly = kNaN;

    bool predictionsIdentical() const { return predictionsChanged == 0; }
    bool orderingsIdentical() const { return orderingsChanged == 0; }
};

} // namespace featurescope
