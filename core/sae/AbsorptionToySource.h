#pragma once

#include "sae/ActivationSource.h"

#include <cstdint>
#include <vector>

namespace featurescope {

// Hierarchical ground truth, the feature-absorption toy of Chanin et al. 2024 ("A is for Absorption"): F mutually
// orthogonal unit directions in d dimensions, each active with magnitude 1; feature `child` (1) is active only where
// feature `parent` (0) is, with probability childGivenParent there, the others independently. An SAE trained on it
// with a sparsity penalty tends to let the child's latent absorb the parent's direction, and the parent's latent
// then stays silent exactly where the child fires (GroundTruthRecovery::absorptionRate); tied encoders prevent it.
class AbsorptionToySource : public ActivationSource {
public:
    struct Settings {
        int dimension = 50;
        // Probability of each feature being active; for the child, given that the parent is.
        std::vector<double> probability{0.25, 0.4, 0.05, 0.05};
        int parent = 0;
        int child = 1;
        std::uint64_t seed = 0; // draws the orthonormal directions
    };

    explicit AbsorptionToySource(const Settings& settings); // throws InputError

    std::string name() const override { return "absorption-toy"; }
    int dimension() const override { return int(m_directions.rows()); }
    void sampleBatch(Eigen::MatrixXf& X, int batch, Random& random) const override;
    EvaluationSet evaluationSet(int maxCount, std::uint64_t seed) const override;
    Eigen::MatrixXf groundTruth() const override { return m_directions; }
    double meanActiveFeatures() const override;
    double densestTrueFeatureRate() const override;
    std::vector<std::pair<int, int>> hierarchy() const override { return {{m_settings.parent, m_settings.child}}; }

    const Settings& settings() const { return m_settings; }
    // The marginal probability of each feature being active (the child's is p_parent · p_child|parent).
    std::vector<double> marginalProbability() const;

private:
    // X (d x batch) and the features' values (F x batch).
    void sample(Eigen::MatrixXf& X, Eigen::MatrixXf& values, int batch, Rng& rng) const;

    Settings m_settings;
    Eigen::MatrixXf m_directions; // d x F, orthonormal columns
};

} // namespace featurescope
