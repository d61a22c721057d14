#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace featurescope {

// Reads a panel's session settings (hostile JSON) with bounds: every accessor throws InputError with one line
// "<where>: \"key\" ..." when the key is missing, has the wrong type or is out of range, so a panel validates its
// whole state before it changes anything.
class SettingsReader {
public:
    SettingsReader(const nlohmann::json& settings, std::string where);

    bool has(const char* key) const;
    const nlohmann::json& raw(const char* key) const; // throws when missing
    SettingsReader object(const char* key) const;      // a nested object
    std::int64_t integer(const char* key, std::int64_t min, std::int64_t max) const;
    double number(const char* key, double min, double max) const; // finite, in [min, max]
    bool boolean(const char* key) const;
    std::string text(const char* key, std::size_t maxLength = 256) const;
    std::string choice(const char* key, std::initializer_list<const char*> allowed) const;
    std::vector<double> numbers(const char* key, std::size_t maxCount, double min, double max) const;
    std::vector<std::int64_t> integers(const char* key, std::size_t maxCount, std::int64_t min, std::int64_t max) const;

    const std::string& where() const { return m_where; }

private:
    [[noreturn]] void fail(const char* key, const std::string& problem) const;
    const nlohmann::json& m_settings;
    std::string m_where;
};

} // namespace featurescope
