#include "toy/ToyModelFile.h"

#include "common/InputError.h"
#include "common/SettingsReader.h"
#include "io/FileText.h"
#include "io/JsonReader.h"
#include "io/SafetensorsFile.h"
#include "toy/ToyArrays.h"

#include <nlohmann/json.hpp>


namespace featurescope {

namespace {
ArrayData stack(const ToyModel& model, const Eigen::MatrixXf& (*pick)(const ToyInstance&))
{
    std::vector<const Eigen::MatrixXf*> matrices;
    for (int i = 0; i < model.instanceCount(); ++i)
        matrices.push_back(&pick(model.instance(i)));
    return ToyArrays::stackMatrices(matrices, model.config().hidden, model.config().features);
}
} // namespace

void ToyModelFile::write(const std::string& path, const ToyModel& model, const TrainingConfig* training)
{
    const ToyModelConfig& c = model.config();
    nlohmann::json config = c;
    std::vector<std::vector<double>> importance(std::size_t(c.instances()), std::vector<double>(std::size_t(c.features)));
    for (int i = 0; i < c.instances(); ++i)
        for (int k = 0; k < c.features; ++k)
            importance[std::size_t(i)][std::size_t(k)] = c.importance(i, k);
    config["feature_probability"] = c.featureProbability;
    config["importance"] = importance;
    std::vector<SafetensorsFile::NamedArray> tensors;
    tensors.push_back({"W", stack(model, [](const ToyInstance& t) -> const Eigen::MatrixXf& { return t.W; })});
    std::vector<const Eigen::VectorXf*> biases;
    for (int i = 0; i < model.instanceCount(); ++i)
        biases.push_back(&model.instance(i).b);
    tensors.push_back({"b", ToyArrays::stackVectors(biases, c.features)});
    if (!c.tied())
        tensors.push_back(
            {"decoder", stack(model, [](const ToyInstance& t) -> const Eigen::MatrixXf& { return t.decoderWeights(); })});
    SafetensorsFile::Metadata metadata = {{"format", kFormat}, {"config", config.dump()}};
    if (training)
        metadata["training"] = nlohmann::json(*training).dump();
    SafetensorsFile::write(path, tensors, metadata);
}

ToyModel ToyModelFile::read(const std::string& path)
{
    const SafetensorsFile file = SafetensorsFile::open(path);
    auto fail = [&](const std::string& problem) { return InputError(path + ": " + problem); };
    const auto& meta = file.metadata();
    const auto format = meta.find("format");
    if (format == meta.end() || format->second != kFormat)
        throw fail("not a featurescope toy-model file (no __metadata__ format " + std::string(kFormat) + ")");
    const auto configText = meta.find("config");
    if (configText == meta.end())
        throw fail("no model config in __metadata__");
    ToyModelConfig c;
    try {
        const nlohmann::json j = JsonReader::parse(configText->second, path, "the model config in __metadata__");
        const SettingsReader settings(j, "the model config");
        std::int64_t instances = 0;
        c = ToyModelConfig::headerFromJson(settings, instances);
        c.featureProbability = j.at("feature_probability").get<std::vector<std::vector<double>>>();
        if (instances != 0 && std::int64_t(c.featureProbability.size()) != instances)
            throw InputError("it names " + std::to_string(instances) + " instances but gives " +
                             std::to_string(c.featureProbability.size()) + " probability rows");
        if (j.contains("importance"))
            c.instanceImportance = j.at("importance").get<std::vector<std::vector<double>>>();
        c.validate();
    } catch (const nlohmann::json::exception& e) {
        throw fail("bad model config in __metadata__ (" + FileText::printable(e.what(), 120) + ")");
    } catch (const InputError& e) {
        throw fail(std::string("bad model config in __metadata__ (") + e.what() + ")");
    }
    const std::uint64_t I = std::uint64_t(c.instances()), m = std::uint64_t(c.hidden), n = std::uint64_t(c.features);
    auto load = [&](const std::string& name, const ArrayData::Shape& shape) {
        return ToyArrays::finiteFloats(file.tensor(name), shape, name, path);
    };
    const std::vector<float> W = load("W", {I, m, n});
    const std::vector<float> b = load("b", {I, n});
    std::vector<float> decoder;
    if (!c.tied())
        decoder = load("decoder", {I, m, n});
    // Allocated only now that every tensor matched the config.
    ToyModel model(c);
    for (std::uint64_t i = 0; i < I; ++i) {
        ToyInstance& inst = model.instance(int(i));
        inst.W = ToyArrays::matrixAt(W, i, c.hidden, c.features);
        inst.b = ToyArrays::vectorAt(b, i, c.features);
        if (!c.tied())
            inst.decoder = ToyArrays::matrixAt(decoder, i, c.hidden, c.features);
    }
    return model;
}

} // namespace featurescope
