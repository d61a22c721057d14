#include "sae/SaeLensLoader.h"

#include "common/InputError.h"
#include "common/ProgressReporter.h"
#include "io/FileText.h"
#include "common/Cancelled.h"
#include "io/SafetensorsFile.h"

#include <cmath>
#include <filesystem>

namespace featurescope {

namespace {

// A float tensor of exactly `shape`, converted to float (C order).
std::vector<float> floatTensor(const SafetensorsFile& file, const std::string& name, const ArrayData::Shape& shape,
                               const std::string& expectation, const ProgressReporter* progress)
{
    const ArrayData a = file.tensor(name);
    if (!dtypeIsFloat(a.dtype()))
        throw InputError(file.path() + ": tensor " + name + " has dtype " + dtypeSafetensorsName(a.dtype()) +
                         " (expected a float type: F32, F16, BF16 or F64)");
    if (a.shape() != shape)
        throw InputError(file.path() + ": tensor " + name + " has shape " + ArrayData::shapeText(a.shape()) +
                         ", expected " + ArrayData::shapeText(shape) + " " + expectation);
    std::vector<float> values(static_cast<std::size_t>(a.elementCount()));
    a.toFloat(values.data(), progress);
    return values;
}

} // namespace

ImportedSae SaeLensLoader::load(const std::string& directory, const ProgressReporter* progress)
{
    namespace fs = std::filesystem;
    std::error_code error;
    if (!fs::exists(directory, error))
        throw InputError(directory + ": folder not found");
    if (!fs::is_directory(directory, error))
        throw InputError(directory + ": not a folder (an SAELens SAE is a folder with cfg.json and "
                                     "sae_weights.safetensors)");
    const std::string cfgPath = (fs::path(directory) / "cfg.json").string();
    const std::string weightsPath = (fs::path(directory) / "sae_weights.safetensors").string();
    const std::string sparsityPath = (fs::path(directory) / "sparsity.safetensors").string();
    if (!fs::exists(cfgPath, error))
        throw InputError(directory + ": no cfg.json (not an SAELens SAE folder)");
    if (!fs::exists(weightsPath, error))
        throw InputError(directory + ": no sae_weights.safetensors (not an SAELens SAE folder)");
    SaeLensConfig config = SaeLensConfig::read(cfgPath);
    const SafetensorsFile weights = SafetensorsFile::open(weightsPath);
    const std::uint64_t dIn = std::uint64_t(config.dIn), dSae = std::uint64_t(config.dSae);
    const std::string fromCfg = "(d_in = " + std::to_string(dIn) + ", d_sae = " + std::to_string(dSae) +
                                " from cfg.json)";
    auto step = [&](double fraction) {
        if (!progress)
            return;
        if (progress->isCancelled())
            throw Cancelled();
        progress->report(fraction, "loading " + directory);
    };
    step(0.0);
    const std::vector<float> wEnc = floatTensor(weights, "W_enc", {dIn, dSae}, fromCfg, progress);
    step(0.4);
    const std::vector<float> wDec = floatTensor(weights, "W_dec", {dSae, dIn}, fromCfg, progress);
    step(0.8);
    const std::vector<float> bDec = floatTensor(weights, "b_dec", {dIn}, fromCfg, nullptr);
    std::vector<float> bEnc;
    if (weights.contains("b_enc"))
        bEnc = floatTensor(weights, "b_enc", {dSae}, fromCfg, nullptr);
    else
        throw InputError(weightsPath + ": no tensor b_enc (the " + saeLensArchitectureName(config.architecture) +
                         " architecture needs W_enc, b_enc, W_dec, b_dec)");
    Eigen::VectorXf threshold;
    if (config.architecture == SaeLensArchitecture::JumpReLU) {
        if (weights.contains("threshold")) {
            const auto t = floatTensor(weights, "threshold", {dSae}, fromCfg, nullptr);
            threshold = Eigen::Map<const Eigen::VectorXf>(t.data(), Eigen::Index(t.size()));
        } else if (weights.contains("log_threshold")) {
            const auto t = floatTensor(weights, "log_threshold", {dSae}, fromCfg, nullptr);
            threshold = Eigen::Map<const Eigen::VectorXf>(t.data(), Eigen::Index(t.size())).array().exp().matrix();
        } else {
            throw InputError(weightsPath + ": no tensor threshold (a jumprelu SAE needs one of d_sae values)");
        }
    }
    Eigen::VectorXf scale;
    for (const char* name : {"finetuning_scaling_factor", "scaling_factor"}) {
        if (!weights.contains(name) || scale.size())
            continue;
        const auto s = floatTensor(weights, name, {dSae}, fromCfg, nullptr);
        Eigen::VectorXf v = Eigen::Map<const Eigen::VectorXf>(s.data(), Eigen::Index(s.size()));
        const bool ones = (v.array() == 1.0f).all();
        if (ones)
            continue; // SAELens drops an all-ones factor
        if (!config.finetuningScalingFactor && std::string(name) == "scaling_factor")
            throw InputError(weightsPath + ": tensor scaling_factor is present but cfg.json's "
                                           "finetuning_scaling_factor is false");
        scale = std::move(v);
    }
    if (config.finetuningScalingFactor && !scale.size() && !weights.contains("finetuning_scaling_factor") &&
        !weights.contains("scaling_factor"))
        throw InputError(weightsPath + ": cfg.json sets finetuning_scaling_factor but the weights have no "
                                       "finetuning_scaling_factor tensor");

    const Eigen::Index in = Eigen::Index(dIn), sae = Eigen::Index(dSae);
    // Row-major W_enc [d_in, d_sae] read column-major is W_encᵀ (d_sae x d_in); likewise W_dec gives W_decᵀ.
    Eigen::MatrixXf encoder = Eigen::Map<const Eigen::MatrixXf>(wEnc.data(), sae, in);
    Eigen::MatrixXf decoder = Eigen::Map<const Eigen::MatrixXf>(wDec.data(), in, sae);
    Eigen::VectorXf encoderBias = Eigen::Map<const Eigen::VectorXf>(bEnc.data(), sae);
    Eigen::VectorXf decoderBias = Eigen::Map<const Eigen::VectorXf>(bDec.data(), in);
    ImportedSae result;
    try {
        result = ImportedSae(std::move(config), std::move(encoder), std::move(encoderBias), std::move(decoder),
                             std::move(decoderBias), std::move(threshold), std::move(scale));
    } catch (const InputError& e) {
        throw InputError(weightsPath + ": " + e.what());
    }
    if (fs::exists(sparsityPath, error)) {
        const SafetensorsFile sparsity = SafetensorsFile::open(sparsityPath);
        if (!sparsity.contains("sparsity"))
            throw InputError(sparsityPath + ": no tensor sparsity");
        const auto s = floatTensor(sparsity, "sparsity", {dSae}, fromCfg, nullptr);
        result.setLogSparsity(Eigen::Map<const Eigen::VectorXf>(s.data(), sae));
    }
    step(1.0);
    return result;
}

} // namespace featurescope
