#include "cli/ArgumentParser.h"

#include "common/InputError.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

using featurescope::InputError;

ArgumentParser::ArgumentParser(std::string command, std::vector<Option> options)
    : m_command(std::move(command)), m_options(std::move(options))
{
    m_options.push_back({"json", false, "print the result as JSON"});
    m_options.push_back({"help", false, "show this help"});
}

const ArgumentParser::Option* ArgumentParser::find(const std::string& name) const
{
    for (const auto& option : m_options)
        if (option.name == name)
            return &option;
    return nullptr;
}

void ArgumentParser::parse(const std::vector<std::string>& arguments)
{
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        std::string arg = arguments[i];
        if (arg.rfind("--", 0) != 0)
            throw InputError("unexpected argument '" + arg + "' (options start with --)");
        std::string name = arg.substr(2);
        std::optional<std::string> value;
        if (const auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        const Option* option = find(name);
        if (!option)
            throw InputError("unknown option --" + name + " (see featurescope " + m_command + " --help)");
        if (option->takesValue && !value) {
            if (i + 1 >= arguments.size())
                throw InputError("option --" + name + " needs a value");
            value = arguments[++i];
        }
        if (!option->takesValue && value)
            throw InputError("option --" + name + " takes no value");
        m_values[name] = value;
    }
}

bool ArgumentParser::has(const std::string& name) const { return m_values.count(name) > 0; }

std::string ArgumentParser::text(const std::string& name, const std::string& fallback) const
{
    const auto it = m_values.find(name);
    return it != m_values.end() && it->second ? *it->second : fallback;
}

namespace {
double parseNumber(const std::string& option, const std::string& value)
{
    errno = 0;
    char* end = nullptr;
    const double x = std::strtod(value.c_str(), &end);
    if (value.empty() || end != value.c_str() + value.size() || errno == ERANGE || !std::isfinite(x))
        throw InputError("option --" + option + " expects a finite number, got '" + value + "'");
    return x;
}
std::string formatNumber(double x)
{
    std::ostringstream s;
    s << x;
    return s.str();
}
} // namespace

double ArgumentParser::number(const std::string& name, double fallback) const
{
    return has(name) ? parseNumber(name, text(name)) : fallback;
}

double ArgumentParser::number(const std::string& name, double fallback, double min, double max,
                              bool exclusiveMin) const
{
    const double x = number(name, fallback);
    if ((exclusiveMin ? !(x > min) : !(x >= min)) || !(x <= max))
        throw InputError("option --" + name + " must be " + (exclusiveMin ? "greater than " : "at least ") +
                         formatNumber(min) + " and at most " + formatNumber(max) + ", got " + formatNumber(x));
    return x;
}

long long ArgumentParser::integer(const std::string& name, long long fallback, long long min, long long max) const
{
    if (!has(name))
        return fallback;
    const std::string value = text(name);
    errno = 0;
    char* end = nullptr;
    const long long x = std::strtoll(value.c_str(), &end, 10);
    if (value.empty() || end != value.c_str() + value.size() || errno == ERANGE)
        throw InputError("option --" + name + " expects an integer, got '" + value + "'");
    if (x < min || x > max)
        throw InputError("option --" + name + " must be between " + std::to_string(min) + " and " +
                         std::to_string(max) + ", got " + value);
    return x;
}

std::vector<double> ArgumentParser::numberList(const std::string& name, const std::vector<double>& fallback) const
{
    if (!has(name))
        return fallback;
    std::vector<double> result;
    std::stringstream stream(text(name));
    std::string item;
    while (std::getline(stream, item, ','))
        result.push_back(parseNumber(name, item));
    if (result.empty())
        throw InputError("option --" + name + " expects a comma-separated list of numbers");
    return result;
}

std::string ArgumentParser::helpText() const
{
    std::ostringstream s;
    s << "options of featurescope " << m_command << ":\n";
    for (const auto& option : m_options) {
        std::string left = "  --" + option.name + (option.takesValue ? " VALUE" : "");
        s << left << std::string(left.size() < 28 ? 28 - left.size() : 2, ' ') << option.help << "\n";
    }
    return s.str();
}
