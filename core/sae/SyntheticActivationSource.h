#pragma once

#include "sae/ActivationSource.h"
#include "sae/SparseCombinationSampler.h"
#include "sae/SyntheticFiringSampler.h"

#include <cstdint>
#include <memory>

namespace featurescope {

// Structure beyond independent features, as in SAELens's synthetic data: Zipfian firing, and parent/child
// hierarchies, the setting where SAEs absorb a parent into its children (Chanin et al. 2024). Features 0..P-1 are
// parents; parent p's children are features P + p·C .. P + p·C + C - 1; the rest are independent.
struct SyntheticStructure {
    double zipfExponent = 0.0;      // > 0: firing probability ∝ (rank + 1)^-s instead of decay^rank
    int parents = 0;                // P
    int childrenPerParent = 0;      // C
    double childProbability = 0.5;  // a child's probability given its parent (exclusive: that one child fires)
    bool exclusiveChildren = false; // at most one child of a parent at a time, chosen uniformly
    // SAELens's correlated firing and magnitude variation (SyntheticFiringSampler): correlation s > 0 makes firing
    // a Gaussian copula with random pairwise correlations up to s; with `magnitudes` a firing feature's value is
    // max(0, mean_i + std_i N(0,1)), mean_i and std_i linear from the first to the last feature (instead of U[0,1)).
    double correlation = 0.0;
    bool magnitudes = false;
    double magnitudeMeanFirst = 1.0, magnitudeMeanLast = 1.0; // SAELens's defaults: mean 1, std 0
    double magnitudeStdFirst = 0.0, magnitudeStdLast = 0.0;
    bool usesFiringSampler() const { return correlation > 0.0 || magnitudes; }
    bool any() const { return zipfExponent > 0.0 || (parents > 0 && childrenPerParent > 0) || usesFiringSampler(); }
    bool hierarchical() const { return parents > 0 && childrenPerParent > 0; }
};

// Synthetic activations in superposition with a known ground truth (Sharkey et al. 2022; the same data as the
// PyTorch reference bench/sae_torch.py): F unit-norm random directions in d dimensions, feature i active with
// probability ∝ 0.99^i scaled so that `meanActive` features are active per input on average, magnitude U[0, 1).
// With a SyntheticStructure the firing law is Zipfian and/or children fire only with their parents (the scaling to
// `meanActive` then covers the parents and independent features; children add to it).
class SyntheticActivationSource : public ActivationSource {
public:
    struct Settings {
        int features = 128;   // F
        int dimension = 64;   // d
        double meanActive = 5.0;
        double decay = 0.99;
        std::uint64_t seed = 0; // draws the directions
        SyntheticStructure structure;
    };

    explicit SyntheticActivationSource(const Settings& settings); // throws InputError

    std::string name() const override { return "synthetic"; }
    int dimension() const override { return m_sampler.dimension(); }
    void sampleBatch(Eigen::MatrixXf& X, int batch, Random& random) const override;
    EvaluationSet evaluationSet(int maxCount, std::uint64_t seed) const override;
    Eigen::MatrixXf groundTruth() const override { return m_sampler.directions(); }
    double meanActiveFeatures() const override;
    double densestTrueFeatureRate() const override;
    std::vector<std::pair<int, int>> hierarchy() const override; // (parent, child) pairs

    const Settings& settings() const { return m_settings; }
    // Each feature's probability of being active (a child's: its parent's times its conditional probability).
    const std::vector<double>& featureProbability() const { return m_marginal; }

private:
    static SparseCombinationSampler makeSampler(const Settings& settings);
    // Adds the children of active parents to X and, when given, to the features' values.
    void addChildren(Eigen::MatrixXf& X, const Eigen::MatrixXf& values, Eigen::MatrixXf* valuesOut,
                     UniformStream& stream) const;
    // The features' values (F x batch) and their sum X, through SyntheticFiringSampler or the fast sparse sampler.
    void sampleValues(Eigen::MatrixXf& X, int batch, UniformStream& stream, Eigen::MatrixXf* values) const;

    Settings m_settings;
    SparseCombinationSampler m_sampler;
    std::vector<double> m_marginal;
    std::shared_ptr<const SyntheticFiringSampler> m_firing; // correlations or magnitude laws, else null
};

} // namespace featurescope
