#include "cli/ScaleCommand.h"

#include "cli/ArgumentParser.h"
#include "common/InputError.h"
#include "experiments/ScaleLabConfig.h"
#include "scale/ScaleInvarianceLab.h"
#include "scale/ScaleInvarianceModels.h"
#include "scale/ScaleInvarianceSummary.h"
#include "toy/ToyTrainer.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <optional>

using featurescope::InputError;
using namespace featurescope;

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

nlohmann::json pointJson(const ScaleInvarianceLab& lab, const ScaleInvariancePoint& p)
{
    nlohmann::json j;
    j["scale"] = p.scale;
    j["features_per_dimension"] = p.featuresPerDimension;
    j["frobenius_squared"] = p.frobeniusSquared;
    j["mean_feature_dimensionality"] = p.meanDimensionality;
    j["max_feature_dimensionality_change"] = p.maxDimensionalityChange;
    j["feature_dimensionality"] = std::vector<float>(p.dimensionality.data(),
                                                     p.dimensionality.data() + p.dimensionality.size());
    switch (lab.kind()) {
    case ScaleInvarianceLab::Kind::Classifier:
        j["accuracy"] = p.accuracy;
        j["predictions_identical"] = p.predictionsIdentical();
        j["predictions_changed"] = p.predictionsChanged;
        j["logit_order_identical"] = p.orderingsIdentical();
        j["logit_orders_changed"] = p.orderingsChanged;
        j["mean_max_probability"] = p.meanMaxProbability;
        j["mean_kl_from_c1"] = p.meanKlFromReference;
        j["max_abs_probability_change"] = p.maxProbabilityChange;
        break;
    case ScaleInvarianceLab::Kind::TiedToy:
        j["loss"] = p.loss;
        break;
    case ScaleInvarianceLab::Kind::UntiedToy:
        j["loss"] = p.loss;
        j["loss_encoder_only"] = p.lossEncoderOnly;
        break;
    case ScaleInvarianceLab::Kind::Matrix:
        break;
    }
    return j;
}

nlohmann::json summaryJson(const ScaleInvarianceSummary& s)
{
    nlohmann::json j;
    j["features_per_dimension_slope"] = s.featuresPerDimensionSlope;
    j["max_relative_c2_error"] = s.maxRelativeC2Error;
    j["max_feature_dimensionality_change"] = s.maxDimensionalityChange;
    switch (s.kind) {
    case ScaleInvarianceLab::Kind::Classifier:
        j["all_predictions_identical"] = s.maxPredictionsChanged == 0;
        j["max_predictions_changed"] = s.maxPredictionsChanged;
        j["all_logit_orders_identical"] = s.maxOrderingsChanged == 0;
        j["max_accuracy_change"] = s.maxAccuracyChange;
        j["max_mean_kl_from_c1"] = s.maxKl;
        break;
    case ScaleInvarianceLab::Kind::TiedToy:
    case ScaleInvarianceLab::Kind::UntiedToy:
        j["loss_at_c1"] = s.lossAtOne;
        j["best_scale"] = s.bestScale;
        j["best_loss"] = s.bestLoss;
        j["loss_larger_away_from_c1"] = s.lossLargerAwayFromOne;
        j["max_relative_loss_change"] = s.maxRelativeLossChange;
        if (s.kind == ScaleInvarianceLab::Kind::UntiedToy)
            j["encoder_only_best_scale"] = s.encoderOnlyBestScale;
        break;
    case ScaleInvarianceLab::Kind::Matrix:
        break;
    }
    return j;
}

void printTable(const ScaleInvarianceLab& lab, const std::vector<ScaleInvariancePoint>& points)
{
    switch (lab.kind()) {
    case ScaleInvarianceLab::Kind::Classifier:
        std::printf("%10s %14s %10s %9s %13s %9s %10s %10s\n", "scale", "features/dim", "mean D_i", "accuracy",
                    "predictions", "logit ord", "mean maxp", "KL(c=1|c)");
        for (const auto& p : points) {
            const std::string predictions =
                p.predictionsIdentical() ? "identical" : std::to_string(p.predictionsChanged) + " changed";
            const std::string orders =
                p.orderingsIdentical() ? "identical" : std::to_string(p.orderingsChanged) + " chg";
            std::printf("%10g %14.6g %10.6f %8.2f%% %13s %9s %10.4f %10.4g\n", p.scale, p.featuresPerDimension,
                        p.meanDimensionality, 100.0 * p.accuracy, predictions.c_str(), orders.c_str(),
                        p.meanMaxProbability, p.meanKlFromReference);
        }
        break;
    case ScaleInvarianceLab::Kind::TiedToy:
        std::printf("%10s %14s %10s %12s\n", "scale", "features/dim", "mean D_i", "loss");
        for (const auto& p : points)
            std::printf("%10g %14.6g %10.6f %12.6g\n", p.scale, p.featuresPerDimension, p.meanDimensionality, p.loss);
        break;
    case ScaleInvarianceLab::Kind::UntiedToy:
        std::printf("%10s %14s %10s %12s %18s\n", "scale", "features/dim", "mean D_i", "loss", "loss (enc. only)");
        for (const auto& p : points)
            std::printf("%10g %14.6g %10.6f %12.6g %18.6g\n", p.scale, p.featuresPerDimension, p.meanDimensionality,
                        p.loss, p.lossEncoderOnly);
        break;
    case ScaleInvarianceLab::Kind::Matrix:
        std::printf("%10s %14s %10s %12s\n", "scale", "features/dim", "mean D_i", "max |dD_i|");
        for (const auto& p : points)
            std::printf("%10g %14.6g %10.6f %12.3g\n", p.scale, p.featuresPerDimension, p.meanDimensionality,
                        p.maxDimensionalityChange);
        break;
    }
}

} // namespace

int ScaleCommand::run(const std::vector<std::string>& arguments)
{
    ArgumentParser args("scale",
                        {{"model", true, "toy (tied, default), toy-untied, fashion-mlp (bias-free) or file"},
                         {"scales", true, "comma-separated scales c > 0 (default 0.25,0.5,1,2,4)"},
                         {"steps", true, "toy models: training steps (default 10000)"},
                         {"epochs", true, "fashion-mlp: training epochs (default 2)"},
                         {"data-dir", true, "fashion-mlp: folder with the Fashion-MNIST IDX files"},
                         {"seed", true, "random seed of training and the evaluation batch (default 0)"},
                         {"weights", true, "file: the .safetensors file holding the matrix"},
                         {"tensor", true, "file: the name of a rank-2 tensor [m, n] (columns are features)"},
                         {"transpose", false, "file: treat the tensor as [n, m] (rows are features)"}});
    args.parse(arguments);
    if (args.flag("help")) {
        std::cout << args.helpText();
        return 0;
    }
    ScaleLabConfig config;
    const std::string model = args.text("model", "toy");
    if (model == "tied-toy" || model == "untied-toy") // panel spellings: the command line has one name per model
        throw InputError("unknown model '" + model + "' (expected toy, toy-untied, fashion-mlp or file)");
    config.model = ScaleLabConfig::modelFromName(model);
    const bool toy = config.isToy();
    if (!toy && args.has("steps"))
        throw InputError("--steps applies to --model toy and toy-untied (fashion-mlp trains for --epochs)");
    if (config.model != ScaleLabConfig::Model::FashionMlp && (args.has("epochs") || args.has("data-dir")))
        throw InputError("--epochs and --data-dir need --model fashion-mlp");
    if (config.model != ScaleLabConfig::Model::File && (args.has("weights") || args.has("tensor") || args.has("transpose")))
        throw InputError("--weights, --tensor and --transpose need --model file");
    if (config.model == ScaleLabConfig::Model::File && (!args.has("weights") || !args.has("tensor")))
        throw InputError("--model file needs --weights FILE.safetensors and --tensor NAME");

    config.scales = args.numberList("scales", config.scales); // ranges checked once, by config.validate() below
    config.steps = int(args.integer("steps", config.steps, 1, 10000000));
    config.epochs = int(args.integer("epochs", config.epochs, 1, 1000));
    config.seed = std::uint64_t(args.integer("seed", 0, 0, (1ll << 62)));
    config.dataDirectory = args.text("data-dir", ImageDataset::defaultFashionMnistDirectory());
    config.weights = args.text("weights", "");
    config.tensor = args.text("tensor", "");
    config.transpose = args.flag("transpose");
    config.validate();
    const std::vector<double>& scales = config.scales;
    const int steps = config.steps, epochs = config.epochs;
    const std::uint64_t seed = config.seed;

    nlohmann::json out;
    out["model"] = ScaleLabConfig::modelName(config.model);
    out["config"] = config;
    std::optional<ScaleInvarianceLab> lab;
    std::string trainingLine;
    const auto start = Clock::now();
    if (toy) {
        const bool tied = config.model == ScaleLabConfig::Model::TiedToy;
        const ToyTrainingResult trained = ScaleInvarianceModels::trainToy(tied, steps, seed);
        if (trained.status == TrainingStatus::Diverged)
            throw InputError("toy training diverged: " + trained.message);
        const double seconds = secondsSince(start);
        lab.emplace(ScaleInvarianceModels::toyLab(trained.model, seed));
        const ToyModelConfig& toyModel = trained.model.config();
        out["training"] = {{"kind", toyModelKindName(toyModel.kind)},
                           {"features", toyModel.features},
                           {"hidden", toyModel.hidden},
                           {"feature_probability", toyModel.featureProbability.front().front()},
                           {"steps", trained.stepsDone},
                           {"final_loss", trained.finalLoss.empty() ? 0.0 : trained.finalLoss.front()},
                           {"seconds", seconds}};
        char line[256];
        std::snprintf(line, sizeof line, "trained %s n=%d m=%d p=%g for %d steps in %.2f s; loss on %d fixed samples",
                      toyModelKindName(toyModel.kind).c_str(), toyModel.features, toyModel.hidden,
                      toyModel.featureProbability.front().front(), trained.stepsDone, seconds, lab->samples());
        trainingLine = line;
    } else if (config.model == ScaleLabConfig::Model::FashionMlp) {
        const std::string& dir = config.dataDirectory;
        const ImageDataset train = ImageDataset::loadSplit(dir, "train");
        const ImageDataset test = ImageDataset::loadSplit(dir, "t10k");
        const MlpTrainingResult trained = ScaleInvarianceModels::trainBiasFreeMlp(train, epochs, seed);
        if (trained.status == TrainingStatus::Diverged)
            throw InputError("MLP training diverged: " + trained.message);
        lab.emplace(ScaleInvarianceModels::classifierLab(trained.model, test));
        out["training"] = {{"biases", false},
                           {"epochs", epochs},
                           {"steps", trained.stepsDone},
                           {"final_loss", trained.lossHistory.empty() ? 0.0 : double(trained.lossHistory.back())},
                           {"seconds", trained.seconds},
                           {"test_images", test.count}};
        char line[256];
        std::snprintf(line, sizeof line,
                      "trained the 784-128-10 MLP without biases for %d epochs in %.1f s; evaluated on %d test images",
                      epochs, trained.seconds, test.count);
        trainingLine = line;
    } else {
        const std::string& path = config.weights;
        const std::string& tensor = config.tensor;
        lab.emplace(ScaleInvarianceLab::forMatrix(
            ScaleInvarianceModels::loadSafetensorsMatrix(path, tensor, config.transpose), tensor));
        out["file"] = {{"path", path}, {"tensor", tensor}, {"transposed", config.transpose}};
        trainingLine = "read " + tensor + " from " + path;
    }

    const std::vector<ScaleInvariancePoint> points = lab->sweep(scales);
    const ScaleInvarianceSummary summary = summariseScaleInvariance(*lab, points);
    out["kind"] = ScaleInvarianceLab::kindName(lab->kind());
    out["scaled_matrix"] = lab->scaledMatrixDescription();
    out["dimensions"] = lab->dimensions();
    out["features"] = lab->features();
    out["samples"] = lab->samples();
    out["bias_free"] = lab->biasFree();
    out["scales"] = nlohmann::json::array();
    for (const auto& p : points)
        out["scales"].push_back(pointJson(*lab, p));
    out["summary"] = summaryJson(summary);
    out["reading"] = summary.reading;

    if (args.flag("json")) {
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    std::printf("%s\nscaled: %s\n\n", trainingLine.c_str(), lab->scaledMatrixDescription().c_str());
    printTable(*lab, points);
    std::printf("\n%s\n", summary.reading.c_str());
    return 0;
}
