#pragma once

#include "scale/ScaleInvariancePoint.h"
#include "mlp/MlpClassifier.h"
#include "toy/ToyInstance.h"
#include "toy/ToyModelConfig.h"

#include <Eigen/Core>

#include <cstdint>
#include <string>
#include <vector>

namespace featurescope {

class ProgressReporter;
class ToyModel;

// A sanity check of "features per dimension" ||W||_F^2 / m, run on a real model: W -> cW for a list of
// scales c, measuring per c the (scale-dependent) features per dimension, the (scale-invariant) feature
// dimensionalities D_i, and what the model does with the scaled weights.
//
// Which matrix is scaled:
//  - Classifier (MlpClassifier): W1, the hidden x inputs matrix before the hidden ReLU neurons; m = hidden neurons,
//    the features are the inputs (pixels). Without biases ReLU(cW1 x) = c ReLU(W1 x), so the logits scale by c:
//    argmax and logit ordering are unchanged, the softmax sharpens (c acts as an inverse temperature).
//  - Tied toy model (x' = ReLU(WᵀW x + b)): W, which is the encoder and the decoder at once (WᵀW -> c²WᵀW), so the
//    loss changes; a trained model sits at its minimum near c = 1.
//  - Untied toy model (h = ReLU(W x), x' = ReLU(Dᵀh + b)): the encoder W by c and the decoder D by 1/c, the only
//    rescaling that an untied model can absorb (`loss` stays flat, as for the classifier) while ||cW||_F^2 / m grows
//    as c². `lossEncoderOnly` scales the encoder alone, for comparison.
//  - Matrix (e.g. a layer imported from a file): W as given (m x n, columns are features); geometry only.
//
// evaluate() is const and thread-safe; every point is computed from the scaled weights themselves (nothing assumes
// the invariance it is meant to show).
class ScaleInvarianceLab {
public:
    enum class Kind { Classifier, TiedToy, UntiedToy, Matrix };

    // `inputs` is inputs x N (columns are samples), `labels` N class indices (may be empty: accuracy is then NaN).
    // Throws InputError when sizes disagree.
    static ScaleInvarianceLab forClassifier(const MlpClassifier& model, Eigen::MatrixXf inputs,
                                            std::vector<int> labels);
    // Instance `instance` of a toy model; `evaluationBatch` is batch x n (the same samples for every c).
    static ScaleInvarianceLab forToyModel(const ToyModel& model, int instance, Eigen::MatrixXf evaluationBatch);
    // Geometry only. Throws InputError for an empty or non-finite matrix.
    static ScaleInvarianceLab forMatrix(Eigen::MatrixXf W, std::string name = "W");

    Kind kind() const { return m_kind; }
    static std::string kindName(Kind kind); // "classifier", "toy-tied", "toy-untied", "matrix"
    // One line saying which matrix is scaled (for reports and figure captions).
    std::string scaledMatrixDescription() const;
    const Eigen::MatrixXf& weights() const { return m_W; } // the matrix at c = 1 (m x n)
    int dimensions() const { return int(m_W.rows()); }     // m
    int features() const { return int(m_W.cols()); }       // n
    int samples() const; // classifier test inputs or toy evaluation batch size (0 for a matrix)
    bool biasFree() const { return m_biasFree; }
    const ScaleInvariancePoint& reference() const { return m_reference; } // c = 1

    // Throws InputError for a non-finite or non-positive c.
    ScaleInvariancePoint evaluate(double c) const;
    // Polls `progress` between scales (stops early when cancelled: the result then holds fewer points).
    std::vector<ScaleInvariancePoint> sweep(const std::vector<double>& scales,
                                            ProgressReporter* progress = nullptr) const;

    // `count` log-spaced scales from lo to hi (both included; 1 is included when count is odd and lo * hi == 1).
    static std::vector<double> logSpacedScales(double lo, double hi, int count);

    // Geometry of W alone: D_i through the n x n Gram matrix (FeatureMeasures) when n is moderate, else through the
    // m x m matrix W Wᵀ (sum_j (Ŵ_i . W_j)^2 = Ŵ_iᵀ W Wᵀ Ŵ_i), the same numbers in O(n m²) instead of O(n² m).
    static void measureGeometry(const Eigen::MatrixXf& W, ScaleInvariancePoint& point, bool forceFastPath = false);

private:
    ScaleInvarianceLab() = default;
    void evaluateClassifier(double c, ScaleInvariancePoint& point) const;
    void evaluateToy(double c, ScaleInvariancePoint& point) const;
    double toyLoss(const ToyInstance& params) const;

    Kind m_kind = Kind::Matrix;
    std::string m_name;
    Eigen::MatrixXf m_W;
    bool m_biasFree = true;
    // Classifier
    MlpClassifier m_classifier;
    Eigen::MatrixXf m_inputs;
    std::vector<int> m_labels;
    std::vector<std::uint16_t> m_referenceOrder; // per sample, the classes by descending logit (stable)
    Eigen::MatrixXd m_referenceProbability;     // classes x N
    // Toy
    ToyModelConfig m_toyConfig; // one instance
    ToyInstance m_toy;
    Eigen::MatrixXf m_batch;

    ScaleInvariancePoint m_reference;
};

} // namespace featurescope
