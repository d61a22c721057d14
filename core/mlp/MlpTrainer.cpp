#include "mlp/MlpTrainer.h"

#include "common/InputError.h"
#include "math/AdamOptimizer.h"
#include "math/Rng.h"

#include <chrono>
#include <cmath>
#include <numeric>

namespace featurescope {

void MlpTrainingConfig::validate() const
{
    if (epochs < 0 || epochs > 10000)
        throw InputError("MLP epochs must be between 0 and 10000");
    if (batch < 1 || batch > 1 << 16)
        throw InputError("MLP batch must be between 1 and 65536");
    if (!std::isfinite(learningRate) || learningRate <= 0.0 || learningRate > 10.0)
        throw InputError("the MLP learning rate must be finite, positive and at most 10");
}

MlpTrainingResult MlpTrainer::train(const MlpConfig& modelConfig, const MlpTrainingConfig& training,
                                    const ImageDataset& images, ProgressReporter* progress)
{
    training.validate();
    modelConfig.validate();
    if (images.pixelCount() != modelConfig.inputs)
        throw InputError(images.messagePrefix() + "the images have " + std::to_string(images.pixelCount()) +
                         " pixels, the MLP expects " +
                         std::to_string(modelConfig.inputs));
    if (images.count < 1)
        throw InputError("the training image set is empty");
    for (std::uint8_t label : images.labels)
        if (label >= modelConfig.classes)
            throw InputError((images.labelsPath.empty() ? std::string() : images.labelsPath + ": ") + "a training label (" +
                             std::to_string(label) + ") is not below the class count (" +
                             std::to_string(modelConfig.classes) + ")");

    MlpTrainingResult result{MlpClassifier(modelConfig), {}, 0, 0.0, TrainingStatus::Running, {}};
    MlpClassifier& model = result.model;
    model.initialise(Rng::deriveSeed(training.seed, 0x11F));
    Rng rng(Rng::deriveSeed(training.seed, 0x5F1));
    AdamSettings settings;
    settings.learningRate = training.learningRate;
    AdamOptimizer adamW1(std::size_t(model.W1().size()), settings), adamB1(std::size_t(model.b1().size()), settings);
    AdamOptimizer adamW2(std::size_t(model.W2().size()), settings), adamB2(std::size_t(model.b2().size()), settings);
    Eigen::MatrixXf dW1(model.W1().rows(), model.W1().cols()), dW2(model.W2().rows(), model.W2().cols());
    Eigen::VectorXf db1(model.b1().size()), db2(model.b2().size());
    Eigen::MatrixXf X, H, Z, dZ, dH;

    std::vector<int> order(std::size_t(images.count));
    std::iota(order.begin(), order.end(), 0);
    const int batchesPerEpoch = (images.count + training.batch - 1) / training.batch;
    const int totalSteps = batchesPerEpoch * training.epochs;
    const auto start = std::chrono::steady_clock::now();
    for (int epoch = 0; epoch < training.epochs && result.status == TrainingStatus::Running; ++epoch) {
        for (int i = images.count - 1; i > 0; --i)
            std::swap(order[std::size_t(i)], order[std::size_t(rng.below(std::uint64_t(i) + 1))]);
        for (int begin = 0; begin < images.count; begin += training.batch) {
            if (progress && progress->isCancelled()) {
                result.status = TrainingStatus::Cancelled;
                result.message = "MLP training cancelled at step " + std::to_string(result.stepsDone);
                break;
            }
            const int count = std::min(training.batch, images.count - begin);
            MlpClassifier::inputs(images, order.data() + begin, count, X);
            H.noalias() = model.W1() * X;
            if (modelConfig.biases)
                H.colwise() += model.b1();
            H = H.cwiseMax(0.0f);
            Z.noalias() = model.W2() * H;
            if (modelConfig.biases)
                Z.colwise() += model.b2();
            // Softmax cross-entropy: dL/dZ = (softmax(Z) − onehot) / count.
            dZ.resize(Z.rows(), count);
            double loss = 0.0;
            for (int s = 0; s < count; ++s) {
                const float top = Z.col(s).maxCoeff();
                dZ.col(s) = (Z.col(s).array() - top).exp().matrix();
                const float sum = dZ.col(s).sum();
                const int label = images.labels[std::size_t(order[std::size_t(begin + s)])];
                loss += std::log(double(sum)) - double(Z(label, s) - top);
                dZ.col(s) /= sum;
                dZ(label, s) -= 1.0f;
            }
            dZ /= float(count);
            loss /= count;
            dW2.noalias() = dZ * H.transpose();
            db2 = dZ.rowwise().sum();
            dH.noalias() = model.W2().transpose() * dZ;
            dH = (H.array() > 0.0f).select(dH, 0.0f);
            dW1.noalias() = dH * X.transpose();
            db1 = dH.rowwise().sum();
            if (!std::isfinite(loss) || !dW1.allFinite() || !dW2.allFinite()) {
                result.status = TrainingStatus::Diverged;
                result.message = "MLP training stopped at step " + std::to_string(result.stepsDone) +
                                 ": the loss became non-finite; the last good weights are kept";
                break;
            }
            adamW1.step(model.W1().data(), dW1.data());
            adamW2.step(model.W2().data(), dW2.data());
            if (modelConfig.biases) {
                adamB1.step(model.b1().data(), db1.data());
                adamB2.step(model.b2().data(), db2.data());
            }
            result.lossHistory.push_back(float(loss));
            ++result.stepsDone;
            if (progress && result.stepsDone % 32 == 0)
                progress->report(double(result.stepsDone) / std::max(totalSteps, 1), "training MLP");
        }
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (result.status == TrainingStatus::Running) {
        result.status = TrainingStatus::Finished;
        if (progress)
            progress->report(1.0, "MLP trained");
    }
    return result;
}

} // namespace featurescope
