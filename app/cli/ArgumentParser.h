#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

// `--name value` and `--flag` options of one subcommand. Unknown options, missing values and malformed numbers
// throw featurescope::InputError with a message naming the option.
class ArgumentParser {
public:
    struct Option {
        std::string name;   // without the leading dashes
        bool takesValue = true;
        std::string help;
    };

    ArgumentParser(std::string command, std::vector<Option> options);

    void parse(const std::vector<std::string>& arguments);

    bool has(const std::string& name) const;
    bool flag(const std::string& name) const { return has(name); }
    std::string text(const std::string& name, const std::string& fallback = {}) const;
    double number(const std::string& name, double fallback) const;
    // A number that must satisfy min <= x <= max (inclusive) or min < x when `exclusiveMin`.
    double number(const std::string& name, double fallback, double min, double max, bool exclusiveMin = false) const;
    long long integer(const std::string& name, long long fallback, long long min, long long max) const;
    std::vector<double> numberList(const std::string& name, const std::vector<double>& fallback) const;

    std::string helpText() const;

private:
    const Option* find(const std::string& name) const;

    std::string m_command;
    std::vector<Option> m_options;
    std::map<std::string, std::optional<std::string>> m_values;
};
