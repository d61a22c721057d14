#pragma once

#include "sae/SaeConfig.h"

#include <Eigen/Core>

namespace featurescope {

// SAELens's per-input activation normalisation (normalize_activations constant_norm_rescale and layer_norm), with
// the same float arithmetic as ImportedSae's forward pass so that an exported SAE gives identical codes:
//   ConstantNormRescale: x' = x·√d/‖x‖ (a zero input is left as it is), undone as x = x'·‖x‖/√d;
//   LayerNorm: x' = (x − μ)/(σ + 1e-5), μ the mean and σ the unbiased standard deviation of x's entries, undone
//              as x = x'·σ + μ (SAELens's run_time_activation_ln_out, which omits the 1e-5).
// For training, the reconstruction x̂ = x̂'·σ_out + μ compared with x in the input's own units (SAELens computes the
// MSE after un-normalising) is the normalised-space error against a target t scaled by a per-input weight:
//   ‖x̂ − x‖² = w ‖x̂' − t‖², ConstantNormRescale: t = x', w = (‖x‖/√d)²; LayerNorm: t = (x − μ)/σ, w = σ²
// (a constant input, σ = 0: t = x', w = 0, as its reconstruction is exactly μ = x).
class SaeInputNormalizer {
public:
    struct Undo {
        Eigen::RowVectorXf outScale; // per input
        Eigen::RowVectorXf shift;    // per input (LayerNorm; empty otherwise)
    };
    // X (d x N) in place; returns how to undo it. Nothing happens for None.
    static Undo normalize(SaeInputNormalization mode, Eigen::MatrixXf& X);
    // Applies `undo` to reconstructions X̂' (d x N) in place.
    static void denormalize(const Undo& undo, Eigen::MatrixXf& Xhat);
    // The training target t (empty when t = x', i.e. for ConstantNormRescale) and weights w for normalised inputs
    // `normalized` with their `undo`.
    static void trainingTarget(SaeInputNormalization mode, const Eigen::MatrixXf& normalized, const Undo& undo,
                               Eigen::MatrixXf* target, Eigen::VectorXf* weight);
};

} // namespace featurescope
