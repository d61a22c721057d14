#pragma once

#include <Eigen/Core>

#include <functional>
#include <vector>

namespace featurescope {

// How well a dictionary recovers known true features, as SAELens's synthetic-data evaluation scores it
// (docs/ARCHITECTURE.md §5):
//  - MCC: the true features and the decoder columns are matched one to one by the Hungarian algorithm on |cosine|;
//    MCC is the mean |cosine| of the min(F, K) matched pairs (1: every true feature has its own latent).
//  - Per matched pair, the latent as a detector of its true feature over the evaluation inputs: precision TP/(TP+FP),
//    recall TP/(TP+FN), F1 their harmonic mean, each 0 where undefined; the means run over the matched pairs.
//    (SAELens averages over every latent, each against its best-cosine true feature; over a 4x overcomplete
//    dictionary that mean is dominated by spare latents, so featurescope averages over the matched ones.)
//  - Shrinkage per matched pair: over the inputs where the true feature is active, the summed norm of the latent's
//    contribution f_j·‖W_dec,j‖ divided by the summed norm of the true feature's contribution; the mean over matched
//    pairs whose true feature is active somewhere (1: no shrinkage; an L1 penalty pulls it below 1).
class GroundTruthRecovery {
public:
    // The codes of one latent on every evaluation input.
    using LatentActivations = std::function<Eigen::VectorXf(int latent)>;

    // Matches the true directions `truth` (d x F) to the decoder columns `decoder` (d x K), norms of either side
    // ignored (zero columns have cosine 0). Throws InputError when the dimensions differ or a value is not finite.
    static GroundTruthRecovery match(const Eigen::MatrixXf& truth, const Eigen::MatrixXf& decoder);

    // Scores the matched latents as detectors: `trueActivations` (F x N) holds each true feature's contribution norm
    // on each input (0 where inactive), `latentActivations(j)` latent j's N codes, `decoderNorms` (K) the norm of
    // each decoder column in the units of `trueActivations`. Throws InputError on mismatched sizes.
    void score(const Eigen::MatrixXf& trueActivations, const LatentActivations& latentActivations,
               const Eigen::VectorXf& decoderNorms);

    bool hasDetection() const { return m_scored; }

    // Feature absorption (Chanin et al. 2024) of `child` into its `parent`: over the inputs where the child is active
    // (and so, in a hierarchy, the parent too), the fraction on which the parent's matched latent is silent while
    // some other latent fires. 0: the parent's latent fires wherever the parent is active; −1 when the child is never
    // active or the parent has no matched latent.
    double absorptionRate(const Eigen::MatrixXf& trueActivations, const LatentActivations& latentActivations,
                          int parent, int child) const;

    double mcc() const { return m_mcc; }
    double precisionMean() const { return m_precisionMean; }
    double recallMean() const { return m_recallMean; }
    double f1Mean() const { return m_f1Mean; }
    double shrinkage() const { return m_shrinkage; } // −1 when no matched true feature is ever active

    // Per true feature: its matched latent (−1 when F > K and it has none) and their |cosine|.
    const std::vector<int>& latentOfTrueFeature() const { return m_latentOfTrue; }
    const std::vector<double>& matchedCosine() const { return m_matchedCosine; }
    // Per true feature (after score()): F1 of its matched latent (0 unmatched), shrinkage (−1 where undefined).
    const std::vector<double>& f1() const { return m_f1; }
    const std::vector<double>& featureShrinkage() const { return m_featureShrinkage; }

private:
    std::vector<int> m_latentOfTrue;
    std::vector<double> m_matchedCosine;
    std::vector<double> m_f1;
    std::vector<double> m_featureShrinkage;
    double m_mcc = -1.0;
    double m_precisionMean = -1.0;
    double m_recallMean = -1.0;
    double m_f1Mean = -1.0;
    double m_shrinkage = -1.0;
    bool m_scored = false;
};

} // namespace featurescope
