#include "sae/SaeLensExporter.h"

#include "common/InputError.h"
#include "io/AtomicFileWriter.h"
#include "io/SafetensorsFile.h"

#include <cmath>
#include <filesystem>

namespace featurescope {

void SaeLensExporter::write(const std::string& directory, const ImportedSae& sae, const nlohmann::json& metadata,
                            const std::vector<double>& densities)
{
    const SaeLensConfig& c = sae.config();
    if (c.tanhRelu)
        throw InputError(directory + ": SAELens 6 has no tanh-relu activation (this SAE cannot be exported)");
    if (sae.finetuningScale().size())
        throw InputError(directory + ": SAELens 6 has no finetuning scaling factor (this SAE cannot be exported)");
    if (!densities.empty() && densities.size() != std::size_t(sae.latentDim()))
        throw InputError(directory + ": " + std::to_string(densities.size()) + " feature densities for d_sae = " +
                         std::to_string(sae.latentDim()));
    namespace fs = std::filesystem;
    std::error_code error;
    fs::create_directories(directory, error);
    if (error || !fs::is_directory(directory))
        throw InputError(directory + ": cannot create the folder (" + error.message() + ")");

    const std::uint64_t dIn = std::uint64_t(sae.inputDim()), dSae = std::uint64_t(sae.latentDim());
    // Column-major W_encᵀ (d_sae x d_in) is row-major W_enc [d_in, d_sae]; W_decᵀ likewise gives W_dec.
    const Eigen::MatrixXf& encoder = sae.encoderWeights();
    const Eigen::MatrixXf& decoder = sae.decoderWeights();
    std::vector<SafetensorsFile::NamedArray> tensors = {
        {"W_enc", ArrayData::fromFloats({dIn, dSae}, encoder.data())},
        {"W_dec", ArrayData::fromFloats({dSae, dIn}, decoder.data())},
        {"b_enc", ArrayData::fromFloats({dSae}, sae.encoderBias().data())},
        {"b_dec", ArrayData::fromFloats({dIn}, sae.decoderBias().data())},
    };
    if (c.architecture == SaeLensArchitecture::JumpReLU)
        tensors.push_back({"threshold", ArrayData::fromFloats({dSae}, sae.threshold().data())});
    SafetensorsFile::write((fs::path(directory) / "sae_weights.safetensors").string(), tensors);
    std::vector<float> logSparsity;
    if (!densities.empty())
        for (double density : densities)
            logSparsity.push_back(float(std::log10(density + 1e-10)));
    else if (sae.logSparsity().size())
        logSparsity.assign(sae.logSparsity().data(), sae.logSparsity().data() + sae.logSparsity().size());
    if (!logSparsity.empty())
        SafetensorsFile::write((fs::path(directory) / "sparsity.safetensors").string(),
                               {{"sparsity", ArrayData::fromFloats({dSae}, logSparsity.data())}});
    AtomicFileWriter::writeFile((fs::path(directory) / "cfg.json").string(), c.toJson(metadata).dump(2) + "\n");
}

void SaeLensExporter::write(const std::string& directory, const SparseAutoencoder& sae, const nlohmann::json& metadata,
                            const std::vector<double>& densities)
{
    write(directory, ImportedSae::fromSparseAutoencoder(sae), metadata, densities);
}

} // namespace featurescope
