#include "io/JsonReader.h"

#include "common/InputError.h"
#include "common/MemoryBudget.h"
#include "io/FileText.h"

#include <vector>

namespace featurescope {

namespace {

using json = nlohmann::json;

// Rough heap cost of the parsed document, per event. Generous on purpose: vectors keep spare capacity, map nodes
// carry three pointers and a colour, every allocation has malloc's header.
constexpr std::uint64_t kValueCost = 32;     // one json value (16 bytes) in a vector with up to 2x capacity
constexpr std::uint64_t kContainerCost = 64; // the vector or map the value owns
constexpr std::uint64_t kMemberCost = 96;    // a map node: key string, value, tree pointers
constexpr std::uint64_t kStringCost = 48;    // a std::string allocated beyond the small-string buffer

// Builds the document like nlohmann's own DOM parser, keeping the current container path in a stack of pointers
// (an open container is always the last element of its parent, so the pointers stay valid).
class LimitedDomBuilder : public nlohmann::json_sax<json> {
public:
    explicit LimitedDomBuilder(const JsonLimits& limits) : m_limits(limits), m_memoryLimit(limits.memoryLimit()) {}

    json& root() { return m_root; }
    const std::string& problem() const { return m_problem; }
    bool utf8Problem() const { return m_utf8; }

    bool null() override { return add(json(nullptr)); }
    bool boolean(bool value) override { return add(json(value)); }
    bool number_integer(number_integer_t value) override { return add(json(value)); }
    bool number_unsigned(number_unsigned_t value) override { return add(json(value)); }
    bool number_float(number_float_t value, const string_t&) override { return add(json(value)); }
    bool string(string_t& value) override
    {
        return charge(kStringCost + value.size()) && add(json(std::move(value)));
    }
    bool binary(binary_t&) override { return fail("holds binary data, which JSON text cannot"); }

    bool start_object(std::size_t) override { return open(json::value_t::object); }
    bool start_array(std::size_t) override { return open(json::value_t::array); }
    bool end_object() override { return close(); }
    bool end_array() override { return close(); }

    bool key(string_t& name) override
    {
        if (!charge(kMemberCost + name.size()))
            return false;
        auto& members = m_stack.back()->get_ref<json::object_t&>();
        const auto [it, inserted] = members.emplace(name, nullptr);
        if (!inserted)
            return fail("has the key " + FileText::quoted(name) + " twice in one object");
        m_member = &it->second;
        return true;
    }

    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& error) override
    {
        const std::string what = error.what();
        m_utf8 = what.find("UTF-8") != std::string::npos || what.find("utf-8") != std::string::npos;
        m_problem = FileText::printable(what, 160);
        return false;
    }

private:
    bool fail(const std::string& problem)
    {
        m_problem = problem;
        return false;
    }

    bool charge(std::uint64_t bytes)
    {
        m_memory += bytes;
        if (m_memory <= m_memoryLimit)
            return true;
        return fail("would take more than " + MemoryBudget::describeBytes(m_memoryLimit) +
                    " of memory once parsed (limit for this file)");
    }

    bool add(json&& finished) { return place(std::move(finished)) != nullptr; }

    // Puts a finished value where the parser is: the root, the next array element or the member just keyed.
    json* place(json&& value)
    {
        if (!charge(kValueCost))
            return nullptr;
        if (m_stack.empty()) {
            m_root = std::move(value);
            return &m_root;
        }
        json& parent = *m_stack.back();
        if (parent.is_array()) {
            auto& elements = parent.get_ref<json::array_t&>();
            elements.push_back(std::move(value));
            return &elements.back();
        }
        *m_member = std::move(value);
        return m_member;
    }

    bool open(json::value_t kind)
    {
        if (static_cast<int>(m_stack.size()) >= m_limits.maxDepth)
            return fail("nested more than " + std::to_string(m_limits.maxDepth) + " levels deep");
        if (!charge(kContainerCost))
            return false;
        json* container = place(json(kind));
        if (!container)
            return false;
        m_stack.push_back(container);
        return true;
    }

    bool close()
    {
        m_stack.pop_back();
        return true;
    }

    const JsonLimits& m_limits;
    const std::uint64_t m_memoryLimit;
    json m_root;
    std::vector<json*> m_stack;
    json* m_member = nullptr;
    std::uint64_t m_memory = 0;
    std::string m_problem;
    bool m_utf8 = false;
};

} // namespace

json JsonReader::parse(std::string_view text, const std::string& path, const std::string& subject,
                       const JsonLimits& limits)
{
    const std::string is = subject.empty() ? std::string() : subject + " is ";
    const std::string has = subject.empty() ? std::string() : subject + " ";
    if (text.size() > limits.maxBytes)
        throw InputError(path + ": " + is + "larger than the " + MemoryBudget::describeBytes(limits.maxBytes) +
                         " limit (" + MemoryBudget::describeBytes(text.size()) + ")");
    LimitedDomBuilder builder(limits);
    if (json::sax_parse(text.begin(), text.end(), &builder))
        return std::move(builder.root());
    const std::string& problem = builder.problem();
    if (builder.utf8Problem())
        throw InputError(path + ": " + is + "not valid UTF-8 (" + problem + ")");
    if (problem.rfind("[json.exception", 0) == 0)
        throw InputError(path + ": " + is + "not valid JSON (" + problem + ")");
    // Our own refusals read as a sentence: "<subject> is nested ...", "<subject> has the key ...".
    const bool verb = problem.rfind("has ", 0) == 0 || problem.rfind("holds ", 0) == 0 || problem.rfind("would ", 0) == 0;
    throw InputError(path + ": " + (verb ? has : is) + problem);
}

} // namespace featurescope
