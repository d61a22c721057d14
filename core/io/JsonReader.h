#pragma once

#include "io/JsonLimits.h"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace featurescope {

// Parses JSON from a file under a JsonLimits policy with a SAX handler of our own: linear time (nlohmann's
// callback parser rescans a parent on every object close, quadratic in the number of siblings), depth checked
// before a container is opened, duplicate keys refused as they are read, and the parsed document's memory
// estimated as it grows. Every problem throws InputError "<path>: <subject> ..." on one line, e.g.
// "x.json: the session is nested more than 64 levels deep". With an empty subject: "x.json: not valid JSON (...)".
class JsonReader {
public:
    static nlohmann::json parse(std::string_view text, const std::string& path, const std::string& subject,
                                const JsonLimits& limits = {});
};

} // namespace featurescope
