#include "mlp/MlpClassifier.h"

#include "common/InputError.h"
#include "math/Rng.h"

#include <cmath>
#include <utility>

namespace featurescope {

namespace {
constexpr int kChunk = 1024;

template <typename Matrix>
void shuffleEntries(Matrix& m, Rng& rng)
{
    float* data = m.data();
    for (Eigen::Index i = m.size() - 1; i > 0; --i) {
        const auto j = static_cast<Eigen::Index>(rng.below(static_cast<std::uint64_t>(i) + 1));
        std::swap(data[i], data[j]);
    }
}
} // namespace

void MlpConfig::validate() const
{
    if (inputs < 1 || inputs > 1 << 20 || hidden < 1 || hidden > 1 << 16 || classes < 2 || classes > 1 << 16)
        throw InputError("MLP sizes out of range (inputs 1..1048576, hidden 1..65536, classes 2..65536)");
    if (double(inputs) * hidden > 1e9)
        throw InputError("MLP too large (inputs x hidden must be at most 1e9)");
}

MlpClassifier::MlpClassifier(MlpConfig config) : m_config(config)
{
    config.validate();
    m_W1 = Eigen::MatrixXf::Zero(config.hidden, config.inputs);
    m_b1 = Eigen::VectorXf::Zero(config.hidden);
    m_W2 = Eigen::MatrixXf::Zero(config.classes, config.hidden);
    m_b2 = Eigen::VectorXf::Zero(config.classes);
}

void MlpClassifier::initialise(std::uint64_t seed)
{
    Rng rng(seed);
    const double s1 = std::sqrt(2.0 / m_config.inputs);
    const double s2 = std::sqrt(2.0 / m_config.hidden);
    for (Eigen::Index k = 0; k < m_W1.size(); ++k)
        m_W1.data()[k] = static_cast<float>(s1 * rng.normal());
    for (Eigen::Index k = 0; k < m_W2.size(); ++k)
        m_W2.data()[k] = static_cast<float>(s2 * rng.normal());
    m_b1.setZero();
    m_b2.setZero();
}

Eigen::MatrixXf MlpClassifier::inputs(const ImageDataset& images, int begin, int count)
{
    Eigen::MatrixXf X(images.pixelCount(), count);
    for (int s = 0; s < count; ++s) {
        const std::uint8_t* p = images.image(begin + s);
        for (int k = 0; k < images.pixelCount(); ++k)
            X(k, s) = p[k] * (1.0f / 255.0f);
    }
    return X;
}

void MlpClassifier::inputs(const ImageDataset& images, const int* indices, int count, Eigen::MatrixXf& X)
{
    X.resize(images.pixelCount(), count);
    for (int s = 0; s < count; ++s) {
        const std::uint8_t* p = images.image(indices[s]);
        float* col = X.col(s).data();
        for (int k = 0; k < images.pixelCount(); ++k)
            col[k] = p[k] * (1.0f / 255.0f);
    }
}

Eigen::MatrixXf MlpClassifier::hidden(const Eigen::MatrixXf& X) const
{
    Eigen::MatrixXf H = m_W1 * X;
    if (m_config.biases)
        H.colwise() += m_b1;
    return H.cwiseMax(0.0f);
}

Eigen::MatrixXf MlpClassifier::logits(const Eigen::MatrixXf& X) const
{
    Eigen::MatrixXf Z = m_W2 * hidden(X);
    if (m_config.biases)
        Z.colwise() += m_b2;
    return Z;
}

Eigen::MatrixXf MlpClassifier::hiddenActivations(const ImageDataset& images) const
{
    if (images.pixelCount() != m_config.inputs)
        throw InputError(images.messagePrefix() + "the images have " + std::to_string(images.pixelCount()) +
                         " pixels, the MLP expects " +
                         std::to_string(m_config.inputs));
    Eigen::MatrixXf H(m_config.hidden, images.count);
    for (int begin = 0; begin < images.count; begin += kChunk) {
        const int count = std::min(kChunk, images.count - begin);
        H.middleCols(begin, count) = hidden(inputs(images, begin, count));
    }
    return H;
}

double MlpClassifier::accuracy(const ImageDataset& images) const
{
    if (images.count == 0)
        return 0.0;
    long long correct = 0;
    for (int begin = 0; begin < images.count; begin += kChunk) {
        const int count = std::min(kChunk, images.count - begin);
        const Eigen::MatrixXf Z = logits(inputs(images, begin, count));
        for (int s = 0; s < count; ++s) {
            Eigen::Index best = 0;
            Z.col(s).maxCoeff(&best);
            correct += int(best) == int(images.labels[std::size_t(begin + s)]) ? 1 : 0;
        }
    }
    return double(correct) / images.count;
}

double MlpClassifier::meanLoss(const ImageDataset& images) const
{
    if (images.count == 0)
        return 0.0;
    double total = 0.0;
    for (int begin = 0; begin < images.count; begin += kChunk) {
        const int count = std::min(kChunk, images.count - begin);
        const Eigen::MatrixXf Z = logits(inputs(images, begin, count));
        for (int s = 0; s < count; ++s) {
            const float top = Z.col(s).maxCoeff();
            const double logSum = top + std::log((Z.col(s).array() - top).exp().cast<double>().sum());
            total += logSum - Z(images.labels[std::size_t(begin + s)], s);
        }
    }
    return total / images.count;
}

MlpClassifier MlpClassifier::shuffledCopy(std::uint64_t seed) const
{
    MlpClassifier copy = *this;
    Rng rng(seed);
    shuffleEntries(copy.m_W1, rng);
    shuffleEntries(copy.m_W2, rng);
    shuffleEntries(copy.m_b1, rng);
    shuffleEntries(copy.m_b2, rng);
    return copy;
}

} // namespace featurescope
