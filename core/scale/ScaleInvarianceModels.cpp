#include "scale/ScaleInvarianceModels.h"

#include "common/InputError.h"
#include "io/SafetensorsFile.h"
#include "math/Rng.h"
#include "toy/SparseFeatureSampler.h"
#include "toy/ToyTrainer.h"

#include <cmath>

namespace featurescope {

namespace {
// Stream of the evaluation batch, apart from the training streams of the same seed.
constexpr std::uint64_t kEvaluationStream = 0x5CA1E;
} // namespace

ToyModelConfig ScaleInvarianceModels::toyConfig(bool tied)
{
    ToyModelConfig config;
    if (tied) {
        config.features = 5;
        config.hidden = 2;
        config.kind = ToyModelKind::ReluOutput;
        config.featureProbability = ToyModelConfig::sharedProbability(5, 1, 0.05);
    } else {
        config.features = 10;
        config.hidden = 5;
        config.kind = ToyModelKind::UntiedAbs;
        config.featureProbability = ToyModelConfig::sharedProbability(10, 1, 0.1);
    }
    config.importanceDecay = 1.0;
    return config;
}

TrainingConfig ScaleInvarianceModels::toyTraining(int steps, std::uint64_t seed)
{
    TrainingConfig training;
    training.steps = steps;
    training.seed = seed;
    training.threads = 1;
    training.snapshotCount = 2;
    return training;
}

ToyTrainingResult ScaleInvarianceModels::trainToy(bool tied, int steps, std::uint64_t seed, ProgressReporter* progress)
{
    const ToyModelConfig config = toyConfig(tied);
    const TrainingConfig training = toyTraining(steps, seed);
    training.validate(config.features, config.hidden, config.instances());
    return ToyTrainer::train(config, training, progress);
}

Eigen::MatrixXf ScaleInvarianceModels::toyEvaluationBatch(const ToyModelConfig& config, int samples,
                                                          std::uint64_t seed)
{
    if (samples < 1 || samples > (1 << 22))
        throw InputError("the evaluation batch must have between 1 and 4194304 samples");
    Eigen::MatrixXf X(samples, config.features);
    SparseFeatureSampler sampler(Rng::deriveSeed(seed, kEvaluationStream));
    sampler.sample(config.featureProbability.front(), config.kind == ToyModelKind::UntiedAbs, X);
    return X;
}

ScaleInvarianceLab ScaleInvarianceModels::toyLab(const ToyModel& model, std::uint64_t seed, int samples)
{
    return ScaleInvarianceLab::forToyModel(model, 0, toyEvaluationBatch(model.config(), samples, seed));
}

MlpTrainingResult ScaleInvarianceModels::trainBiasFreeMlp(const ImageDataset& train, int epochs, std::uint64_t seed,
                                                          ProgressReporter* progress)
{
    MlpConfig config;
    config.inputs = train.pixelCount();
    config.biases = false;
    MlpTrainingConfig training;
    training.epochs = epochs;
    training.seed = seed;
    return MlpTrainer::train(config, training, train, progress);
}

ScaleInvarianceLab ScaleInvarianceModels::classifierLab(const MlpClassifier& model, const ImageDataset& images)
{
    if (images.pixelCount() != model.config().inputs)
        throw InputError("the images have " + std::to_string(images.pixelCount()) + " pixels, the classifier expects " +
                         std::to_string(model.config().inputs));
    std::vector<int> labels(images.labels.begin(), images.labels.end());
    return ScaleInvarianceLab::forClassifier(model, MlpClassifier::inputs(images, 0, images.count),
                                             std::move(labels));
}

Eigen::MatrixXf ScaleInvarianceModels::loadSafetensorsMatrix(const std::string& path, const std::string& tensor,
                                                             bool transpose)
{
    const SafetensorsFile file = SafetensorsFile::open(path);
    const ArrayData array = file.tensor(tensor);
    if (array.rank() != 2)
        throw InputError(path + ": tensor '" + tensor + "' has shape " + ArrayData::shapeText(array.shape()) +
                         "; the scale-invariance lab needs a matrix (rank 2)");
    if (!dtypeIsFloat(array.dtype()))
        throw InputError(path + ": tensor '" + tensor + "' is " + dtypeShortName(array.dtype()) +
                         "; the scale-invariance lab needs floating-point weights");
    const std::uint64_t rows = array.shape()[0], cols = array.shape()[1];
    if (rows == 0 || cols == 0)
        throw InputError(path + ": tensor '" + tensor + "' is empty");
    if (rows * cols > kMaxMatrixElements) // both are below 2^32 here, as rows * cols fits the file
        throw InputError(path + ": tensor '" + tensor + "' has " + std::to_string(rows * cols) +
                         " entries; the scale-invariance lab takes at most " + std::to_string(kMaxMatrixElements));
    // C order: row-major rows x cols.
    Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> values(
        static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols));
    array.toFloat(values.data());
    Eigen::MatrixXf W = values;
    if (transpose)
        W.transposeInPlace();
    if (!W.allFinite())
        throw InputError(path + ": tensor '" + tensor + "' has non-finite entries");
    return W;
}

std::vector<std::string> ScaleInvarianceModels::safetensorsMatrixNames(const std::string& path)
{
    const SafetensorsFile file = SafetensorsFile::open(path);
    std::vector<std::string> names;
    for (const auto& info : file.tensors())
        if (info.shape.size() == 2 && dtypeIsFloat(info.dtype) && info.shape[0] > 0 && info.shape[1] > 0)
            names.push_back(info.name);
    return names;
}

} // namespace featurescope
