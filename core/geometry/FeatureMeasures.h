#pragma once

#include <Eigen/Core>

namespace featurescope {

// Per-feature superposition measures of a weight matrix W (m x n, column i = feature i's direction), following the
// "Toy Models of Superposition" definitions (docs/ARCHITECTURE.md §4). Ŵ_i = W_i / ||W_i||.
struct FeatureMeasures {
    Eigen::VectorXf norms;           // ||W_i||, n entries
    Eigen::VectorXf dimensionality;  // D_i = ||W_i||^2 / sum_j (Ŵ_i . W_j)^2 (j = i included); 0 for ||W_i|| ~ 0
    Eigen::VectorXf superposition;   // sum_{j != i} (Ŵ_i . W_j)^2; 0 for unlearned features
    double frobeniusSquared = 0;     // ||W||_F^2 ~ number of represented features
    double featuresPerDimension = 0; // ||W||_F^2 / m (0 if m == 0)
    double dimensionsPerFeature = 0; // D* = m / ||W||_F^2 (0 if ||W||_F^2 == 0)
    // ||W||_F^2 counts a feature of norm 1.15 as 1.32 features, so features per dimension can exceed n/m, the most any
    // unit-norm packing gives (a pentagon in 2 dimensions with norms above 1 reads 3.3, not 2.5). These say so:
    double unitNormPerDimension = 0;  // sum_i min(||W_i||^2, 1) / m: the same measure with every norm capped at 1
    double maxNorm = 0;               // the largest ||W_i||

    // True when norms above 1 raise featuresPerDimension more than 1 % above what unit norms would give.
    bool normsInflateCount() const { return maxNorm > 1.0 && featuresPerDimension > unitNormPerDimension * 1.01; }
};

// Features with ||W_i|| <= normEpsilon have no direction: they get D_i = 0 and superposition 0. The Gram matrix
// W^T W is formed once in double precision, O(n^2 m). W must be finite.
FeatureMeasures computeFeatureMeasures(const Eigen::MatrixXf& W, float normEpsilon = 1e-6f);

// Colour value in [0, 1] for a feature's norm bar: sqrt(superposition) clamped to [0, 1] (the paper's colouring),
// multiplied by the gate min(1, norm / 0.5). Superposition is measured along the unit direction Ŵ_i, so a feature
// the model dropped (tiny norm, arbitrary direction) can score high; the gate fades it out so it is not drawn
// "polysemantic", while any feature with norm >= 0.5 is coloured at full strength. Non-finite input gives 0.
float superpositionColourValue(float superposition, float norm);

} // namespace featurescope
