#include "common/SettingsReader.h"

#include "common/InputError.h"

#include <cmath>

namespace featurescope {

SettingsReader::SettingsReader(const nlohmann::json& settings, std::string where)
    : m_settings(settings), m_where(std::move(where))
{
    if (!m_settings.is_object())
        throw InputError(m_where + ": the settings are not an object");
}

void SettingsReader::fail(const char* key, const std::string& problem) const
{
    throw InputError(m_where + ": \"" + key + "\" " + problem);
}

bool SettingsReader::has(const char* key) const { return m_settings.contains(key); }

const nlohmann::json& SettingsReader::raw(const char* key) const
{
    const auto it = m_settings.find(key);
    if (it == m_settings.end())
        fail(key, "is missing");
    return *it;
}

SettingsReader SettingsReader::object(const char* key) const
{
    const auto& value = raw(key);
    if (!value.is_object())
        fail(key, "must be an object");
    return SettingsReader(value, m_where + "." + key);
}

std::int64_t SettingsReader::integer(const char* key, std::int64_t min, std::int64_t max) const
{
    const auto& value = raw(key);
    if (!value.is_number_integer())
        fail(key, "must be an integer");
    if (value.is_number_unsigned() && value.get<std::uint64_t>() > std::uint64_t(INT64_MAX))
        fail(key, "is out of range");
    const std::int64_t v = value.get<std::int64_t>();
    if (v < min || v > max)
        fail(key, "is " + std::to_string(v) + ", outside [" + std::to_string(min) + ", " + std::to_string(max) + "]");
    return v;
}

double SettingsReader::number(const char* key, double min, double max) const
{
    const auto& value = raw(key);
    if (!value.is_number())
        fail(key, "must be a number");
    const double v = value.get<double>();
    if (!std::isfinite(v) || v < min || v > max)
        fail(key, "is " + value.dump() + ", outside [" + nlohmann::json(min).dump() + ", " + nlohmann::json(max).dump() +
                      "]");
    return v;
}

bool SettingsReader::boolean(const char* key) const
{
    const auto& value = raw(key);
    if (!value.is_boolean())
        fail(key, "must be true or false");
    return value.get<bool>();
}

std::string SettingsReader::text(const char* key, std::size_t maxLength) const
{
    const auto& value = raw(key);
    if (!value.is_string())
        fail(key, "must be a string");
    std::string v = value.get<std::string>();
    if (v.size() > maxLength)
        fail(key, "is longer than " + std::to_string(maxLength) + " characters");
    return v;
}

std::string SettingsReader::choice(const char* key, std::initializer_list<const char*> allowed) const
{
    const std::string v = text(key, 64);
    std::string list;
    for (const char* a : allowed) {
        if (v == a)
            return v;
        list += (list.empty() ? "" : ", ") + std::string(a);
    }
    fail(key, "must be one of " + list);
}

std::vector<double> SettingsReader::numbers(const char* key, std::size_t maxCount, double min, double max) const
{
    const auto& value = raw(key);
    if (!value.is_array() || value.size() > maxCount)
        fail(key, "must be a list of at most " + std::to_string(maxCount) + " numbers");
    std::vector<double> out;
    for (const auto& x : value) {
        if (!x.is_number() || !std::isfinite(x.get<double>()) || x.get<double>() < min || x.get<double>() > max)
            fail(key, "holds " + x.dump().substr(0, 40) + ", not a number in range");
        out.push_back(x.get<double>());
    }
    return out;
}

std::vector<std::int64_t> SettingsReader::integers(const char* key, std::size_t maxCount, std::int64_t min,
                                                   std::int64_t max) const
{
    const auto& value = raw(key);
    if (!value.is_array() || value.size() > maxCount)
        fail(key, "must be a list of at most " + std::to_string(maxCount) + " integers");
    std::vector<std::int64_t> out;
    for (const auto& x : value) {
        if (!x.is_number_integer() || (x.is_number_unsigned() && x.get<std::uint64_t>() > std::uint64_t(INT64_MAX)) ||
            x.get<std::int64_t>() < min || x.get<std::int64_t>() > max)
            fail(key, "holds " + x.dump().substr(0, 40) + ", not an integer in range");
        out.push_back(x.get<std::int64_t>());
    }
    return out;
}

} // namespace featurescope
