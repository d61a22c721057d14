#include "sae/MatrixActivationSource.h"

#include "common/InputError.h"

namespace featurescope {

MatrixActivationSource::MatrixActivationSource(EvaluationSet data, std::string name, Eigen::MatrixXf groundTruth)
    : m_data(std::move(data)), m_name(std::move(name)), m_truth(std::move(groundTruth))
{
    const auto n = std::size_t(m_data.size());
    if (m_data.activations.rows() < 1 || n < 1)
        throw InputError(m_name + ": the activation set is empty");
    if (!m_data.activations.allFinite())
        throw InputError(m_name + ": the activations contain NaN or infinite values");
    if (!m_data.labels.empty() && m_data.labels.size() != n)
        throw InputError(m_name + ": " + std::to_string(m_data.labels.size()) + " labels for " + std::to_string(n) +
                         " activation rows");
    if (!m_data.images.empty() &&
        m_data.images.size() != n * std::size_t(std::max(m_data.imageRows, 0)) * std::size_t(std::max(m_data.imageCols, 0)))
        throw InputError(m_name + ": the image data does not match the number of activation rows");
    if (m_truth.size() && m_truth.rows() != m_data.activations.rows())
        throw InputError(m_name + ": the ground-truth directions do not have the activations' dimension");
    if (!m_data.labels.empty() && m_data.classCount <= 0)
        for (int label : m_data.labels)
            m_data.classCount = std::max(m_data.classCount, label + 1);
}

void MatrixActivationSource::sampleBatch(Eigen::MatrixXf& X, int batch, Random& random) const
{
    X.resize(m_data.activations.rows(), batch);
    const auto n = static_cast<std::uint64_t>(m_data.size());
    for (int s = 0; s < batch; ++s)
        X.col(s) = m_data.activations.col(static_cast<Eigen::Index>(random.rng.below(n)));
}

EvaluationSet MatrixActivationSource::evaluationSet(int maxCount, std::uint64_t) const
{
    if (maxCount <= 0 || maxCount >= m_data.size())
        return m_data;
    EvaluationSet set;
    set.activations = m_data.activations.leftCols(maxCount);
    set.classCount = m_data.classCount;
    if (m_data.hasLabels())
        set.labels.assign(m_data.labels.begin(), m_data.labels.begin() + maxCount);
    set.imageRows = m_data.imageRows;
    set.imageCols = m_data.imageCols;
    if (m_data.hasImages())
        set.images.assign(m_data.images.begin(),
                          m_data.images.begin() + std::ptrdiff_t(maxCount) * m_data.imageRows * m_data.imageCols);
    return set;
}

} // namespace featurescope
