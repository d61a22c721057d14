#pragma once

#include "experiments/SaeExperimentConfig.h"

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include <vector>

namespace featurescope {

class ProgressReporter;

// Feature splitting (Bricken et al. 2023, "Towards Monosemanticity"): the same recipe trained at widths 1x, 2x, 4x,
// 8x of base.sae.latentDim on the same data and seed; a feature of a narrow SAE reappears in a wider one as several
// features, each close to it in decoder direction.
struct SaeSplittingSpec {
    SaeExperimentConfig base;            // the 1x SAE
    std::vector<int> multipliers{1, 2, 4, 8}; // increasing, first 1
    void validate() const;               // throws InputError with one line
};

// One width's SAE, and each of its latents linked to the latent of the next narrower SAE whose decoder column is
// closest in cosine (its "parent").
struct SaeSplittingWidth {
    int multiplier = 1;
    int latents = 0;
    double l0 = 0.0;
    double mse = 0.0;
    double explainedVariance = 0.0;
    double mmcs = -1.0;             // ground truth only
    std::vector<double> density;    // per latent, on the evaluation inputs
    std::vector<int> parent;        // per latent: best-matching live latent of the narrower SAE; -1 at 1x, for a
                                    // silent latent, or when no cosine is positive
    std::vector<float> parentCosine; // that decoder cosine, in [0, 1] (0 without a parent)
    std::vector<int> bestTrue;       // ground truth: the closest true feature (-1 without ground truth)
    std::vector<float> bestTrueCosine;

    bool alive(int latent) const { return density[std::size_t(latent)] > 0.0; }
    int aliveCount() const;
};

struct SaeSplittingResult {
    std::vector<SaeSplittingWidth> widths; // narrowest first

    // The latents of width w+1 whose parent is `latent` of width w.
    std::vector<int> children(int width, int latent) const;
    // `latent` of width `width` and all its descendants: per width, the family's latents (empty above `width`).
    std::vector<std::vector<int>> family(int width, int latent) const;
    // The 1x latent whose family, followed through links of cosine >= 0.7 only, has the most members at the widest
    // SAE (then the highest mean link cosine): the example of a clean split a view shows first. -1 for no result.
    int mostSplitRoot() const;
    // `featurescope sae-split --json`: per width its metrics, the links (child, parent, cosine), each latent's
    // density and closest true feature.
    nlohmann::json toJson() const;
    // Reads toJson()'s output back (a session), every key checked; InputError naming `where`.
    static SaeSplittingResult fromJson(const nlohmann::json& j, const std::string& where);
};

class SaeFeatureSplitting {
public:
    // Trains every width (each a SaeExperiment::train of the base config with latentDim multiplied) and links them.
    // Throws InputError on a bad spec, Cancelled when `progress` is cancelled.
    static SaeSplittingResult run(const SaeSplittingSpec& spec, const ProgressReporter& progress);

    // For each child column of `childDecoder` (d x K'), the live column of `parentDecoder` (d x K) of highest cosine
    // and that cosine (columns of norm ~0 have cosine 0). A silent child, or one with no positive cosine, gets -1 / 0.
    static void link(const Eigen::MatrixXf& parentDecoder, const std::vector<bool>& parentAlive,
                     const Eigen::MatrixXf& childDecoder, const std::vector<bool>& childAlive, std::vector<int>& parent,
                     std::vector<float>& cosine);
};

} // namespace featurescope
