#include "experiments/SaeSourceFactory.h"

#include "common/Cancelled.h"
#include "common/InputError.h"
#include "common/ProgressReporter.h"
#include "experiments/RngStreams.h"
#include "math/Rng.h"
#include "mlp/MlpTrainer.h"
#include "sae/AbsorptionToySource.h"
#include "sae/MatrixActivationSource.h"
#include "sae/MlpActivationSource.h"
#include "sae/SyntheticActivationSource.h"
#include "sae/ToyActivationSource.h"
#include "toy/ToyTrainer.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>

namespace featurescope {

namespace {

const std::vector<std::string> kFashionClasses{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                               "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
const std::vector<std::string> kFashionShortClasses{"T-shirt", "Trouser", "Pullover", "Dress", "Coat",
                                                    "Sandal",  "Shirt",   "Sneaker",  "Bag",   "Boot"};

std::string format(const char* pattern, double value)
{
    char text[64];
    std::snprintf(text, sizeof text, pattern, value);
    return text;
}

bool containsFashion(std::string path)
{
    std::transform(path.begin(), path.end(), path.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return path.find("fashion") != std::string::npos;
}

} // namespace

double SaeSourceFactory::buildShare(SaeExperimentConfig::Source source)
{
    switch (source) {
    case SaeExperimentConfig::Source::Toy: return 0.2;
    case SaeExperimentConfig::Source::FashionMnist: return 0.35;
    default: return 0.0;
    }
}

std::shared_ptr<const SaeSourceFactory::TrainedMlp> SaeSourceFactory::trainedMlp(const SaeExperimentConfig& config,
                                                                                const ProgressReporter& progress)
{
    const std::string key = config.dataDirectory + "|" + std::to_string(config.mlpEpochs) + "|" +
                            std::to_string(config.training.seed);
    if (m_mlp && key == m_mlpKey)
        return m_mlp;
    progress.report(0.0, "Loading images from " + config.dataDirectory);
    const ImageDataset train = ImageDataset::loadSplit(config.dataDirectory, "train");
    auto bundle = std::make_shared<TrainedMlp>();
    bundle->test = ImageDataset::loadSplit(config.dataDirectory, "t10k");
    if (train.pixelCount() != MlpConfig{}.inputs || bundle->test.pixelCount() != MlpConfig{}.inputs)
        throw InputError("the images in " + config.dataDirectory + " are " + std::to_string(train.rows) + "x" +
                         std::to_string(train.cols) + "; the MLP expects 28x28");
    MlpTrainingConfig training;
    training.epochs = config.mlpEpochs;
    training.seed = config.training.seed;
    // The trainer polls this stage: it reports "Training the MLP" fractions and sees the job's cancel flag.
    ProgressReporter stage(progress, 0.0, 1.0);
    const MlpTrainingResult result = MlpTrainer::train(MlpConfig{}, training, train, &stage);
    if (result.status == TrainingStatus::Cancelled || progress.isCancelled())
        throw Cancelled();
    if (result.status == TrainingStatus::Diverged)
        throw InputError("the MLP diverged: " + result.message);
    bundle->model = result.model;
    bundle->seconds = result.seconds;
    bundle->accuracy = bundle->model.accuracy(bundle->test);
    const std::size_t classes = std::size_t(std::max(0, bundle->test.classCount));
    if (containsFashion(config.dataDirectory) && classes <= kFashionClasses.size()) {
        bundle->classNames.assign(kFashionClasses.begin(), kFashionClasses.begin() + std::ptrdiff_t(classes));
        bundle->shortClassNames.assign(kFashionShortClasses.begin(), kFashionShortClasses.begin() + std::ptrdiff_t(classes));
    } else {
        for (std::size_t c = 0; c < classes; ++c)
            bundle->classNames.push_back(std::to_string(c));
        bundle->shortClassNames = bundle->classNames;
    }
    m_mlp = bundle;
    m_mlpKey = key;
    return bundle;
}

SaeSource SaeSourceFactory::build(const SaeExperimentConfig& config, const ProgressReporter& progress)
{
    SaeSource out;
    const std::uint64_t seed = config.training.seed;
    switch (config.source) {
    case SaeExperimentConfig::Source::Synthetic: {
        SyntheticActivationSource::Settings settings;
        settings.features = config.syntheticFeatures;
        settings.dimension = config.syntheticDimension;
        settings.meanActive = config.syntheticMeanActive;
        settings.structure = config.syntheticStructure;
        settings.seed = Rng::deriveSeed(seed, RngStream::kSyntheticDirections);
        out.source = std::make_shared<SyntheticActivationSource>(settings);
        const SyntheticStructure& st = config.syntheticStructure;
        out.description = "synthetic: " + std::to_string(config.syntheticFeatures) + " true features in d = " +
                          std::to_string(config.syntheticDimension) + ", " +
                          format("%.3g", config.syntheticMeanActive) + " active per input" +
                          (st.zipfExponent > 0.0 ? ", Zipfian firing (s = " + format("%.3g", st.zipfExponent) + ")" : "") +
                          (st.hierarchical() ? ", " + std::to_string(st.parents) + " parents with " +
                                                   std::to_string(st.childrenPerParent) +
                                                   (st.exclusiveChildren ? " mutually exclusive" : "") + " children each"
                                             : "") +
                          (st.correlation > 0.0 ? ", correlated firing (strength " + format("%.3g", st.correlation) + ")"
                                                : "") +
                          (st.magnitudes ? ", magnitudes max(0, " + format("%.3g", st.magnitudeMeanFirst) + ".." +
                                               format("%.3g", st.magnitudeMeanLast) + " + " +
                                               format("%.3g", st.magnitudeStdFirst) + ".." +
                                               format("%.3g", st.magnitudeStdLast) + " N(0,1))"
                                         : "");
        out.facts["true_features"] = config.syntheticFeatures;
        break;
    }
    case SaeExperimentConfig::Source::AbsorptionToy: {
        AbsorptionToySource::Settings settings;
        settings.seed = Rng::deriveSeed(seed, RngStream::kSyntheticDirections);
        out.source = std::make_shared<AbsorptionToySource>(settings);
        out.description = "absorption toy: 4 orthogonal features in d = 50, feature 1 only with feature 0";
        out.facts["true_features"] = int(settings.probability.size());
        out.facts["hierarchy"] = {{settings.parent, settings.child}};
        break;
    }
    case SaeExperimentConfig::Source::Toy: {
        ToyModelConfig toy;
        toy.features = config.toyFeatures;
        toy.hidden = config.toyHidden;
        toy.featureProbability = ToyModelConfig::sharedProbability(config.toyFeatures, 1, config.toyProbability);
        TrainingConfig training;
        training.steps = config.toySteps;
        training.seed = seed;
        training.snapshotCount = 2;
        // Trained in chunks so the stage reports "step s of S" and a cancel is seen between them too.
        ToyTrainer trainer(toy, training);
        ProgressReporter stage(progress, 0.0, 1.0);
        while (trainer.status() == TrainingStatus::Running) {
            if (progress.isCancelled())
                throw Cancelled();
            trainer.run(&stage, 200);
            progress.report(double(trainer.stepsDone()) / std::max(1, training.steps),
                            "Training the toy model: step " + std::to_string(trainer.stepsDone()) + " of " +
                                std::to_string(training.steps));
        }
        if (trainer.status() == TrainingStatus::Cancelled)
            throw Cancelled();
        if (trainer.status() == TrainingStatus::Diverged)
            throw InputError("the toy model diverged: " + trainer.result().message);
        const auto loss = trainer.recentLoss();
        const double finalLoss = loss.empty() ? 0.0 : loss.front();
        out.source = std::make_shared<ToyActivationSource>(trainer.model());
        out.description = "toy model: n = " + std::to_string(config.toyFeatures) + " features in m = " +
                          std::to_string(config.toyHidden) + " dims, p = " + format("%.3g", config.toyProbability) +
                          " (loss " + format("%.3g", finalLoss) + ")";
        out.facts["toy_final_loss"] = finalLoss;
        out.facts["true_features"] = int(out.source->groundTruth().cols());
        break;
    }
    case SaeExperimentConfig::Source::FashionMnist: {
        const auto mlp = trainedMlp(config, progress);
        const MlpClassifier model =
            config.randomized ? mlp->model.shuffledCopy(Rng::deriveSeed(seed, RngStream::kWeightShuffle)) : mlp->model;
        const double accuracy = config.randomized ? model.accuracy(mlp->test) : mlp->accuracy;
        out.source = std::make_shared<MlpActivationSource>(model, mlp->test,
                                                           config.randomized ? "fashion-mnist-shuffled" : "fashion-mnist");
        out.classNames = mlp->classNames;
        out.shortClassNames = mlp->shortClassNames;
        out.description = std::string(config.randomized ? "shuffled-weights " : "") + "MLP 784-128-10 hidden layer on " +
                          std::to_string(mlp->test.count) + " test images (accuracy " +
                          format("%.1f", 100.0 * accuracy) + " %)";
        out.facts["mlp_test_accuracy"] = accuracy;
        out.facts["mlp_training_seconds"] = mlp->seconds;
        out.facts["randomized"] = config.randomized;
        break;
    }
    case SaeExperimentConfig::Source::File: {
        const ImportedActivations& file = *config.imported;
        out.source = std::make_shared<MatrixActivationSource>(file.set, file.path);
        for (int c = 0; c < file.set.classCount; ++c)
            out.classNames.push_back(std::to_string(c));
        out.shortClassNames = out.classNames;
        out.description = std::filesystem::path(file.path).filename().string() + " · " + file.arrayName + ": " +
                          std::to_string(file.set.size()) + " rows, d = " +
                          std::to_string(file.set.activations.rows()) + (file.hasTokens() ? ", with tokens" : "");
        out.facts["activations"] = file.path;
        out.facts["array"] = file.arrayName;
        out.facts["array_shape"] = file.shape;
        out.facts["array_dtype"] = dtypeShortName(file.dtype);
        if (!file.labelsName.empty())
            out.facts["labels"] = file.labelsName;
        break;
    }
    }
    return out;
}

} // namespace featurescope
