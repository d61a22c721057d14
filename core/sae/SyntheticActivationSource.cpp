#include "sae/SyntheticActivationSource.h"

#include "common/InputError.h"
#include "math/Rng.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

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
    const SyntheticStructure& st = settings.structure;
    if (!std::isfinite(st.zipfExponent) || st.zipfExponent < 0.0 || st.zipfExponent > 10.0)
        throw InputError("the Zipf exponent must be between 0 and 10");
    if (st.parents < 0 || st.childrenPerParent < 0 ||
        std::int64_t(st.parents) * (1 + std::int64_t(st.childrenPerParent)) > settings.features)
        throw InputError("a hierarchy of " + std::to_string(st.parents) + " parents with " +
                         std::to_string(st.childrenPerParent) + " children each needs at least " +
                         std::to_string(std::int64_t(st.parents) * (1 + std::int64_t(st.childrenPerParent))) +
                         " true features (got " + std::to_string(settings.features) + ")");
    if (!std::isfinite(st.childProbability) || st.childProbability < 0.0 || st.childProbability > 1.0)
        throw InputError("the child probability must be in [0, 1]");
    // The firing law runs over the parents and independent features by rank; children get 0 here and are drawn
    // given their parents (addChildren).
    const int firstChild = st.hierarchical() ? st.parents : settings.features;
    const int lastChild = st.hierarchical() ? st.parents * (1 + st.childrenPerParent) : settings.features;
    std::vector<double> probability(std::size_t(settings.features), 0.0);
    double sum = 0.0;
    int rank = 0;
    for (int i = 0; i < settings.features; ++i) {
        if (i >= firstChild && i < lastChild)
            continue;
        const double w = st.zipfExponent > 0.0 ? std::pow(rank + 1.0, -st.zipfExponent) : std::pow(settings.decay, rank);
        sum += probability[std::size_t(i)] = w;
        ++rank;
    }
    if (settings.meanActive > rank)
        throw InputError("the mean number of active features must be at most the " + std::to_string(rank) +
                         " features that fire on their own");
    for (double& p : probability)
        p = std::min(1.0, p * settings.meanActive / sum);
    return SparseCombinationSampler(std::move(directions), std::move(probability));
}

SyntheticActivationSource::SyntheticActivationSource(const Settings& settings)
    : m_settings(settings), m_sampler(makeSampler(settings)), m_marginal(m_sampler.probability())
{
    const SyntheticStructure& st = m_settings.structure;
    if (st.usesFiringSampler()) {
        if (!(st.correlation >= 0.0 && st.correlation < 1.0))
            throw InputError("the feature correlation must be in [0, 1)");
        SyntheticFiringSampler::Settings firing;
        firing.probability = m_sampler.probability(); // children: 0 here, drawn with their parents
        firing.correlation = st.correlation;
        firing.meanMagnitude =
            SyntheticFiringSampler::linearProfile(st.magnitudeMeanFirst, st.magnitudeMeanLast, settings.features);
        firing.stdMagnitude =
            SyntheticFiringSampler::linearProfile(st.magnitudeStdFirst, st.magnitudeStdLast, settings.features);
        firing.seed = settings.seed;
        m_firing = std::make_shared<const SyntheticFiringSampler>(firing);
    }
    if (!st.hierarchical())
        return;
    const double perChild = st.exclusiveChildren ? st.childProbability / st.childrenPerParent : st.childProbability;
    for (int p = 0; p < st.parents; ++p)
        for (int j = 0; j < st.childrenPerParent; ++j)
            m_marginal[std::size_t(st.parents + p * st.childrenPerParent + j)] = m_marginal[std::size_t(p)] * perChild;
}

double SyntheticActivationSource::meanActiveFeatures() const
{
    double sum = 0.0;
    for (double p : m_marginal)
        sum += p;
    return sum;
}

double SyntheticActivationSource::densestTrueFeatureRate() const
{
    double top = 0.0;
    for (double p : m_marginal)
        top = std::max(top, p);
    return top;
}

std::vector<std::pair<int, int>> SyntheticActivationSource::hierarchy() const
{
    std::vector<std::pair<int, int>> pairs;
    const SyntheticStructure& st = m_settings.structure;
    if (st.hierarchical())
        for (int p = 0; p < st.parents; ++p)
            for (int j = 0; j < st.childrenPerParent; ++j)
                pairs.emplace_back(p, st.parents + p * st.childrenPerParent + j);
    return pairs;
}

void SyntheticActivationSource::addChildren(Eigen::MatrixXf& X, const Eigen::MatrixXf& values,
                                            Eigen::MatrixXf* valuesOut, UniformStream& stream) const
{
    const SyntheticStructure& st = m_settings.structure;
    const Eigen::MatrixXf& directions = m_sampler.directions();
    float u[3];
    auto add = [&](int child, Eigen::Index s, float value) {
        if (st.magnitudes) { // the child's own magnitude law instead of U[0, 1)
            float w[2];
            stream.fill(w, 2);
            const float normal = std::sqrt(-2.0f * std::log(1.0f - w[0])) * std::cos(6.2831853f * w[1]);
            const float t = m_settings.features > 1 ? float(child) / float(m_settings.features - 1) : 0.0f;
            const float mean = float(st.magnitudeMeanFirst + (st.magnitudeMeanLast - st.magnitudeMeanFirst) * t);
            const float sd = float(st.magnitudeStdFirst + (st.magnitudeStdLast - st.magnitudeStdFirst) * t);
            value = std::max(0.0f, mean + sd * normal);
        }
        X.col(s) += value * directions.col(child);
        if (valuesOut)
            (*valuesOut)(child, s) = value;
    };
    for (Eigen::Index s = 0; s < X.cols(); ++s)
        for (int p = 0; p < st.parents; ++p) {
            if (values(p, s) == 0.0f)
                continue;
            const int first = st.parents + p * st.childrenPerParent;
            if (st.exclusiveChildren) {
                stream.fill(u, 3); // fires?, which child, its value
                if (u[0] < st.childProbability)
                    add(first + std::min(st.childrenPerParent - 1, int(u[1] * st.childrenPerParent)), s, u[2]);
                continue;
            }
            for (int j = 0; j < st.childrenPerParent; ++j) {
                stream.fill(u, 2);
                if (u[0] < st.childProbability)
                    add(first + j, s, u[1]);
            }
        }
}

void SyntheticActivationSource::sampleValues(Eigen::MatrixXf& X, int batch, UniformStream& stream,
                                             Eigen::MatrixXf* values) const
{
    if (!m_firing) {
        m_sampler.sample(X, batch, stream, values);
        return;
    }
    Eigen::MatrixXf own;
    Eigen::MatrixXf& coefficients = values ? *values : own;
    m_firing->sample(coefficients, batch, stream);
    X.noalias() = m_sampler.directions() * coefficients;
}

void SyntheticActivationSource::sampleBatch(Eigen::MatrixXf& X, int batch, Random& random) const
{
    if (!m_settings.structure.hierarchical()) {
        sampleValues(X, batch, random.uniform, nullptr);
        return;
    }
    Eigen::MatrixXf values;
    sampleValues(X, batch, random.uniform, &values);
    addChildren(X, values, nullptr, random.uniform);
}

EvaluationSet SyntheticActivationSource::evaluationSet(int maxCount, std::uint64_t seed) const
{
    Random random(seed);
    EvaluationSet set;
    // The directions have unit norm, so each feature's contribution norm is |coefficient| (values are in [0, 1)).
    sampleValues(set.activations, std::max(maxCount, 0), random.uniform, &set.trueActivations);
    if (m_settings.structure.hierarchical()) {
        const Eigen::MatrixXf parents = set.trueActivations;
        addChildren(set.activations, parents, &set.trueActivations, random.uniform);
    }
    return set;
}

} // namespace featurescope
