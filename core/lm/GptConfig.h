#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace featurescope {

// The MLP non-linearity of a GPT-2-family model. GPT-2 itself uses the tanh approximation ("gelu_new",
// "gelu_pytorch_tanh"); "gelu" is the exact erf form.
enum class GptActivation { GeluTanh, GeluErf };

// The shape of a GPT-2-architecture model, as a Hugging Face `config.json` states it. parse() treats the text as
// hostile: every size is bounded (a config cannot make us reserve absurd memory), n_head must divide n_embd, and
// every problem is one InputError line naming the file.
struct GptConfig {
    static constexpr std::uint64_t kMaxFileBytes = 1'000'000;
    static constexpr int kMaxLayers = 256;
    static constexpr int kMaxWidth = 16384;      // n_embd
    static constexpr int kMaxHeads = 1024;
    static constexpr int kMaxInner = 65536;      // n_inner
    static constexpr int kMaxVocab = 1'048'576;
    static constexpr int kMaxPositions = 131072;
    static constexpr std::uint64_t kMaxParameters = 4'000'000'000ULL; // 16 GB in f32

    int layers = 1;       // n_layer
    int heads = 4;        // n_head
    int width = 128;      // n_embd (d_model)
    int inner = 512;      // n_inner (d_mlp); null in config.json means 4 * n_embd
    int vocabSize = 256;  // vocab_size
    int positions = 64;   // n_positions (the longest sequence)
    double layerNormEpsilon = 1e-5;
    GptActivation activation = GptActivation::GeluTanh;

    int headDim() const { return width / heads; }
    // Number of float parameters, tied unembedding counted once.
    std::uint64_t parameterCount() const;
    // Throws InputError("<where>: ...") when sizes are out of range or inconsistent.
    void validate(const std::string& where) const;

    static GptConfig parse(const std::string& text, const std::string& where);
    static GptConfig read(const std::string& path);
    // The Hugging Face fields (plus model_type, architectures and n_ctx so transformers loads the folder).
    nlohmann::json toJson() const;
    void write(const std::string& path) const; // atomic
};

} // namespace featurescope
