#include "sae/ToyActivationSource.h"

#include "common/InputError.h"

namespace featurescope {

namespace {
SparseCombinationSampler makeSampler(const ToyModel& model, int instance)
{
    if (instance < 0 || instance >= model.instanceCount())
        throw InputError("toy model instance " + std::to_string(instance) + " does not exist (the model has " +
                         std::to_string(model.instanceCount()) + ")");
    const auto& config = model.config();
    return SparseCombinationSampler(model.instance(instance).W,
                                    config.featureProbability[std::size_t(instance)],
                                    config.kind == ToyModelKind::UntiedAbs);
}
} // namespace

ToyActivationSource::ToyActivationSource(const ToyModel& model, int instance)
    : m_sampler(makeSampler(model, instance)),
      m_hiddenRelu(model.config().kind == ToyModelKind::ReluHidden || model.config().kind == ToyModelKind::UntiedAbs)
{
    // Ground truth: only the features the model represents (a column of norm ~0 has no direction).
    const Eigen::MatrixXf& W = m_sampler.directions();
    const Eigen::VectorXf norms = W.colwise().norm().transpose();
    const float threshold = 1e-3f * std::max(norms.maxCoeff(), 1e-30f);
    int kept = 0;
    for (Eigen::Index i = 0; i < W.cols(); ++i)
        kept += norms[i] > threshold ? 1 : 0;
    m_truth.resize(W.rows(), kept);
    int c = 0;
    for (Eigen::Index i = 0; i < W.cols(); ++i)
        if (norms[i] > threshold)
            m_truth.col(c++) = W.col(i) / norms[i];
}

void ToyActivationSource::sampleBatch(Eigen::MatrixXf& X, int batch, Random& random) const
{
    m_sampler.sample(X, batch, random.uniform);
    if (m_hiddenRelu)
        X = X.cwiseMax(0.0f);
}

EvaluationSet ToyActivationSource::evaluationSet(int maxCount, std::uint64_t seed) const
{
    Random random(seed);
    EvaluationSet set;
    sampleBatch(set.activations, std::max(maxCount, 0), random);
    return set;
}

} // namespace featurescope
