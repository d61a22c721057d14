#pragma once

#include "sae/ActivationSource.h"
#include "sae/SparseCombinationSampler.h"

#include <cstdint>

namespace featurescope {

// Synthetic activations in superposition with a known ground truth (Sharkey et al. 2022; the same data as the
// PyTorch reference bench/sae_torch.py): F unit-norm random directions in d dimensions, feature i active with
// probability ∝ 0.99^i scaled so that `meanActive` features are active per input on average, magnitude U[0, 1).
class SyntheticActivationSource : public ActivationSource {
public:
    struct Settings {
        int features = 128;   // F
        int dimension = 64;   // d
        double meanActive = 5.0;
        double decay = 0.99;
        std::uint64_t seed = 0; // draws the directions
    };

    explicit SyntheticActivationSource(const Settings& settings); // throws InputError

    std::string name() const override { return "synthetic"; }
    int dimension() const override { return m_sampler.dimension(); }
    void sampleBatch(Eigen::MatrixXf& X, int batch, Random& random) const override;
    EvaluationSet evaluationSet(int maxCount, std::uint64_t seed) const override;
    Eigen::MatrixXf groundTruth() const override { return m_sampler.directions(); }
    double meanActiveFeatures() const override { return m_sampler.meanActive(); }
    double densestTrueFeatureRate() const override
    {
        double top = 0.0;
        for (double p : m_sampler.probability())
            top = p > top ? p : top;
        return top;
    }

    const Settings& settings() const { return m_settings; }
    const std::vector<double>& featureProbability() const { return m_sampler.probability(); }

private:
    static SparseCombinationSampler makeSampler(const Settings& settings);

    Settings m_settings;
    SparseCombinationSampler m_sampler;
};

} // namespace featurescope
