#include "sae/AbsorptionToySource.h"

#include "common/InputError.h"
#include "math/Rng.h"

#include <Eigen/QR>

#include <algorithm>
#include <cmath>

namespace featurescope {

AbsorptionToySource::AbsorptionToySource(const Settings& settings) : m_settings(settings)
{
    const int f = int(settings.probability.size());
    if (f < 2 || f > 1024)
        throw InputError("the absorption toy needs between 2 and 1024 features (got " + std::to_string(f) + ")");
    if (settings.dimension < f || settings.dimension > 65536)
        throw InputError("the absorption toy needs d >= F orthogonal directions (d " +
                         std::to_string(settings.dimension) + ", F " + std::to_string(f) + ")");
    for (double p : settings.probability)
        if (!(p >= 0.0 && p <= 1.0))
            throw InputError("the absorption toy's probabilities must lie in [0, 1]");
    if (settings.parent < 0 || settings.parent >= f || settings.child < 0 || settings.child >= f ||
        settings.parent == settings.child)
        throw InputError("the absorption toy's parent and child must be two different features");
    // Orthonormal directions: the Q of a random Gaussian d x F matrix.
    Rng rng(settings.seed);
    Eigen::MatrixXd gaussian(settings.dimension, f);
    for (Eigen::Index k = 0; k < gaussian.size(); ++k)
        gaussian.data()[k] = rng.normal();
    const Eigen::HouseholderQR<Eigen::MatrixXd> qr(gaussian);
    m_directions = (qr.householderQ() * Eigen::MatrixXd::Identity(settings.dimension, f)).cast<float>();
}

std::vector<double> AbsorptionToySource::marginalProbability() const
{
    std::vector<double> p = m_settings.probability;
    p[std::size_t(m_settings.child)] *= p[std::size_t(m_settings.parent)];
    return p;
}

double AbsorptionToySource::meanActiveFeatures() const
{
    double sum = 0.0;
    for (double p : marginalProbability())
        sum += p;
    return sum;
}

double AbsorptionToySource::densestTrueFeatureRate() const
{
    const std::vector<double> p = marginalProbability();
    return *std::max_element(p.begin(), p.end());
}

void AbsorptionToySource::sample(Eigen::MatrixXf& X, Eigen::MatrixXf& values, int batch, Rng& rng) const
{
    const int f = int(m_directions.cols());
    values.setZero(f, batch);
    for (int s = 0; s < batch; ++s) {
        for (int i = 0; i < f; ++i)
            if (i != m_settings.child && rng.uniform() < m_settings.probability[std::size_t(i)])
                values(i, s) = 1.0f;
        if (values(m_settings.parent, s) > 0.0f && rng.uniform() < m_settings.probability[std::size_t(m_settings.child)])
            values(m_settings.child, s) = 1.0f;
    }
    X.noalias() = m_directions * values;
}

void AbsorptionToySource::sampleBatch(Eigen::MatrixXf& X, int batch, Random& random) const
{
    Eigen::MatrixXf values;
    sample(X, values, batch, random.rng);
}

EvaluationSet AbsorptionToySource::evaluationSet(int maxCount, std::uint64_t seed) const
{
    Random random(seed);
    EvaluationSet set;
    sample(set.activations, set.trueActivations, std::max(maxCount, 0), random.rng);
    return set;
}

} // namespace featurescope
