#pragma once

#include "mlp/ImageDataset.h"

#include <Eigen/Core>

#include <cstdint>

namespace featurescope {

struct MlpConfig {
    int inputs = 784;
    int hidden = 128;
    int classes = 10;
    bool biases = true; // off for the scale-invariance lab (a bias-free ReLU classifier)
    void validate() const; // throws InputError
};

// A one-hidden-layer ReLU classifier: h = ReLU(W1 x + b1), logits = W2 h + b2, x = pixels / 255.
// W1 is hidden x inputs, W2 is classes x hidden; inputs are columns (inputs x N).
class MlpClassifier {
public:
    explicit MlpClassifier(MlpConfig config = {}); // zero weights; throws InputError on a bad config
    // He-normal weights (std √(2 / fan_in)), zero biases.
    void initialise(std::uint64_t seed);

    const MlpConfig& config() const { return m_config; }
    Eigen::MatrixXf& W1() { return m_W1; }
    const Eigen::MatrixXf& W1() const { return m_W1; }
    Eigen::VectorXf& b1() { return m_b1; }
    const Eigen::VectorXf& b1() const { return m_b1; }
    Eigen::MatrixXf& W2() { return m_W2; }
    const Eigen::MatrixXf& W2() const { return m_W2; }
    Eigen::VectorXf& b2() { return m_b2; }
    const Eigen::VectorXf& b2() const { return m_b2; }

    Eigen::MatrixXf hidden(const Eigen::MatrixXf& X) const; // hidden x N
    Eigen::MatrixXf logits(const Eigen::MatrixXf& X) const; // classes x N

    // Hidden activations / accuracy / mean cross-entropy over a whole image set (in chunks).
    Eigen::MatrixXf hiddenActivations(const ImageDataset& images) const;
    double accuracy(const ImageDataset& images) const;
    double meanLoss(const ImageDataset& images) const;

    // The randomized control of Towards Monosemanticity: a copy in which the entries of each weight matrix (and each
    // bias vector) are permuted at random (Fisher–Yates), keeping every matrix's multiset of values.
    MlpClassifier shuffledCopy(std::uint64_t seed) const;

    // Pixels / 255 of images [begin, begin + count) as columns.
    static Eigen::MatrixXf inputs(const ImageDataset& images, int begin, int count);
    static void inputs(const ImageDataset& images, const int* indices, int count, Eigen::MatrixXf& X);

private:
    MlpConfig m_config;
    Eigen::MatrixXf m_W1, m_W2;
    Eigen::VectorXf m_b1, m_b2;
};

} // namespace featurescope
