#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace featurescope {

// The SAE architectures featurescope can run from SAELens.
enum class SaeLensArchitecture { Standard, JumpReLU, TopK };
// SAELens's normalize_activations. At inference "none" and "expected_average_only_in" are the identity (the latter's
// scale is folded into the weights or applied by the caller); the other two act per input and are undone on decode.
enum class SaeLensNormalization { None, ExpectedAverageOnlyIn, ConstantNormRescale, LayerNorm };

std::string saeLensArchitectureName(SaeLensArchitecture architecture);   // "standard", "jumprelu", "topk"
std::string saeLensNormalizationName(SaeLensNormalization normalization); // SAELens's spelling

// What SAELens's cfg.json says about the forward pass. Reads both layouts:
//  - v6 (sae_lens_version >= 6, at the top or in metadata): architecture, d_in, d_sae, dtype, apply_b_dec_to_input,
//    normalize_activations, k and rescale_acts_by_decoder_norm for topk, metadata{hook_name, model_name, ...};
//  - pre-6 (flat): activation_fn_str / activation_fn (+ activation_fn_kwargs.k for topk), hook_point / hook_name,
//    finetuning_scaling_factor, normalize_activations as a bool or string; architecture defaults to "standard".
//    As in SAELens 5.x, activation_fn "topk" makes a TopK SAE whatever the architecture field says.
// Parsing treats the file as hostile: size-bounded, valid UTF-8 JSON, types and ranges checked, unknown
// architectures rejected with the supported list. Problems throw InputError naming the file.
struct SaeLensConfig {
    static constexpr std::uint64_t kMaxFileBytes = 10'000'000;
    static constexpr int kMaxInputDim = 1 << 20;
    static constexpr int kMaxLatentDim = 1 << 24;

    SaeLensArchitecture architecture = SaeLensArchitecture::Standard;
    int dIn = 0;
    int dSae = 0;
    int k = 0;                        // topk
    bool applyBDecToInput = true;
    SaeLensNormalization normalization = SaeLensNormalization::None;
    bool rescaleActsByDecoderNorm = false; // topk (v6)
    bool finetuningScalingFactor = false;  // pre-6: decode multiplies codes by a learned per-feature factor
    bool tanhRelu = false;                 // pre-6 activation_fn "tanh-relu": tanh(relu(pre))
    std::string dtype = "float32";
    std::string hookName;
    std::string modelName;
    std::string saeLensVersion; // as written, empty when absent
    bool preV6Layout = false;
    nlohmann::json raw; // the cfg.json object as read

    // `where` names the file in messages.
    static SaeLensConfig parse(const std::string& text, const std::string& where);
    static SaeLensConfig read(const std::string& path);
    // The v6 layout (what SAELens 6 writes), with `metadata` merged into metadata{}.
    nlohmann::json toJson(const nlohmann::json& metadata = nlohmann::json::object()) const;
};

} // namespace featurescope
