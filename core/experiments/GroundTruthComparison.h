#pragma once

#include "sae/SaeEvaluator.h"
#include "sae/SparseAutoencoder.h"

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace featurescope {

// What the ground-truth view draws: each true feature against the latents matched to the true features one to one
// (GroundTruthRecovery's Hungarian matching), through the encoder and through the decoder. Feature absorption
// (Chanin et al. 2024) shows as an asymmetry: the parent's latent keeps a clean decoder column, but its encoder row
// turns away from (negative cosine with) the child's direction, so it stays silent where the child fires.
struct GroundTruthComparison {
    // F x F, signed cosines: row i is true feature i, column j the latent matched to true feature j (its encoder row
    // W_enc,j, or its decoder column W_dec,j). NaN in a column without a matched latent (F > d_sae).
    Eigen::MatrixXf encoderCosine;
    Eigen::MatrixXf decoderCosine;
    std::vector<int> matchedLatent;     // per true feature, -1 when unmatched
    std::vector<double> matchedCosine;  // |decoder cosine| of the matched pair
    std::vector<double> f1;             // per true feature, its latent as a detector (empty without true activations)
    std::vector<double> shrinkage;      // −1 where undefined
    std::vector<int> parentOf;          // per true feature: its parent in the source's hierarchy, −1 for none
    std::vector<double> absorption;     // per child: the rate it absorbs its parent's latent (−1 elsewhere)
    double mcc = -1.0;
    double f1Mean = -1.0;
    double shrinkageMean = -1.0;
    double absorptionRate = -1.0; // mean over the hierarchy's pairs that are defined, −1 without any
    double explainedVariance = 0.0;
    double l0 = 0.0;

    int featureCount() const { return int(matchedLatent.size()); }
    bool hasDetection() const { return !f1.empty(); }

    // From an evaluator built with the unit true directions `truth` (d x F) on inputs with true activations.
    static GroundTruthComparison of(const SparseAutoencoder& sae, const SaeEvaluator& evaluator,
                                    const Eigen::MatrixXf& truth, const std::vector<std::pair<int, int>>& hierarchy);
    nlohmann::json toJson() const;
    // Reads toJson()'s output back (a session), every key checked; InputError naming `where`.
    static GroundTruthComparison fromJson(const nlohmann::json& j, const std::string& where);
};

} // namespace featurescope
