#include "sae/SyntheticActivationSource.h"

#include "common/InputError.h"
#include "math/Rng.h"

#include <cmath>

namespace featurescope {

SparseCombinationSampler SyntheticActivationSource::makeSampler(const Settings& settings)
{
    if (settings.features < 1 || settings.features > 1 << 20)
        throw InputError("the number of true features must be between 1 and 1048576 (got " +
                         std::to_string(settings.features) + ")");
    if (settings.dimension < 1 || settings.dimension > 65536)
        throw InputError("the activation dimension d must be between 1 and 65536 (got " +
                         std::to_string(settings.dimension) + ")");
    if (double(settings.features) * settings.dimension > 1e8)
        throw InputError("features x d must be at most 1e8");
    if (!std::isfinite(settings.meanActive) || settings.meanActive <= 0.0 || settings.meanActive > settings.features)
        throw InputError("the mean number of active features must be in (0, F]");
    if (!std::isfinite(settings.decay) || settings.decay <= 0.0 || settings.decay > 1.0)
        throw InputError("the feature probability decay must be in (0, 1]");
    Rng rng(settings.seed);
    Eigen::MatrixXf directions(settings.dimension, settings.features);
    for (int i = 0; i < settings.features; ++i) {
        float norm = 0.0f;
        while (!(norm > 1e-6f)) {
            for (int r = 0; r < settings.dimension; ++r)
                directions(r, i) = static_cast<float>(rng.normal());
            norm = directions.col(i).norm();
        }
        directions.col(i) /= norm;
    }
    std::vector<double> probability(std::size_t(settings.features));
    double sum = 0.0;
    for (int i = 0; i < settings.features; ++i)
        sum += probability[std::size_t(i)] = std::pow(settings.decay, i);
    for (double& p : probability)
        p = std::min(1.0, p * settings.meanActive / sum);
    return SparseCombinationSampler(std::move(directions), std::move(probability));
}

SyntheticActivationSource::SyntheticActivationSource(const Settings& settings)
    : m_settings(settings), m_sampler(makeSampler(settings))
{
}

void SyntheticActivationSource::sampleBatch(Eigen::MatrixXf& X, int batch, Random& random) const
{
    m_sampler.sample(X, batch, random.uniform);
}

EvaluationSet SyntheticActivationSource::evaluationSet(int maxCount, std::uint64_t seed) const
{
    Random random(seed);
    EvaluationSet set;
    // The directions have unit norm, so each feature's contribution norm is |coefficient| (values are in [0, 1)).
    m_sampler.sample(set.activations, std::max(maxCount, 0), random.uniform, &set.trueActivations);
    return set;
}

} // namespace featurescope
