#include "FeatureSessionState.h"

#include "ImportedActivationsHandoff.h"
#include "common/InputError.h"
#include "sae/ActivationImport.h"

#include <cmath>
#include <filesystem>

using featurescope::InputError;
using nlohmann::json;

namespace {

[[noreturn]] void fail(const std::string& key, const std::string& problem)
{
    throw InputError("features panel state: " + key + " " + problem);
}

const json& member(const json& object, const char* key)
{
    const auto it = object.find(key);
    if (it == object.end())
        fail(key, "is missing");
    return *it;
}

const json& object(const json& parent, const char* key)
{
    const json& v = member(parent, key);
    if (!v.is_object())
        fail(key, "must be an object");
    return v;
}

int integer(const json& parent, const char* key, long long min, long long max)
{
    const json& v = member(parent, key);
    if (!v.is_number_integer())
        fail(key, "must be an integer");
    const long long value = v.get<long long>();
    if (value < min || value > max)
        fail(key, "is " + std::to_string(value) + " (expected " + std::to_string(min) + " to " + std::to_string(max) + ")");
    return int(value);
}

double number(const json& parent, const char* key, double min, double max)
{
    const json& v = member(parent, key);
    if (!v.is_number())
        fail(key, "must be a number");
    const double value = v.get<double>();
    if (!std::isfinite(value) || value < min || value > max)
        fail(key, "is out of range");
    return value;
}

std::string text(const json& parent, const char* key)
{
    const json& v = member(parent, key);
    if (!v.is_string())
        fail(key, "must be a string");
    return v.get<std::string>();
}

bool boolean(const json& parent, const char* key)
{
    const json& v = member(parent, key);
    if (!v.is_boolean())
        fail(key, "must be true or false");
    return v.get<bool>();
}

// The imported file a File-source state names: its path, and the array choices in `options`.
std::string importRequest(const json& j, featurescope::ActivationImportOptions& options)
{
    const json& file = object(j, "file");
    options.arrayName = text(file, "array");
    options.labelsName = text(file, "labels");
    options.tokensName = text(file, "tokens");
    return text(file, "path");
}

} // namespace

void FeatureSessionState::preload(const json& j)
{
    try {
        FeatureRunConfig::Source source;
        if (!j.is_object() || !FeatureRunConfig::sourceFromName(QString::fromStdString(text(j, "source")), &source) ||
            source != FeatureRunConfig::Source::File)
            return;
        featurescope::ActivationImportOptions options;
        const std::string path = importRequest(j, options);
        std::error_code error;
        if (!std::filesystem::is_regular_file(path, error))
            return;
        ImportedActivationsHandoff::put(
            options, std::make_shared<featurescope::ImportedActivations>(featurescope::ActivationImport::load(path, options)));
    } catch (const std::exception&) {
        // fromJson reads the same settings on the GUI thread and reports the problem there.
    }
}

json FeatureSessionState::toJson(const FeatureRunConfig& c)
{
    json j;
    j["source"] = FeatureRunConfig::sourceName(c.source).toStdString();
    j["synthetic"] = {{"features", c.syntheticFeatures}, {"dimension", c.syntheticDimension},
                      {"mean_active", c.syntheticMeanActive}};
    j["toy"] = {{"features", c.toyFeatures}, {"hidden", c.toyHidden}, {"probability", c.toyProbability},
                {"steps", c.toySteps}};
    j["fashion_mnist"] = {{"directory", c.dataDirectory}, {"mlp_epochs", c.mlpEpochs}};
    if (c.imported)
        j["file"] = {{"path", c.imported->path},
                     {"array", c.imported->arrayName},
                     {"labels", c.imported->labelsName},
                     {"tokens", c.imported->tokensSource}};
    j["sae"] = {{"variant", featurescope::saeVariantName(c.sae.variant)},
                {"latents", c.sae.latentDim},
                {"l1", c.sae.l1},
                {"k", c.sae.k},
                {"normalize_inputs", c.sae.normalizeInputs}};
    j["training"] = {{"steps", c.training.steps},
                     {"batch", c.training.batch},
                     {"learning_rate", c.training.learningRate},
                     {"seed", c.training.seed}};
    return j;
}

FeatureRunConfig FeatureSessionState::fromJson(const json& j)
{
    if (!j.is_object())
        throw InputError("features panel state: the settings must be a JSON object");
    FeatureRunConfig c;
    const QString sourceName = QString::fromStdString(text(j, "source"));
    if (!FeatureRunConfig::sourceFromName(sourceName, &c.source))
        fail("source", "is " + sourceName.left(40).toStdString() + " (expected synthetic, toy, fashion-mnist or file)");
    const json& syn = object(j, "synthetic");
    c.syntheticFeatures = integer(syn, "features", 1, 100000);
    c.syntheticDimension = integer(syn, "dimension", 1, 4096);
    c.syntheticMeanActive = number(syn, "mean_active", 1e-6, 100000);
    const json& toy = object(j, "toy");
    c.toyFeatures = integer(toy, "features", 2, 2000);
    c.toyHidden = integer(toy, "hidden", 1, 512);
    c.toyProbability = number(toy, "probability", 1e-9, 1.0);
    c.toySteps = integer(toy, "steps", 1, 10000000);
    const json& mnist = object(j, "fashion_mnist");
    c.dataDirectory = text(mnist, "directory");
    c.mlpEpochs = integer(mnist, "mlp_epochs", 1, 1000);
    const json& sae = object(j, "sae");
    const std::string variant = text(sae, "variant");
    bool known = false;
    for (auto v : {featurescope::SaeVariant::TM2023, featurescope::SaeVariant::Anthropic2024, featurescope::SaeVariant::TopK})
        if (featurescope::saeVariantName(v) == variant) {
            c.sae.variant = v;
            known = true;
        }
    if (!known)
        fail("sae.variant", "is not tm2023, 2024 or topk");
    c.sae.latentDim = integer(sae, "latents", 1, 65536);
    c.sae.l1 = number(sae, "l1", 0.0, 1000.0);
    c.sae.k = integer(sae, "k", 1, 65536);
    c.sae.normalizeInputs = boolean(sae, "normalize_inputs");
    const json& training = object(j, "training");
    c.training.steps = integer(training, "steps", 1, 10000000);
    c.training.batch = integer(training, "batch", 1, 65536);
    c.training.learningRate = number(training, "learning_rate", 1e-9, 10.0);
    c.training.seed = std::uint64_t(integer(training, "seed", 0, 1000000000));
    if (c.source == FeatureRunConfig::Source::File) {
        featurescope::ActivationImportOptions options;
        const std::string path = importRequest(j, options);
        std::error_code error;
        if (!std::filesystem::is_regular_file(path, error))
            throw InputError(path + ": the activations file of the saved session is gone (move it back, or open the "
                                    "session's weights with another source)");
        c.imported = ImportedActivationsHandoff::take(path, options);
        if (!c.imported)
            c.imported = std::make_shared<featurescope::ImportedActivations>(featurescope::ActivationImport::load(path, options));
    }
    c.validate();
    return c;
}
