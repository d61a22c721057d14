#include "energy/HardwarePreset.h"

#include "common/InputError.h"
#include "energy/HardwarePresetsData.h"
#include "io/JsonReader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

namespace featurescope {

namespace {

using nlohmann::json;

std::string lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return out;
}

const json& field(const json& object, const char* key, const std::string& where)
{
    const auto it = object.find(key);
    if (it == object.end())
        throw InputError("hardware presets: " + where + " has no field '" + key + "'");
    return *it;
}

std::string textField(const json& object, const char* key, const std::string& where, bool allowNull = false)
{
    const json& value = field(object, key, where);
    if (allowNull && value.is_null())
        return {};
    if (!value.is_string())
        throw InputError("hardware presets: " + where + " field '" + key + "' must be a string");
    return value.get<std::string>();
}

std::optional<double> positiveNumber(const json& object, const char* key, const std::string& where, bool nullable)
{
    const json& value = field(object, key, where);
    if (nullable && value.is_null())
        return std::nullopt;
    if (!value.is_number())
        throw InputError("hardware presets: " + where + " field '" + key + "' must be a number" +
                         (nullable ? " or null" : ""));
    const double x = value.get<double>();
    if (!std::isfinite(x) || !(x > 0.0))
        throw InputError("hardware presets: " + where + " field '" + key + "' must be positive");
    return x;
}

} // namespace

const char* presetFigureName(PresetFigure figure) { return figure == PresetFigure::Fp32 ? "fp32" : "dense16"; }

std::optional<double> HardwarePreset::tflops(PresetFigure figure) const
{
    return figure == PresetFigure::Fp32 ? fp32Tflops : dense16Tflops;
}

PresetFigure HardwarePreset::headlineFigure() const
{
    return dense16Tflops ? PresetFigure::Dense16 : PresetFigure::Fp32;
}

double HardwarePreset::headlineTflops() const { return tflops(headlineFigure()).value_or(0.0); }

std::optional<double> HardwarePreset::flopsPerJoule(PresetFigure figure) const
{
    const auto t = tflops(figure);
    if (!t || !(watts > 0.0))
        return std::nullopt;
    return *t * 1e12 / watts;
}

double HardwarePreset::headlineFlopsPerJoule() const { return flopsPerJoule(headlineFigure()).value_or(0.0); }

std::vector<HardwarePreset> parseHardwarePresets(const std::string& jsonText)
{
    const json root = JsonReader::parse(jsonText, "hardware presets", "");
    if (!root.is_object() || !root.contains("presets") || !root["presets"].is_array())
        throw InputError("hardware presets: expected an object with a 'presets' array");
    std::vector<HardwarePreset> presets;
    std::set<std::string> ids;
    std::size_t index = 0;
    for (const json& item : root["presets"]) {
        const std::string where = "preset #" + std::to_string(index++);
        if (!item.is_object())
            throw InputError("hardware presets: " + where + " is not an object");
        HardwarePreset p;
        p.id = textField(item, "id", where);
        p.name = textField(item, "name", where);
        const std::string named = where + " (" + p.name + ")";
        if (p.id.empty() || p.name.empty())
            throw InputError("hardware presets: " + where + " needs a non-empty id and name");
        if (!ids.insert(lower(p.id)).second)
            throw InputError("hardware presets: duplicate id '" + p.id + "'");
        p.vendor = textField(item, "vendor", named);
        const json& year = field(item, "year", named);
        if (!year.is_number_integer() || year.get<int>() < 1940 || year.get<int>() > 2100)
            throw InputError("hardware presets: " + named + " field 'year' must be an integer year");
        p.year = year.get<int>();
        p.dense16Tflops = positiveNumber(item, "dense16_tflops", named, true);
        p.dense16Precision = textField(item, "dense16_precision", named, true);
        p.fp32Tflops = positiveNumber(item, "fp32_tflops", named, true);
        if (!p.dense16Tflops && !p.fp32Tflops)
            throw InputError("hardware presets: " + named + " has neither a 16-bit nor an FP32 figure");
        p.watts = *positiveNumber(item, "watts", named, false);
        const json& estimated = field(item, "estimated", named);
        if (!estimated.is_boolean())
            throw InputError("hardware presets: " + named + " field 'estimated' must be true or false");
        p.estimated = estimated.get<bool>();
        p.source = textField(item, "source", named);
        p.notes = item.contains("notes") ? textField(item, "notes", named, true) : std::string();
        presets.push_back(std::move(p));
    }
    if (presets.empty())
        throw InputError("hardware presets: the 'presets' array is empty");
    return presets;
}

const std::vector<HardwarePreset>& hardwarePresets()
{
    static const std::vector<HardwarePreset> presets = parseHardwarePresets(hardwarePresetsJsonText());
    return presets;
}

const HardwarePreset* findHardwarePreset(std::string_view nameOrId)
{
    const std::string key = lower(nameOrId);
    for (const auto& p : hardwarePresets())
        if (lower(p.id) == key || lower(p.name) == key)
            return &p;
    return nullptr;
}

const HardwarePreset& hardwarePreset(std::string_view nameOrId)
{
    if (const HardwarePreset* p = findHardwarePreset(nameOrId))
        return *p;
    throw InputError("unknown preset '" + std::string(nameOrId) +
                     "' (featurescope energy --list-presets shows the names)");
}

nlohmann::json toJson(const HardwarePreset& p)
{
    json j;
    j["id"] = p.id;
    j["name"] = p.name;
    j["vendor"] = p.vendor;
    j["year"] = p.year;
    j["dense16_tflops"] = p.dense16Tflops ? json(*p.dense16Tflops) : json(nullptr);
    j["dense16_precision"] = p.dense16Precision.empty() ? json(nullptr) : json(p.dense16Precision);
    j["fp32_tflops"] = p.fp32Tflops ? json(*p.fp32Tflops) : json(nullptr);
    j["watts"] = p.watts;
    j["estimated"] = p.estimated;
    j["headline_figure"] = presetFigureName(p.headlineFigure());
    j["headline_flop_per_joule"] = p.headlineFlopsPerJoule();
    j["source"] = p.source;
    j["notes"] = p.notes;
    return j;
}

} // namespace featurescope
