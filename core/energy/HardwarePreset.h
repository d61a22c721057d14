#pragma once

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace featurescope {

// Which throughput figure of a preset is used.
enum class PresetFigure {
    Dense16, // dense BF16/FP16 tensor (matrix) peak
    Fp32,    // FP32 peak
};

// One accelerator of resources/hardware_presets.json (docs/ARCHITECTURE.md §6).
struct HardwarePreset {
    std::string id;   // short CLI name, e.g. "a100-sxm4"
    std::string name; // display name, e.g. "A100 SXM4"
    std::string vendor;
    int year = 0;
    std::optional<double> dense16Tflops; // dense (not 2:4-sparse) 16-bit tensor peak, TFLOP/s
    std::string dense16Precision;        // "BF16" or "FP16" (empty without a 16-bit figure)
    std::optional<double> fp32Tflops;
    double watts = 0.0;
    bool estimated = false; // some figure (usually the power) is an estimate, not a published TDP
    std::string source;
    std::string notes;

    std::optional<double> tflops(PresetFigure figure) const;
    // The figure a trend line of "leading ML throughput" uses: the dense 16-bit figure, else FP32.
    PresetFigure headlineFigure() const;
    double headlineTflops() const;
    std::optional<double> flopsPerJoule(PresetFigure figure) const;
    double headlineFlopsPerJoule() const;
};

// Parses the presets file. Throws InputError naming the problem (bad JSON, missing or ill-typed field,
// non-positive figures, duplicate ids).
std::vector<HardwarePreset> parseHardwarePresets(const std::string& jsonText);

// The presets compiled into core, in file order (parsed once).
const std::vector<HardwarePreset>& hardwarePresets();

// Case-insensitive lookup by id ("a100-sxm4") or display name ("A100 SXM4"); nullptr when unknown.
const HardwarePreset* findHardwarePreset(std::string_view nameOrId);
// As findHardwarePreset, but throws InputError("unknown preset ...") when unknown.
const HardwarePreset& hardwarePreset(std::string_view nameOrId);

nlohmann::json toJson(const HardwarePreset& preset);

const char* presetFigureName(PresetFigure figure); // "dense16" or "fp32"

} // namespace featurescope
